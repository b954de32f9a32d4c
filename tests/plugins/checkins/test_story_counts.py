"""Story 2.5, counted once: the receipts' "1/10" and the summary's "应报 10 人" name the same
people. Someone on leave or who left the group is not counted, and the receipt says who; an owner
who merely holds the participants' role reads the reports and does not owe one."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, advance_to, at, campaign, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config(campaigns=[campaign(participants=["role:mayor"])])
    for person in setup["people"]:
        if person["name"].endswith("市长") or person["name"] == "赵副省长":
            person["roles"] = [*person.get("roles", []), "mayor"]  # 赵 is an owner, and a mayor
    return setup


async def test_receipts_and_summary_count_the_same_people(bot: BotHarness) -> None:
    await bot.join(IDS[11], GROUP, left=True)  # 福清市长 left the group
    [prompt] = await advance_to(bot, at(9, 9))
    await bot.send("/请假 平潭市长 2026-01-09", user="wang", chat=GROUP)
    [first] = await bot.send("#周报 完成巡查", user=IDS[0], chat=GROUP)
    excused = "平潭市长 请假、福清市长 已退群"
    assert first.text == f"✅ 已收到 福州市长 的汇报（1/10；{excused}，不计入）。"
    # someone on leave who reports anyway counts, like anyone who reported
    [anyway] = await bot.send("#周报 请假前已完成", user=IDS[9], chat=GROUP)
    assert anyway.text == "✅ 已收到 平潭市长 的汇报（2/11；福清市长 已退群，不计入）。"
    [reminder] = await advance_to(bot, at(9, 16, 12))
    assert "@赵副省长" not in reminder.text and "@福清市长" not in reminder.text
    assert reminder.text.count("@") == 9
    [summary] = await advance_to(bot, at(9, 18))
    lines = summary.text.splitlines()
    assert lines[1] == "参与率：18%（应报 11 人，已报 2 人）"
    assert "🚪 已退群：福清市长" in lines
    assert "赵副省长" not in summary.text
    assert prompt.text.startswith("📋 水源保护周报")
