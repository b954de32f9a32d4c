"""Story 2.10 (issue 15, item 2): ``/tasks`` in a private chat lists what I assigned and what I
owe, overdue first; on the Friday before 春节 a task due "明天" falls on the make-up Saturday and
is overdue that evening, while the other waits for the first working day after the holiday."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from qunzhu.core import FakeClock
from qunzhu.core.testing import BotHarness

from .conftest import GROUP, SHANGHAI, advance_to, campaign, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(campaigns=[campaign(schedule="FREQ=MONTHLY;BYMONTHDAY=28")])


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(datetime(2026, 2, 13, 10, tzinfo=SHANGHAI))  # Friday before 春节


async def test_in_private_what_i_assigned_and_what_i_owe_overdue_first(bot: BotHarness) -> None:
    await bot.send("/task @住建局 节后第一天下班前完成工地复工检查", user="wang", chat=GROUP)
    await bot.send("/task @刘局长 明天下班前报送春运安全检查材料", user="wang", chat=GROUP)
    await bot.send("/task @福州市长 2月26日前报送水质数据", user="zhao", chat=GROUP)
    await advance_to(bot, datetime(2026, 2, 14, 18, 1, tzinfo=SHANGHAI))  # the make-up Saturday
    [owed] = await bot.send("/tasks", user="liu")
    assert owed.text.splitlines() == [
        "我承办的任务：",
        "⚠️ T-2 报送春运安全检查材料 — 王副部长 交办 — 2月14日（周六） 18:00（已超期）",
        "T-1 完成工地复工检查 — 王副部长 交办 — 2月24日（周二） 18:00",
    ]
    [assigned] = await bot.send("/任务列表", user="wang")
    assert assigned.text.splitlines() == [
        "我交办的任务：",
        "⚠️ T-2 报送春运安全检查材料 — 刘局长 — 2月14日（周六） 18:00（已超期）",
        "T-1 完成工地复工检查 — 住建局 — 2月24日（周二） 18:00",
    ]
    await bot.send("/完成 T-1 已检查", user="liu", chat=GROUP)
    [both] = await bot.send("/tasks", user="liu")
    assert both.text.splitlines()[2] == (
        "📝 T-1 完成工地复工检查 — 王副部长 交办 — 2月24日（周二） 18:00（待验收）"
    )
    [group] = await bot.send("/tasks", user="wang", chat=GROUP)  # in the group: the group's
    assert [line.split(" — ")[0] for line in group.text.splitlines()[1:]] == [
        "📝 T-1 完成工地复工检查",
        "⚠️ T-2 报送春运安全检查材料",
        "T-3 报送水质数据",
    ]
    [nothing] = await bot.send("/tasks", user="mayor2")
    assert nothing.text == "没有未完成的任务。"
    # reported from the private chat: the request for sign-off goes to the task's group
    sent = await bot.send("/完成 T-2 材料已报送", user="liu")
    assert [(s.chat.chat_id, s.text.splitlines()[0]) for s in sent] == [
        ("dm:liu", "已报告：T-2（报送春运安全检查材料）等待 王副部长 验收。"),
        (GROUP, "📝 任务 T-2（报送春运安全检查材料）：刘局长 报告已办结。"),
    ]
