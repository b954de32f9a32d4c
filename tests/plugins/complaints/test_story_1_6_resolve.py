"""Story 1.6: the department resolves with a note and a photo; the reporter confirms or
reopens, and rates the handling."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Ticket, TicketEvent

from .conftest import only, press_stale

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


async def _filed(bot: BotHarness) -> Sent:
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    return card


async def _resolve(bot: BotHarness, card: Sent) -> Sent:
    sent = await bot.press(card, "接单", user="lina")
    assert only(sent, "住建局").text == "李娜 已接单 Q-2026-0001。"
    told = only(sent, "北部新城工程")
    assert told.text == "您反映的问题 Q-2026-0001 已被接单，正在办理。"
    assert "承办人：李娜" in card.text
    assert card.labels == ["处理中", "已解决", "转办", "更多…"]
    [note_q] = await bot.press(card, "已解决", user="lina")
    assert note_q.text == "Q-2026-0001：办理结果是什么？请简单说明。"
    [photo_q] = await bot.send("已督促施工方重新养护，监理旁站", user="lina", chat="住建局")
    assert photo_q.labels == ["跳过", "取消"]
    sent = await bot.send("", user="lina", chat="住建局", photos=["fixed.jpg"])
    [question] = [s for s in sent if s.chat.chat_id == "北部新城工程"]
    return question


async def test_resolved_confirmed_and_rated(bot: BotHarness) -> None:
    card = await _filed(bot)
    question = await _resolve(bot, card)
    assert question.text == (
        "您反映的问题 Q-2026-0001 已办结：已督促施工方重新养护，监理旁站\n问题解决了吗？"
    )
    assert question.reply.photo == "fixed.jpg"
    assert question.reply.reply_to is not None  # in the source group's thread
    assert question.labels == ["已解决", "未解决"]
    assert "已办结，待反映人确认" in card.text
    assert card.labels == []
    [stranger] = await bot.press(question, "已解决", user="passerby")
    assert stranger.text.startswith("抱歉，您无权")
    [stars] = await bot.press(question, "已解决", user="jian")
    assert stars.labels == [
        "★",
        "★★",
        "★★★",
        "★★★★",
        "★★★★★",
    ]
    [thanks] = await bot.press(stars, 5, user="jian")
    assert "★★★★★" in thanks.text
    [twice] = await press_stale(bot, question, 1, user="jian")
    assert "已确认解决" in twice.text  # nothing changes
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.status, ticket.feedback, ticket.rating) == ("confirmed", "solved", 5)
        assert ticket.resolution_photos[0]["ref"] == "fixed.jpg"
        history = (await s.scalars(select(TicketEvent).order_by(TicketEvent.id))).all()
    assert [(h.action, h.to_status, h.actor_name) for h in history] == [
        ("created", "assigned", "王书记"),
        ("acknowledge", "acknowledged", "李娜"),
        ("resolve", "resolved", "李娜"),
        ("confirm", "confirmed", "jian"),
        ("rated", "confirmed", "jian"),
    ]


async def test_not_solved_reopens_and_tells_the_department(bot: BotHarness) -> None:
    card = await _filed(bot)
    question = await _resolve(bot, card)
    sent = await bot.press(question, "未解决", user="jian")
    [told] = [s for s in sent if s.chat.chat_id == "住建局"]
    assert told.text.startswith("⚠️ Q-2026-0001：反映人表示问题未解决，工单已重新打开。")
    [stars] = [s for s in sent if s.chat.chat_id == "北部新城工程"]
    assert stars.text.startswith("Q-2026-0001 已重新打开")
    assert "重新打开" in card.text and card.labels == ["接单", "已解决", "转办", "更多…"]
    assert "🔁 已重新打开 1 次" in card.text


async def test_only_the_department_may_press_its_buttons(bot: BotHarness) -> None:
    card = await _filed(bot)
    [refused] = await bot.press(card, "接单", user="zhao")  # another department
    assert refused.text == "抱歉，您无权对 Q-2026-0001 执行此操作。"
    ok = only(await bot.press(card, "接单", user="zhang"), "住建局")  # the district, above
    assert ok.text == "张科长 已接单 Q-2026-0001。"
    [twice] = await press_stale(bot, card, 1, user="lina")
    assert twice.text == "Q-2026-0001 当前已是“已接单”，未作任何更改。"


async def test_reassign_moves_the_card_to_the_other_department(bot: BotHarness) -> None:
    card = await _filed(bot)
    [which] = await bot.press(card, "转办", user="lina")
    assert which.text == "Q-2026-0001：应由哪个部门办理？"
    assert "住建局" not in which.labels
    [why] = await bot.press(which, "环卫所", user="lina")
    sent = await bot.send("属于环境卫生问题", user="lina", chat="住建局")
    assert card.text == "Q-2026-0001 已转办至 环卫所。" and card.labels == []
    [new_card] = [s for s in sent if s.chat.chat_id == "环卫所"]
    assert new_card.labels == ["接单", "已解决", "转办", "更多…"]
    assert why.text.startswith("原因？")
