"""Issue 14.2: overdue tasks in the digest too. The complaints plugin's morning digest gathers
the check-ins plugin's section through the core's ``digest_sections`` hook: a supervisor with
an overdue ticket and an overdue task gets one digest with both; one with neither, nothing."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core import hookimpl
from qunzhu.core.testing import BotHarness
from qunzhu.plugins import checkins
from qunzhu.plugins.complaints import hooks

from .conftest import CONFIG, jump


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("complaints", hooks), ("checkins", checkins)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["calendar"] = {"preset": "cn"}
    config["people"].append(  # a supervisor of sanitation: nothing of housing's tasks is his
        {"name": "钱主任", "identities": ["memory:qian"], "roles": ["supervisor"]}
    )
    for person in config["people"]:  # of the district, above the township above housing
        if person["name"] == "张科长":
            person["roles"] = [*person["roles"], "supervisor"]
    config["plugins"]["checkins"] = {}
    return config


async def _overdue_task(bot: BotHarness) -> None:
    """Monday 09:00: 王书记 gives 住建局 a task due at 17:00, which passes undone."""
    [card] = await bot.send("/task @住建局 今天17点前完成现场整改", user="wang", chat="工地")
    assert card.text.startswith("📌 任务 T-1：完成现场整改")


async def test_one_digest_with_the_overdue_ticket_and_the_overdue_task(bot: BotHarness) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="jian", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")  # 4 working hours to take it
    await _overdue_task(bot)
    await jump(bot, timedelta(hours=23))  # Tuesday 08:00: the digest
    [digest] = bot.sent_to("dm:wang")
    lines = digest.text.splitlines()
    assert lines[0] == "📊 问题日报 2026-01-06"
    assert "  · Q-2026-0001 住建局 · 工地 · 已超期 4 小时：三标段混凝土没按规范养护" in lines
    assert lines[-3:] == ["", "超期任务：1 项", "  · T-1 住建局 · 已超期 1 小时：完成现场整改"]
    # the other supervisor reads the tickets, not a task that is not his to watch
    [other] = bot.sent_to("dm:qian")
    assert "Q-2026-0001" in other.text and "T-1" not in other.text


async def test_a_digest_of_the_overdue_task_alone(bot: BotHarness) -> None:
    await _overdue_task(bot)
    await jump(bot, timedelta(hours=23))
    [digest] = bot.sent_to("dm:wang")
    assert digest.text.splitlines() == [
        "📊 督办日报 2026-01-06",
        "",
        "超期任务：1 项",
        "  · T-1 住建局 · 已超期 1 小时：完成现场整改",
    ]
    assert bot.sent_to("dm:qian") == []  # nothing for him: nothing sent
    [above] = bot.sent_to("dm:zhang")  # a unit above housing's: he oversees it (逐级问责)
    assert above.text == digest.text
    # escalated meanwhile to a unit nobody is named in: named alone, not "管委会（）"
    escalated = [s.text for s in bot.sent if s.text.startswith("⬆️ 逐级问责")]
    assert escalated
    assert not any("（）" in text for text in escalated), escalated


async def test_a_task_given_to_a_person_is_watched_above_the_unit_they_are_in(
    bot: BotHarness,
) -> None:
    [card] = await bot.send("/task @李娜 今天17点前报送整改方案", user="admin", chat="工地")
    assert card.text.startswith("📌 任务 T-1：报送整改方案")
    await jump(bot, timedelta(hours=23))
    [above] = bot.sent_to("dm:zhang")
    assert above.text.splitlines()[-1] == "  · T-1 李娜 · 已超期 1 小时：报送整改方案"
    assert bot.sent_to("dm:wang") == []  # neither gave it nor is above 住建局 in org:
    assert bot.sent_to("dm:qian") == []


async def test_no_digest_when_neither_a_ticket_nor_a_task_is_overdue(bot: BotHarness) -> None:
    [card] = await bot.send("/task @住建局 周五前提交材料", user="wang", chat="工地")
    assert card.text.startswith("📌 任务 T-1：提交材料")  # due Friday: not overdue yet
    await jump(bot, timedelta(days=3))  # Monday 09:00 → Thursday: three digest mornings
    assert bot.sent_to("dm:wang") == []
    assert bot.sent_to("dm:qian") == []


class TestInTheReadersLanguage:
    @pytest.fixture
    def bot_config(self, bot_config: dict[str, Any]) -> dict[str, Any]:
        for person in bot_config["people"]:
            if person["name"] == "王书记":
                person["lang"] = "zh_Hant"
        return bot_config

    async def test_traditional_chinese_for_who_reads_it(self, bot: BotHarness) -> None:
        await _overdue_task(bot)
        await jump(bot, timedelta(hours=23))
        [digest] = bot.sent_to("dm:wang")
        assert digest.text.splitlines() == [
            "📊 督辦日報 2026-01-06",
            "",
            "超期任務：1 項",
            "  · T-1 住建局 · 已超期 1 小時：完成现场整改",  # the task's text as it was written
        ]


async def test_a_task_reported_done_is_not_in_the_digest(bot: BotHarness) -> None:
    await _overdue_task(bot)
    [request] = await bot.send("/完成", user="lina", chat="工地")  # waits for sign-off
    assert request.text.startswith("📝 任务 T-1（完成现场整改）")
    await jump(bot, timedelta(hours=23))
    assert bot.sent_to("dm:wang") == []


class Broken:
    """A plugin whose section fails."""

    name = "broken"

    @hookimpl
    def digest_sections(self) -> None:
        msg = "its database is gone"
        raise RuntimeError(msg)


class TestASectionThatFails:
    @pytest.fixture
    def bot_plugins(self) -> list[object]:
        return [("complaints", hooks), ("checkins", checkins), ("broken", Broken())]

    async def test_a_failing_section_costs_only_itself(self, bot: BotHarness) -> None:
        await _overdue_task(bot)
        await jump(bot, timedelta(hours=23))
        [digest] = bot.sent_to("dm:wang")
        assert digest.text.splitlines()[-1] == "  · T-1 住建局 · 已超期 1 小时：完成现场整改"
