"""Buttons posted before the plugin declared its button data (`promotions.buttons`) still work:
each family packs to the string the hand-written code made, and data written that way, pressed
under an approval request, a post in a group or an order, does what it did."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.model._events import ButtonPress
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.promotions.buttons import (
    Approve,
    Draft,
    OnOrder,
    OnPost,
    OrderStep,
    PostAction,
    Reject,
)
from qunzhu.plugins.promotions.models import Order, Post
from tests.plugins.promotions.story import (
    APPROVER,
    PLUGINS,
    config,
    draft_post,
    enter_product,
    posts_in,
    product_id,
)


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config()


def test_every_family_packs_as_the_hand_written_data_did() -> None:
    packed = {
        OnPost(PostAction.ORDER, 7): "promotions:order:7",
        OnPost(PostAction.SIGNUP, 7): "promotions:signup:7",
        OnPost(PostAction.LEAD, 7): "promotions:lead:7",
        OnPost(PostAction.CONTACT, 7): "promotions:contact:7",
        OnPost(PostAction.SOLD_OUT, 7): "promotions:sold_out:7",
        Approve(7): "promotions:approve:7",
        Reject(7): "promotions:reject:7",
        Draft(2): "promotions:draft:2",
        OnOrder(OrderStep.CONFIRM, 3): "promotions:ord:confirm:3",
        OnOrder(OrderStep.SHIP, 3): "promotions:ord:ship:3",
        OnOrder(OrderStep.REJECT, 3): "promotions:ord:reject:3",
        OnOrder(OrderStep.CANCEL, 3): "promotions:ord:cancel:3",
    }
    for data, wire in packed.items():
        assert data.pack() == wire
        assert type(data).unpack(wire) == data


async def _press(bot: BotHarness, sent: Sent, data: str, *, user: str) -> list[Sent]:
    """Press a button carrying `data`, written as the old code wrote it, under `sent`."""
    press = ButtonPress(bot.next_id(), sent.chat, bot.user(user), sent.message_id, data)
    return await bot.feed(press)


async def test_a_post_and_an_order_posted_before_the_upgrade_still_work(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot))
    [ask] = [s for s in bot.sent_to(f"dm:{APPROVER}") if "Approve" in s.labels]
    async with bot.app.db.session() as s:
        post_id = await s.scalar(select(Post.id))
    await _press(bot, ask, f"promotions:approve:{post_id}", user=APPROVER)
    await bot.advance(timedelta(hours=1))
    [post] = posts_in(bot, "buyers-1")
    [contact] = await _press(bot, post, f"promotions:contact:{post_id}", user="zhao")
    assert contact.text == "Contact for 通山鮰鱼: 13800138000"
    [q] = await _press(bot, post, f"promotions:order:{post_id}", user="liu")
    assert q.chat.chat_id == "dm:liu" and q.text.startswith("How many 斤 of 通山鮰鱼")
    await bot.send("两千斤", user="liu")
    await bot.send("武汉", user="liu")
    [confirm] = await bot.send("138 0013 8000", user="liu")
    [done, _seller] = await bot.press(confirm, "Confirm order", user="liu")
    async with bot.app.db.session() as s:
        order_id = await s.scalar(select(Order.id))
    [cancelled, _told] = await _press(bot, done, f"promotions:ord:cancel:{order_id}", user="liu")
    assert cancelled.text == f"Order #{order_id} is now cancelled."
    assert await _press(bot, post, "promotions:order:x", user="liu") == []  # left alone
