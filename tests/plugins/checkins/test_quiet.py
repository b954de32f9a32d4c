"""A group that wants no receipts (``receipts: false``) and late reports refused
(``late_reports: false``); reminders also in private (``remind_privately: true``)."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, advance_to, at, campaign, config, say


@pytest.fixture
def bot_config() -> dict[str, Any]:
    quiet = campaign(receipts=False, late_reports=False, remind_privately=True,
                     participants=["福州市长", "厦门市长"])  # fmt: skip
    return config(campaigns=[quiet])


async def test_no_receipts_acks_by_reaction_no_late_reports(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    report, replies = await say(bot, "#周报 完成巡查", user=IDS[0])
    assert replies == []
    assert bot.reactions_on(report) == ["👌"]  # counted, quietly
    await bot.react(report, "👍", user="wang", chat=GROUP)
    reminders = await advance_to(bot, at(9, 16, 12))
    assert [(r.chat.chat_id, r.text) for r in reminders] == [
        (GROUP, "⏰ 水源保护周报 将于 1月9日（周五） 18:00 截止。尚未汇报：@厦门市长"),
        ("dm:mayor2", "⏰ 请在 1月9日（周五） 18:00 前提交「水源保护周报」：/汇报"),
    ]
    [summary] = await advance_to(bot, at(9, 18))
    assert "1. 福州市长：完成巡查 👍" in summary.text.splitlines()
    [refused] = await bot.send("#周报 补交", user=IDS[1], chat=GROUP)
    assert refused.text.startswith("目前没有进行中的汇报，这条消息未记为汇报。")
