"""Story 1.2: a resident reports privately, one step at a time, and may stay anonymous."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qunzhu.core.model._events import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket

TEXT = "水口茶文化景区好几个地方垃圾没人处理"


async def _report(bot: BotHarness, *, anonymous: bool) -> list[str]:
    """Play the dialog as the resident 陈阿姨; returns every text the bot wrote to her."""
    [photo_q] = await bot.send(TEXT, user="chen")
    assert photo_q.text == "请发送一张现场照片，或按“跳过”。"
    assert photo_q.labels == ["跳过", "取消"]
    [where_q] = await bot.send("", user="chen", photos=["phone-photo-7"])
    assert where_q.text.startswith("问题在哪里？")
    [kind_q] = await bot.send("水口茶文化景区停车场", user="chen")
    assert kind_q.text == "属于哪类问题？"
    assert kind_q.labels[0] == "环境卫生"  # the category its words suggest comes first
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    assert name_q.labels == ["实名", "匿名", "取消"]
    [check] = await bot.press(name_q, "匿名" if anonymous else "实名", user="chen")
    assert "问题：" + TEXT in check.text
    assert "地点：水口茶文化景区停车场（无地图坐标，无法核对附近的相同问题）" in check.text
    assert "照片：1 张" in check.text
    done = await bot.press(check, "提交", user="chen")
    return [s.text for s in done if s.chat.chat_id == "dm:chen"]


async def test_private_report_step_by_step(bot: BotHarness) -> None:
    [confirmed] = await _report(bot, anonymous=False)
    assert confirmed.startswith("已登记为问题 Q-2026-0001（环境卫生），已转 环卫所 办理。")
    [card] = bot.sent_to("环卫所")
    assert "反映人：chen" in card.text
    assert card.reply.photo == "phone-photo-7"
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.source, ticket.address, ticket.anonymous) == (
        "private",
        "水口茶文化景区停车场",
        False,
    )


async def test_anonymous_report_never_names_the_reporter_to_departments(bot: BotHarness) -> None:
    await _report(bot, anonymous=True)
    [card] = bot.sent_to("环卫所")
    assert "反映人：匿名" in card.text
    # the department acknowledges, resolves, reassigns: no card or notice ever names her
    await bot.press(card, "接单", user="zhao")
    await bot.press(card, "转办", user="zhao")
    for sent in bot.sent:
        if sent.chat.chat_id != "dm:chen":
            for reply in (sent.reply, *sent.edits):
                assert "chen" not in reply.text
                assert "陈" not in reply.text


async def test_a_typed_known_place_gets_coordinates(bot: BotHarness) -> None:
    [photo_q] = await bot.send("北部新城三标段有人乱倒建筑垃圾", user="chen")
    await bot.press(photo_q, "跳过", user="chen")
    [kind_q] = await bot.send("北部新城三标段东门", user="chen")
    [name_q] = await bot.press(kind_q, 1, user="chen")
    [check] = await bot.press(name_q, "实名", user="chen")
    assert "地点：北部新城三标段东门" in check.text
    await bot.press(check, "提交", user="chen")
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.latitude, ticket.longitude) == (26.65, 119.52)


async def test_a_20_mb_photo_is_refused_and_asked_again(bot: BotHarness) -> None:
    await bot.send(TEXT, user="chen")
    huge = Attachment(AttachmentKind.PHOTO, "big", "image/jpeg", size=20 * 1024 * 1024)
    chat, who = bot.dm("chen"), bot.user("chen")
    sent = await bot.feed(Message(bot.next_id(), chat, who, "", (huge,)))
    assert sent[0].text.startswith("这张照片有 20.0 MB；请发送小于 10 MB 的照片")
    assert sent[1].text == "请发送一张现场照片，或按“跳过”。"


async def test_cancel_halfway_and_time_out_leave_no_ticket(bot: BotHarness) -> None:
    await bot.send(TEXT, user="chen")
    [cancelled] = await bot.send("/取消", user="chen")
    assert "取消" in cancelled.text or "Nothing" in cancelled.text
    await bot.send(TEXT, user="chen")
    await bot.advance(timedelta(hours=2))  # dialogs.timeout is 30 minutes
    [late] = await bot.send("", user="chen", photos=["p"])
    assert "超时" in late.text or "timed out" in late.text
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(Ticket))).all() == []


async def test_a_restart_halfway_continues_where_it_was(bot: BotHarness) -> None:
    await bot.send(TEXT, user="chen")
    await bot.restart()
    [where_q] = await bot.send("", user="chen", photos=["p"])
    assert where_q.text.startswith("问题在哪里？")


async def test_plain_private_chatter_starts_nothing(bot: BotHarness) -> None:
    assert await bot.send("你好，请问今天几点开会？", user="chen") == []


async def test_photos_sent_while_asked_for_the_place_are_all_kept(bot: BotHarness) -> None:
    """Regression (issue 14, "photos are lost"): a second photo sent while the bot asked where
    it is was taken as the place (its caption) and dropped, and the check said 1 photo."""
    [photo_q] = await bot.send(TEXT, user="chen")
    [where_q] = await bot.send("", user="chen", photos=["phone-photo-1"])
    assert where_q.text.startswith("问题在哪里？")
    added, again = await bot.send("另一处", user="chen", photos=["phone-photo-2"])
    assert added.text == "已添加，共 2 张。"
    assert again.text == where_q.text  # the place is still asked for, not read from the caption
    added, _ = await bot.send("", user="chen", photos=["phone-photo-3"])
    assert added.text == "已添加，共 3 张。"
    [kind_q] = await bot.send("水口茶文化景区停车场", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "实名", user="chen")
    assert "照片：3 张" in check.text
    assert "地点：水口茶文化景区停车场" in check.text
    await bot.press(check, "提交", user="chen")
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None and ticket.address == "水口茶文化景区停车场"


async def test_a_photo_sent_before_the_photo_question_skips_it(bot: BotHarness) -> None:
    """Photos sent while the description is asked for are kept; the photo question is not
    asked again."""
    [desc_q] = await bot.send("/report", user="chen")
    assert desc_q.text.startswith("遇到了什么问题")
    added, again = await bot.send("", user="chen", photos=["phone-photo-1"])
    assert added.text == "已添加，共 1 张。" and again.text == desc_q.text
    [where_q] = await bot.send(TEXT, user="chen")
    assert where_q.text.startswith("问题在哪里？")
