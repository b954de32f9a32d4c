"""Story 2.8 (check-ins): people write as people do. During the window a mayor's "南平市本周汇报：…"
without #周报 and without a reply is his report; a message that may be one is asked about once,
under it ("这是您本周的汇报吗？" 是 / 否); chatter is left alone; an owner's 👍 typed as text
acknowledges like the button."""

from __future__ import annotations

from sqlalchemy import event, select

from qunzhu.core import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.models import Report

from .conftest import GROUP, IDS, advance_to, at, say


async def _reports(bot: BotHarness) -> dict[str, Report]:
    async with bot.app.db.session() as s:
        return {r.name: r for r in (await s.scalars(select(Report))).all()}


def _photo(bot: BotHarness, user: str, caption: str = "") -> Message:
    photo = Attachment(AttachmentKind.PHOTO, "/tmp/p.jpg", "image/jpeg", caption=caption)
    return Message(
        bot.next_id(), bot.group(GROUP), bot.user(user), "", (photo,), sent_at=bot.clock.now()
    )


async def test_a_report_without_the_tag_counts_and_a_doubtful_one_is_asked_once(
    bot: BotHarness,
) -> None:
    # before the window a report-like message is not taken (nothing is open) and not answered
    assert await bot.send("南平市本周汇报：巡查3次", user=IDS[6], chat=GROUP) == []
    await advance_to(bot, at(9, 9))
    # 南平: "南平市本周汇报：…", no tag, no reply: his report
    nanping, [receipt] = await say(
        bot, "南平市本周汇报：完成水源地巡查3次，整改问题2处。", user=IDS[6]
    )
    assert receipt.text == "✅ 已收到 南平市长 的汇报（1/12）。" and receipt.labels == ["👍 已阅"]
    # the questions' words, without any tag
    [words] = await bot.send("本周进展：关停排污口1处\n存在问题：无", user=IDS[2], chat=GROUP)
    assert words.text == "✅ 已收到 泉州市长 的汇报（2/12）。"
    # a photo with a caption is a report; without one it is asked about
    [captioned] = await bot.feed(_photo(bot, IDS[3], "取水口围网已完成"))
    assert captioned.text == "✅ 已收到 漳州市长 的汇报（3/12）。"
    [asked] = await bot.feed(_photo(bot, IDS[1]))
    assert asked.text == "这是您本周的汇报吗？" and asked.labels == ["是", "否"]
    [] = await bot.press(asked, "否", user=IDS[1])
    assert asked.text == "好的，不记为汇报。"
    assert await bot.feed(_photo(bot, IDS[1])) == []  # asked once per round, never again

    # 福州: a short message with one question's word: asked, once
    fuzhou, [question] = await say(bot, "存在问题：资金缺口", user=IDS[0])
    assert question.text == "这是您本周的汇报吗？"
    assert question.reply.reply_to == fuzhou
    assert await bot.send("存在问题：人手不够", user=IDS[0], chat=GROUP) == []
    [refused] = await bot.press(question, "是", user=IDS[4])  # not his question
    assert refused.text == "只有 福州市长 本人可以回答。"
    [] = await bot.press(question, "是", user=IDS[0])
    assert question.text == "✅ 已收到 福州市长 的汇报（4/12）。"  # the question became the receipt
    assert question.labels == ["👍 已阅"]

    # chatter is not counted and not asked about, from anyone
    assert await bot.send("大家好，今天开会吗？", user=IDS[5], chat=GROUP) == []
    assert await bot.send("好的，收到。", user="wang", chat=GROUP) == []
    # someone who reported already is not read again: a tag or a reply to the prompt updates
    assert await bot.send("南平市本周汇报：补充一点", user=IDS[6], chat=GROUP) == []

    # owners acknowledge by typing 👍: in reply to a report, or alone right after one
    assert await bot.send("👍", user="wang", chat=GROUP, reply_to=nanping) == []
    assert receipt.text == "✅ 已收到 南平市长 的汇报。\n👍 王副部长 已阅"
    await bot.feed(_photo(bot, IDS[7], "本周完成标识牌更新"))
    assert await bot.send("👍👍", user="zhao", chat=GROUP) == []
    assert bot.sent[-1].text == "✅ 已收到 龙岩市长 的汇报。\n👍 赵副省长 已阅"
    assert await bot.send("👍", user=IDS[8], chat=GROUP) == []  # a mayor's 👍 is no sign-off

    *_, summary = await advance_to(bot, at(9, 18))
    lines = summary.text.splitlines()
    assert lines[1] == "参与率：42%（应报 12 人，已报 5 人）"
    assert "1. 福州市长：存在问题：资金缺口" in lines
    assert "4. 南平市长：南平市本周汇报：完成水源地巡查3次，整改问题2处。 👍" in lines
    assert (
        "❌ 未汇报：厦门市长、莆田市长、三明市长、宁德市长、平潭市长、晋江市长、福清市长" in lines
    )
    assert lines[-1] == "👍 负责人已阅：2/5 份"
    reports = await _reports(bot)
    assert reports["南平市长"].source == "read" and reports["福州市长"].events == [fuzhou]
    assert len(reports["漳州市长"].attachments) == 1


async def test_short_chatter_of_someone_not_reporting_costs_no_query(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = bot.app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert await bot.send("收到，谢谢各位", user="wang", chat=GROUP) == []
        assert await bot.send("明天几点开会？", user=IDS[0], chat=GROUP) == []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "checkins_" in s]


async def test_the_question_answered_by_typing_yes_or_no_in_reply(bot: BotHarness) -> None:
    """People answer "这是您本周的汇报吗？" by typing 是的 / 不是 in reply, not only by the button;
    someone else's typed 是 does not answer it."""
    await advance_to(bot, at(9, 9))
    _, [question] = await say(bot, "存在问题：经费", user=IDS[5])
    assert question.text == "这是您本周的汇报吗？"
    assert await bot.send("是", user=IDS[4], chat=GROUP, reply_to=question.message_id) == []
    assert question.text == "这是您本周的汇报吗？"  # not his question: nothing changed
    assert await bot.send("是的。", user=IDS[5], chat=GROUP, reply_to=question.message_id) == []
    assert question.text == "✅ 已收到 三明市长 的汇报（1/12）。"
    _, [other] = await say(bot, "存在问题：人手", user=IDS[1])
    assert await bot.send("不是", user=IDS[1], chat=GROUP, reply_to=other.message_id) == []
    assert other.text == "好的，不记为汇报。"
    assert set(await _reports(bot)) == {"三明市长"}
