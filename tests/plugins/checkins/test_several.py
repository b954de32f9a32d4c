"""Several check-ins at once: a participant in two of them (in one group and in two groups), and
a check-in whose list of participants is empty."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, MAYORS, advance_to, at, campaign, config, say


@pytest.fixture
def bot_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    monthly = campaign(name="水源月报", tag="#月报", schedule="FREQ=MONTHLY;BYDAY=FR;BYSETPOS=2",
                       participants=MAYORS[:3], questions=["本月进展"])  # fmt: skip
    other = campaign(name="防汛周报", group="memory:防汛群", participants=MAYORS[:2])
    empty = campaign(name="空名单", group="memory:空群", participants=[])
    return config(campaigns=[campaign(), monthly, other, empty])


async def test_a_participant_in_two_check_ins(bot: BotHarness) -> None:
    prompts = await advance_to(bot, at(9, 9))  # the 9th is the second Friday: both open
    weekly, monthly = (next(p for p in prompts if name in p.text) for name in ("周报", "月报"))
    assert monthly.chat.chat_id == GROUP
    [weekly_receipt] = await bot.send("#周报 本周巡查", user=IDS[0], chat=GROUP)
    assert weekly_receipt.text == "✅ 已收到 福州市长 的汇报（1/12）。"
    [monthly_receipt] = await bot.send("本月完成治理", user=IDS[0], chat=GROUP,
                                       reply_to=monthly.message_id)  # fmt: skip
    assert monthly_receipt.text == "✅ 已收到 福州市长 的汇报（1/3）。"
    # in private: which one? (the weekly one of the 防汛群 too)
    [which] = await bot.send("/汇报", user=IDS[1])
    assert which.text == "您要提交哪一项汇报？"
    assert which.labels == ["水源保护周报", "水源月报", "防汛周报", "取消"]
    [q] = await bot.press(which, "防汛周报", user=IDS[1])
    assert q.text == "1/3 本周进展"


async def test_a_check_in_without_participants(bot: BotHarness) -> None:
    prompts = await advance_to(bot, at(9, 9))
    [empty] = [p for p in prompts if p.chat.chat_id == "空群"]
    assert empty.text.splitlines()[-1] == (
        "⚠️ 这项汇报还没有参加人员，请管理员在配置的 participants 中列出。"
    )
    closing = await advance_to(bot, at(9, 18))
    [summary] = [s for s in closing if s.chat.chat_id == "空群"]
    assert summary.text.splitlines()[1] == "参与率：本次无人需要汇报。"


async def test_an_edited_report_is_found_among_its_groups_check_ins_only(bot: BotHarness) -> None:
    """Issue 19: an edited message was looked for in every campaign's latest round (5,000
    queries in a city); a group's reports belong to that group's campaigns."""
    await advance_to(bot, at(9, 9))
    flood, [receipt] = await say(bot, "#周报 本周巡查堤坝3处", user=IDS[1], chat="防汛群")
    assert receipt.text == "✅ 已收到 厦门市长 的汇报（1/2）。"
    water, [other] = await say(bot, "#周报 本周完成取水口围网", user=IDS[1])
    assert other.text == "✅ 已收到 厦门市长 的汇报（1/12）。"
    await say(bot, "#周报 本周巡查堤坝4处", user=IDS[1], chat="防汛群", edit_of=flood)
    assert receipt.text == "✅ 厦门市长 的汇报已更新。"
    assert other.text == "✅ 已收到 厦门市长 的汇报（1/12）。"  # the other group's: untouched
