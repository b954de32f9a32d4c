"""Issue 14: a digest worth reading for the head of a unit. With ``digest.heads: true`` each
head of a unit of ``org:`` gets, privately, the digest of what his problem desk shows (his units
and those below, with their groups) and his units' overdue tasks; the groups of
``digest.chats`` get the overdue tasks of their unit and below under the complaints part; and
nobody gets a digest with nothing in it."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from qunzhu.core.testing import BotHarness
from qunzhu.plugins import checkins
from qunzhu.plugins.complaints import hooks
from qunzhu.plugins.complaints.models import Ticket
from qunzhu.plugins.complaints.states import Status
from tests.support.complaints_desk import desk_complaints

from .conftest import jump

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [
        {"name": "王督查", "identities": ["memory:wang"], "roles": ["supervisor"]},
        {"name": "陈区长", "identities": ["memory:chen"]},
        {"name": "周主任", "identities": ["memory:zhou"]},
        {"name": "刘局长", "identities": ["memory:liu"]},
        {"name": "赵所长", "identities": ["memory:zhao"]},
        {"name": "孙局长", "identities": ["memory:sun"]},
        {"name": "李娜", "identities": ["memory:lina"]},
    ],
    "org": {
        "district": {"name": "区政府", "chats": ["memory:区政府"], "head": "陈区长"},
        "township": {
            "name": "管委会",
            "parent": "district",
            "chats": ["memory:管委会"],
            "head": "周主任",
        },
        "housing": {
            "name": "住建局",
            "parent": "township",
            "chats": ["memory:住建局"],
            "head": "刘局长",
            "members": ["李娜"],
        },
        "sanitation": {
            "name": "环卫所",
            "parent": "township",
            "chats": ["memory:环卫所"],
            "head": "memory:zhao",
        },
        "water": {
            "name": "水利局",
            "parent": "district",
            "chats": ["memory:水利局"],
            "head": "孙局长",
        },
    },
    "plugins": {
        "complaints": {
            **desk_complaints(),
            "digest": {"heads": True, "chats": ["memory:住建局", "memory:督查组"]},
        },
        "checkins": {},
    },
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("complaints", hooks), ("checkins", checkins)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


async def _morning(bot: BotHarness, *, returned: bool = False) -> None:
    """Monday 09:00: a problem for housing and one for sanitation (with a phone in it) are filed
    in a group of no unit, and housing gets a task due at 17:00 (the sanitation ticket is
    returned by its unit, when `returned`); Tuesday 08:00: the digest."""
    for text in ("三标段混凝土没按规范养护", "广场垃圾没人处理，电话13812345678"):
        [offer] = await bot.send(text, user="jian", chat="工地", photos=["p"])
        filed = await bot.press(offer, 1, user="wang")
        assert any("Q-2026-000" in s.text for s in filed), [s.text for s in filed]
    [card] = await bot.send("/task @住建局 今天17点前完成现场整改", user="wang", chat="工地")
    assert card.text.startswith("📌 任务 T-") and "完成现场整改" in card.text
    if returned:  # as the unit's "not ours" leaves it: still its unit's, waiting to be routed
        async with bot.app.db.session() as s:
            await s.execute(
                update(Ticket)
                .where(Ticket.number == "Q-2026-0002")
                .values(status=Status.NOT_RESPONSIBLE)
            )
            await s.commit()
    await jump(bot, timedelta(hours=23))


def _text(bot: BotHarness, chat: str) -> str:
    """The one digest sent to `chat` (the task's escalation went to some of them too)."""
    [digest] = _digests(bot, chat)
    return digest


def _digests(bot: BotHarness, chat: str) -> list[str]:
    return [s.text for s in bot.sent_to(chat) if s.text.startswith("📊")]


async def test_each_head_reads_his_units_and_those_below(bot: BotHarness) -> None:
    await _morning(bot)
    everything = _text(bot, "dm:wang")  # the supervisor: as before
    assert "Q-2026-0001" in everything and "Q-2026-0002" in everything
    assert everything.splitlines()[-2:] == [
        "超期任务：1 项",
        "  · T-1 住建局 · 已超期 1 小时：完成现场整改",
    ]
    housing = _text(bot, "dm:liu").splitlines()
    assert housing[:3] == ["📊 问题日报 2026-01-06", "新登记：1 件", "  · 住建局 / 工程质量：1"]
    assert any("Q-2026-0001 住建局" in line for line in housing)
    assert not any("Q-2026-0002" in line or "环卫所" in line for line in housing)
    assert housing[-2:] == ["超期任务：1 项", "  · T-1 住建局 · 已超期 1 小时：完成现场整改"]
    sanitation = _text(bot, "dm:zhao")  # named by identity; no task of his
    assert "Q-2026-0002 环卫所" in sanitation and "Q-2026-0001" not in sanitation
    assert "超期任务" not in sanitation
    for above in ("dm:zhou", "dm:chen"):  # the township and the district: both, and the task
        text = _text(bot, above)
        assert "新登记：2 件" in text and "T-1 住建局" in text, above
    assert _digests(bot, "dm:sun") == []  # water: nothing of his, nothing sent
    assert _digests(bot, "dm:lina") == []  # a member, not a head


async def test_the_groups_get_the_overdue_tasks_of_their_unit(bot: BotHarness) -> None:
    [card] = await bot.send("/task @水利局 今天17点前报送水质数据", user="wang", chat="工地")
    assert card.text.startswith("📌 任务 T-1：报送水质数据")
    await _morning(bot)  # and T-2 for housing
    complaints = _text(bot, "dm:wang").split("\n\n")[0]
    in_housing = _text(bot, "住建局").split("\n\n")
    assert in_housing == [  # the complaints part as before, and the tasks of its unit only
        complaints,
        "超期任务：1 项\n  · T-2 住建局 · 已超期 1 小时：完成现场整改",
    ]
    supervision = _text(bot, "督查组").split("\n\n")  # a group of no unit: every overdue task
    assert supervision[0] == complaints
    assert supervision[1].splitlines() == [
        "超期任务：2 项",
        "  · T-1 水利局 · 已超期 1 小时：报送水质数据",
        "  · T-2 住建局 · 已超期 1 小时：完成现场整改",
    ]
    for text in (*in_housing, *supervision):  # the reporter is never named, nor a phone
        assert "jian" not in text and "13812345678" not in text


async def test_what_waits_to_be_routed_is_counted_in_its_units_digest(bot: BotHarness) -> None:
    await _morning(bot, returned=True)
    assert "待派单：1 件\n  · 其中部门退回：1 件" in _text(bot, "dm:zhao")
    assert "待派单" not in _text(bot, "dm:liu")
    assert "待派单：1 件" in _text(bot, "dm:zhou")


async def test_a_group_with_nothing_to_read_gets_nothing(bot: BotHarness) -> None:
    await jump(bot, timedelta(days=3))  # Monday 09:00 → Thursday: three digest mornings
    for chat in ("住建局", "督查组", "dm:wang", "dm:liu", "dm:chen"):
        assert _digests(bot, chat) == [], chat


class TestWithoutHeads:
    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        config = copy.deepcopy(CONFIG)
        del config["plugins"]["complaints"]["digest"]["heads"]
        return config

    async def test_only_the_supervisors_as_before(self, bot: BotHarness) -> None:
        await _morning(bot)
        assert "Q-2026-0001" in _text(bot, "dm:wang")
        for head in ("dm:liu", "dm:zhao", "dm:zhou", "dm:chen"):
            assert _digests(bot, head) == [], head


class TestTheRestOnTheDesk:
    """A head's digest that lists fewer than his overdue tickets points to his problem desk,
    where he sees and routes them (the ticket list shows a unit's member only his own unit's);
    the supervisors' text, also sent to the groups, keeps pointing to the ticket list."""

    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        config = copy.deepcopy(CONFIG)
        config["plugins"]["complaints"]["digest"]["items"] = 1
        return config

    async def test_a_heads_footer_sends_him_to_the_desk(self, bot: BotHarness) -> None:
        await _morning(bot)
        township = _text(bot, "dm:zhou").split("\n\n")[0].splitlines()
        assert township[-1] == "  …及另外 1 件，发送 /问题台 超期 查看"
        supervisors = _text(bot, "dm:wang").split("\n\n")[0].splitlines()
        assert supervisors[-1] == "  …及另外 1 件，发送 /工单列表 超期 查看"
        assert _text(bot, "住建局").split("\n\n")[0].splitlines()[-1] == supervisors[-1]
        [desk] = await bot.send("/问题台 超期", user="zhou")  # what the footer says to send
        assert desk.text.startswith("📋 问题台 · 超期：共 2 件")
