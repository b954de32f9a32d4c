"""Buttons posted before the plugin declared its button data (`complaints.buttons`) still work:
each family packs to the string the hand-written code made, and data written that way, pressed
on a card or an offer in a group, does what it did."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core import MAX_BUTTON_DATA
from qunzhu.core.model._events import ButtonPress
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.buttons import (
    Acknowledge,
    Feedback,
    File,
    MeToo,
    More,
    NewProblem,
    Page,
    Reassign,
    Resolve,
    Start,
    TicketList,
    Urge,
)
from qunzhu.plugins.complaints.models import Pending, Ticket

from .conftest import only

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


def test_every_family_packs_as_the_hand_written_data_did() -> None:
    packed = {
        Acknowledge(12): "complaints:ack:12",
        Start(12): "complaints:start:12",
        Resolve(12): "complaints:resolve:12",
        Reassign(12): "complaints:reassign:12",
        More(12): "complaints:more:12",
        Urge(12): "complaints:urge:12",
        File(3): "complaints:file:3",
        MeToo(3, 12): "complaints:metoo:3:12",
        NewProblem(3): "complaints:new:3",
        Feedback(12, "yes"): "complaints:fb:12:yes",
        Feedback(12, "5"): "complaints:fb:12:5",
        Page(TicketList.DEPARTMENT, 2): "complaints:page:department:2",
    }
    for data, wire in packed.items():
        assert data.pack() == wire
        assert type(data).unpack(wire) == data
    big = MeToo(2**63 - 1, 2**63 - 1).pack()  # the largest ids still fit Telegram's limit
    assert len(big.encode()) <= MAX_BUTTON_DATA


async def _press(bot: BotHarness, sent: Sent, data: str, *, user: str) -> list[Sent]:
    """Press a button carrying `data`, written as the old code wrote it, under `sent`."""
    press = ButtonPress(bot.next_id(), sent.chat, bot.user(user), sent.message_id, data)
    return await bot.feed(press)


async def test_an_offer_and_a_card_posted_before_the_upgrade_still_work(bot: BotHarness) -> None:
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程")
    async with bot.app.db.session() as s:
        pending = await s.scalar(select(Pending.id))
    await _press(bot, offer, f"complaints:file:{pending}", user="wang")
    [card] = bot.sent_to("住建局")
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket.id))
    sent = await _press(bot, card, f"complaints:ack:{ticket}", user="lina")
    assert only(sent, "住建局").text == "李娜 已接单 Q-2026-0001。"
    assert card.labels == ["处理中", "已解决", "转办", "更多…"]
    [page] = await _press(bot, card, "complaints:page:mine:1", user="jian")
    assert page.text.startswith("工单（我的），第 1/1 页：\nQ-2026-0001 · 已接单")
    [stale] = await _press(bot, card, "complaints:ack:Q-2026-0001", user="lina")
    assert stale.text == "这个按钮已失效，请重新开始。"
