"""The bad input of issue 7: a report outside any window, a second report, an edit after the
close, someone not on the list, a participant in two check-ins, a check-in without participants;
and ordinary talk, which the plugin leaves alone."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from qunzhu.core import MemberChange, UserRef
from qunzhu.core.storage._tables import IdentityRow
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.models import Report

from .conftest import GROUP, IDS, advance_to, at, say


async def test_a_report_outside_any_window_says_when_the_next_opens(bot: BotHarness) -> None:
    [answer] = await bot.send("#周报 提前汇报", user=IDS[0], chat=GROUP)
    assert answer.text == (
        "目前没有进行中的汇报，这条消息未记为汇报。"
        "「水源保护周报」下次开始时间：1月9日（周五） 09:00。"
    )
    assert await bot.send("大家辛苦了", user=IDS[0], chat=GROUP) == []  # ordinary talk


async def test_a_second_report_updates_the_first(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    [first] = await bot.send("#周报 完成巡查", user=IDS[0], chat=GROUP)
    [second] = await bot.send("#周报 完成巡查和整改", user=IDS[0], chat=GROUP)
    assert first.text == "✅ 已收到 福州市长 的汇报（1/12）。"
    assert second.text == "✅ 福州市长 的汇报已更新。"
    async with bot.app.db.session() as s:
        [report] = (await s.scalars(select(Report))).all()
    assert report.text == "#周报 完成巡查和整改"
    assert [h["text"] for h in report.history] == ["#周报 完成巡查"]
    *_, summary = await advance_to(bot, at(9, 18))
    assert "1. 福州市长：完成巡查和整改" in summary.text.splitlines()
    assert "参与率：8%（应报 12 人，已报 1 人）" in summary.text.splitlines()


async def test_an_edit_after_the_close_is_not_taken(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    event_id, _ = await say(bot, "#周报 完成巡查", user=IDS[0])
    await advance_to(bot, at(9, 18))
    _, [answer] = await say(bot, "#周报 完成巡查（改）", user=IDS[0], edit_of=event_id)
    assert (
        answer.text
        == "「水源保护周报」已截止，您的修改未计入汇报。如有重要补充，请发送带 #周报 的新消息。"
    )
    async with bot.app.db.session() as s:
        [report] = (await s.scalars(select(Report))).all()
    assert report.text == "#周报 完成巡查"


async def test_someone_not_on_the_list(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    [answer] = await bot.send("#周报 我也汇报一下", user="visitor", chat=GROUP)
    assert answer.text == (
        "您不在「水源保护周报」的汇报名单中，这条消息未记为汇报。如需参加，请联系负责人。"
    )
    [nothing] = await bot.send("/汇报", user="visitor")
    assert nothing.text == "目前没有需要您提交的汇报。"


async def test_the_bot_added_to_the_group_by_an_owner_does_not_stall_it(bot: BotHarness) -> None:
    """Regression (found over Matrix, where the bot's own join is credited to whoever invited
    it): on_member_change asked for the bot's Person, which the core creates only for people,
    so the plugin created it from inside its handler and waited for the write lock its own
    batch held, for the whole handler timeout, while the group's next messages waited too."""
    itself = UserRef("memory", "qunzhu", "qunzhu", is_bot=True)
    added = MemberChange(bot.next_id(), bot.group(GROUP), bot.user("wang"), itself, "joined")
    assert await asyncio.wait_for(bot.feed(added), 5) == []
    async with bot.app.db.session() as s:
        assert await s.scalar(select(IdentityRow).where(IdentityRow.user_id == "qunzhu")) is None


async def test_the_private_button_of_someone_the_bot_may_not_write_to_yet(bot: BotHarness) -> None:
    """On Telegram the bot may not write first: the questions would never arrive. The presser
    is told under the prompt how to open the private chat, or to reply instead."""
    [prompt] = await advance_to(bot, at(9, 9))
    bot.adapter.writes_first = False  # as on Telegram
    [note] = await bot.press(prompt, "私聊填写", user=IDS[0])
    assert note.chat.chat_id == GROUP and note.reply.reply_to == prompt.message_id
    assert note.text == (
        "福州市长，我还不能私聊您：请先打开 与我的私聊 并点“开始”，再点一次“✍️ 私聊填写”；"
        "也可以直接回复本消息汇报。"
    )
    assert note.reply.mentions == (f"memory:{IDS[0]}",)
    await bot.send("/start", user=IDS[0])  # the mayor opens the private chat
    [question] = await bot.press(prompt, "私聊填写", user=IDS[0])
    assert question.chat.is_direct and question.text == "1/3 本周进展"


async def test_plain_chatter_in_a_check_in_group_reads_no_check_in_table(bot: BotHarness) -> None:
    """Every message of every group reaches the plugin: one that is neither a reply, nor
    tagged, nor carries media is let go without a query."""
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = bot.app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert await bot.send("大家好，今天开会吗？", user=IDS[0], chat=GROUP) == []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "checkins_" in s]
    _, replies = await say(bot, "#周报 本周完成巡查", user=IDS[0])
    assert replies  # a tagged message still reaches the check-in (outside a window: told so)
