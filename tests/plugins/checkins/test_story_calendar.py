"""Story 2.5: holidays and make-up workdays move or skip the check-in; someone on leave, or who
left the group, is excused (not reminded, listed apart in the summary)."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core import FakeClock
from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, advance_to, at, campaign, config


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(at(16, 9, month=2))  # Monday of the Spring Festival week 2026


async def test_the_spring_festival_moves_friday_to_the_next_working_day(bot: BotHarness) -> None:
    assert await advance_to(bot, at(23, 23, month=2)) == []  # Friday 20th is a holiday
    [prompt] = await advance_to(bot, at(24, 9, month=2))
    lines = prompt.text.splitlines()
    assert lines[0] == "📋 水源保护周报：请于 2月24日（周二） 18:00 前汇报。"
    assert lines[1] == "（因节假日，由 2月20日（周五） 顺延。）"
    *_, summary = await advance_to(bot, at(24, 18, month=2))
    assert summary.text.startswith("📊 水源保护周报 · 2月24日（周二） 汇报小结")
    [regular] = await advance_to(bot, at(27, 9, month=2))  # the next Friday is as usual
    assert regular.text.startswith("📋 水源保护周报：请于 2月27日（周五） 18:00 前汇报。")


@pytest.fixture
def bot_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    changes = getattr(request, "param", {})
    return config(campaigns=[campaign(**changes)])


@pytest.mark.parametrize("bot_config", [{"on_holiday": "skip"}], indirect=True)
async def test_skip_holds_no_check_in_in_a_holiday_week(bot: BotHarness) -> None:
    assert await advance_to(bot, at(26, 23, month=2)) == []
    [prompt] = await advance_to(bot, at(27, 9, month=2))
    assert "2月27日（周五）" in prompt.text


async def test_someone_on_leave_is_not_reminded_and_is_listed_apart(bot: BotHarness) -> None:
    [ok] = await bot.send("/请假 2026-02-24..2026-02-26", user=IDS[0], chat=GROUP)
    assert ok.text == "已登记：福州市长 2月24日至26日请假，期间无需汇报。"
    [across] = await bot.send("/请假 2026-02-27..2026-03-02", user=IDS[5], chat=GROUP)
    assert across.text == "已登记：三明市长 2月27日至3月2日请假，期间无需汇报。"
    [years] = await bot.send("/请假 12月30日至1月2日", user=IDS[6], chat=GROUP)
    assert years.text == "已登记：南平市长 2026年12月30日至2027年1月2日请假，期间无需汇报。"
    await bot.send("/请假 2026-13-01", user=IDS[1], chat=GROUP)
    assert bot.sent[-1].text == "请这样写日期：2026-12-01..2026-12-05（只请一天：2026-12-01）。"
    [refused] = await bot.send("/请假 厦门市长 2026-02-24", user=IDS[2], chat=GROUP)
    assert refused.text == "只有汇报负责人可以为他人登记请假。"
    await advance_to(bot, at(24, 9, month=2))
    [reminder] = await advance_to(bot, at(24, 16, 12, month=2))
    assert "@福州市长" not in reminder.text and "@厦门市长" in reminder.text
    [summary] = await advance_to(bot, at(24, 18, month=2))
    assert "🏖 请假：福州市长" in summary.text.splitlines()
    assert "参与率：0%（应报 11 人，已报 0 人）" in summary.text.splitlines()


async def test_a_participant_who_left_the_group_is_excused_until_they_come_back(
    bot: BotHarness,
) -> None:
    await bot.join(IDS[11], GROUP, left=True)
    await advance_to(bot, at(24, 9, month=2))
    [reminder] = await advance_to(bot, at(24, 16, 12, month=2))
    assert "@福清市长" not in reminder.text
    [summary] = await advance_to(bot, at(24, 18, month=2))
    assert "🚪 已退群：福清市长" in summary.text.splitlines()
    await bot.join(IDS[11], GROUP)  # back on Wednesday: reminded again on Friday
    await advance_to(bot, at(27, 9, month=2))
    [reminder] = await advance_to(bot, at(27, 16, 12, month=2))
    assert "@福清市长" in reminder.text
