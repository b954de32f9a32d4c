"""Story 3.8 in Chinese (issue 15, item 6): the approver, who also shares, passes the post on
from its progress report to the group he runs, which is in its quiet hours; he is told of the
orders from there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.plugins.promotions.story import APPROVER, PLUGINS, SELLER, config, posts_in, publish

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "county": {
        "name": "通山县工作群",
        "quiet_hours": ["10:00-12:00"],
        "admins": [f"memory:{APPROVER}"],
    },
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    found = config(GROUPS, language="zh_Hans")
    found["people"][1]["roles"].append("sharer")  # 王科长 approves, and shares
    return found


async def test_the_approver_shares_from_the_progress_report_in_chinese(bot: BotHarness) -> None:
    """The approver, with the sharer role and admin of the county's group, presses 转发到我的群
    under the progress report; the group is in its quiet hours: the copy waits, and says so."""
    await publish(bot, stock="100000")
    await bot.advance(timedelta(minutes=1))  # the progress report
    [report] = [s for s in bot.sent_to(f"dm:{APPROVER}") if "转发到我的群" in s.labels]
    [pick] = await bot.press(report, "转发到我的群", user=APPROVER)
    assert pick.text == "把推介 #1 “通山鮰鱼” 转发到您的哪个群？"
    assert pick.labels == ["通山县工作群"]
    answers = await bot.press(pick, "通山县工作群", user=APPROVER)
    [told] = [s for s in answers if s.chat.chat_id == f"dm:{APPROVER}"]
    [author] = [s for s in answers if s.chat.chat_id == f"dm:{SELLER}"]
    assert author.text == (
        "王科长把推介 #1 “通山鮰鱼” 转发到了自己负责的 1 个群：通山县工作群。"
        "这些群来的订单也记在王科长名下（/统计 1）。"
    )
    assert told.text == (
        "推介 #1 “通山鮰鱼” 转发情况：\n· 通山县工作群: 等待中，01-05 12:00 发出 (免打扰时段)"
    )
    assert posts_in(bot, "county") == []
    await bot.advance(timedelta(hours=2))
    [copy] = posts_in(bot, "county")
    assert copy.labels == ["我要订购", "感兴趣", "联系卖家"]
    [refused] = await bot.send("/转发 1", user="someone")
    assert refused.text == "只有具有转发权限的干部或单位负责人才能转发推介。"
    # an order from his group: he is told, in one line, at the end of the half hour
    await bot.press(copy, "我要订购", user="liu")
    for answer in ("五百斤", "武汉", "13912345678"):
        [confirm] = (await bot.send(answer, user="liu"))[-1:]
    await bot.press(confirm, "确认下单", user="liu")
    later = await bot.advance(timedelta(minutes=30))
    [told] = [s for s in later if s.chat.chat_id == f"dm:{APPROVER}" and "转发的推介" in s.text]
    assert told.text == (
        "您转发的推介有新订单：#1 “通山鮰鱼”，通山县工作群，500 斤。查看您的转发成效：/统计 1"
    )
