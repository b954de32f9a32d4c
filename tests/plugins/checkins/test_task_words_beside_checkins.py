"""Regression (issue 15, item 2): done words are read as a task's report only in a reply to the
task or a short untagged message; a mayor who owes a task and replies "本周已完成3处巡查" to the
Friday check-in's prompt, or posts "#周报 围网已完成", reports for the check-in, and the task stays
open."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.models import Task

from .conftest import GROUP, advance_to, at


async def test_a_checkin_report_with_done_words_is_not_taken_for_the_task(
    bot: BotHarness,
) -> None:
    await bot.send("/task @福州市长 周五下班前报送水质数据", user="wang", chat=GROUP)
    await bot.send("/task @厦门市长 周五下班前报送水质数据", user="wang", chat=GROUP)
    [prompt] = await advance_to(bot, at(9, 9))
    [receipt] = await bot.send(
        "本周已完成3处巡查", user="mayor1", chat=GROUP, reply_to=prompt.message_id
    )
    assert receipt.text.startswith("✅ 已收到 福州市长 的汇报（1/12）")
    [tagged] = await bot.send("#周报 围网已完成", user="mayor2", chat=GROUP)
    assert tagged.text.startswith("✅ 已收到 厦门市长 的汇报（2/12）")
    async with bot.app.db.session() as s:
        assert list(await s.scalars(select(Task.state))) == ["open", "open"]
    # a short untagged message of one who owes a single task is its report
    [request] = await bot.send("水质数据已报送，已完成", user="mayor1", chat=GROUP)
    assert request.text.startswith("📝 任务 T-1（报送水质数据）：福州市长 报告已办结。")


async def test_a_spoken_report_ending_and_traditional_characters(bot: BotHarness) -> None:
    [card] = await bot.send("/task @福州市长 周五下班前报送水质数据", user="wang", chat=GROUP)
    # "…汇报完毕" closes a spoken-style message: not a task's report
    assert await bot.send("以上是本周情况，汇报完毕", user="mayor1", chat=GROUP) == []
    [request] = await bot.send(
        "已落實，請書記審閱", user="mayor1", chat=GROUP, reply_to=card.message_id
    )
    assert request.text.startswith("📝 任务 T-1（报送水质数据）：福州市长 报告已办结。")
