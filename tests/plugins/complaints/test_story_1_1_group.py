"""Story 1.1: a photo with a problem in a project group becomes a ticket routed to 住建局."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket, TicketEvent

from .conftest import press_stale

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


async def test_photo_report_is_offered_filed_and_routed(bot: BotHarness) -> None:
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["tg-photo-1"])
    assert offer.reply.reply_to is not None  # answered in the thread
    assert "工程质量" in offer.text
    assert offer.labels == ["登记为问题"]

    sent = await bot.press(offer, "登记为问题", user="wang")
    card = next(s for s in sent if s.chat.chat_id == "住建局")
    assert card.text.startswith("📋 Q-2026-0001 · 工程质量")
    assert TEXT in card.text
    assert card.reply.photo == "tg-photo-1"
    assert card.labels == ["接单", "已解决", "转办", "更多…"]
    assert "Q-2026-0001" in offer.text  # the offer now says what it became
    assert offer.labels == []

    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.number, ticket.category, ticket.department) == (
            "Q-2026-0001",
            "construction",
            "housing",
        )
        assert ticket.source_chat == "memory:北部新城工程"
        assert ticket.photos[0]["ref"] == "tg-photo-1"
        assert ticket.status == "assigned"
        actions = (await s.scalars(select(TicketEvent.action))).all()
        assert actions == ["created"]


async def test_pressed_twice_and_by_someone_without_the_role(bot: BotHarness) -> None:
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p"])
    [refused] = await bot.press(offer, 1, user="passerby")
    assert "只有" in refused.text
    await bot.press(offer, 1, user="wang")
    [again] = await press_stale(bot, offer, 1, user="wang")
    assert "Q-2026-0001" in again.text
    async with bot.app.db.session() as s:
        assert len((await s.scalars(select(Ticket))).all()) == 1


async def test_plain_chatter_is_left_alone(bot: BotHarness) -> None:
    assert await bot.send("今天开会讨论混凝土进场", user="jian", chat="北部新城工程") == []
