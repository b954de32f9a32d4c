"""Stories 3.1, 3.5 and 3.6: the seller enters the product; the seller's /stats after a
simulated day; a festival (杜鹃花节) promoted with the same posts, without stock."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Order, Post, Product
from tests.plugins.promotions.story import (
    PLUGINS,
    SELLER,
    approve,
    config,
    posts_in,
    publish,
)

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "buyers-2": {"opt_in": True, "tags": ["buyers"]},
    "tourism-1": {"opt_in": True, "tags": ["tourism"]},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(GROUPS)


async def test_the_seller_enters_a_product_in_private(bot: BotHarness) -> None:
    [moved, first] = await bot.send("/product", user=SELLER, chat="buyers-1")
    assert first.chat.chat_id == f"dm:{SELLER}"
    assert moved.text == "I have written to you privately to enter the product."
    await bot.send("通山鮰鱼", user=SELLER)
    await bot.send("", user=SELLER, photos=["catfish.jpg", "catfish2.jpg"])
    [ask] = await bot.send("斤", user=SELLER)
    await bot.press(ask, "Skip", user=SELLER)  # no other units
    [bad, _again] = await bot.send("便宜", user=SELLER)
    assert bad.text == "Please write the price as a number of yuan, for example 12.5."
    await bot.send("12.5元", user=SELLER)
    [bad, _again] = await bot.send("0", user=SELLER)
    assert bad.text == "The quantity must be more than 0: for example 500."
    await bot.send("200万", user=SELLER)
    await bot.send("湖北通山", user=SELLER)
    [saved] = await bot.send("13800138000", user=SELLER)
    assert saved.text.startswith("Saved product #1: 通山鮰鱼, 12.5 元/斤, 2,000,000 斤 available.")
    assert saved.labels == ["Draft a promotion"]
    async with bot.app.db.session() as s:
        p = await s.get(Product, 1)
        assert p is not None
        assert (p.price_fen, p.stock, p.origin, p.contact, p.seller, p.seller_name) == (
            1250,
            2_000_000,
            "湖北通山",
            "13800138000",
            "memory:seller",
            "张老板",
        )
        assert p.photos == ["catfish.jpg", "catfish2.jpg"]
    [listing] = await bot.send("/products", user=SELLER)
    assert "#1 通山鮰鱼: 12.5 元/斤, 2,000,000 斤 left" in listing.text
    [draft] = await bot.press(saved, "Draft a promotion", user=SELLER)
    assert draft.text.startswith("Write the text of the post")


async def test_only_sellers_enter_products(bot: BotHarness) -> None:
    [refused] = await bot.send("/product", user="somebody")
    assert "seller" in refused.text


async def test_stats_after_a_simulated_day(bot: BotHarness) -> None:
    await publish(bot, stock="100000")  # 10:00, to the groups tagged buyers and tourism
    one, two = posts_in(bot, "buyers-1")[0], posts_in(bot, "buyers-2")[0]
    for buyer in ("a", "b", "c"):
        await bot.press(one, "Interested", user=buyer)
    await bot.press(one, "Interested", user="a")  # twice: one lead, two presses
    await bot.press(two, "Interested", user="d")

    async def order(post: Any, buyer: str, quantity: str) -> None:
        await bot.press(post, "Order now", user=buyer)
        for answer in (quantity, "武汉", "13800138000"):
            [confirm] = (await bot.send(answer, user=buyer))[-1:]
        await bot.press(confirm, "Confirm order", user=buyer)

    await bot.advance(timedelta(hours=2))
    await order(one, "a", "500")
    await order(one, "b", "1000")
    await order(two, "e", "两千斤")
    await bot.advance(timedelta(hours=23))  # the next day, 11:00: past 24 hours
    await order(two, "f", "300")
    await order(one, "g", "100")
    [cancel] = [s for s in bot.sent_to("dm:g") if "Cancel order" in s.labels]
    await bot.press(cancel, "Cancel order", user="g")  # a cancelled order does not count

    [summary] = await bot.send("/stats", user=SELLER)
    assert summary.text.splitlines()[0] == (
        "#1 通山鮰鱼: delivered 3 · presses 10 · leads 4 · orders 4 · 3,800 斤 ordered · "
        "47,500 元 · orders within 24 hours 3"
    )
    [detail] = await bot.send("/统计 1", user=SELLER)
    lines = detail.text.splitlines()
    assert lines[2] == (
        "· buyers-1: delivered 1 · presses 7 · leads 3 · orders 2 · 1,500 斤 ordered · "
        "18,750 元 · orders within 24 hours 2"
    )
    assert lines[3] == (
        "· buyers-2: delivered 1 · presses 3 · leads 1 · orders 2 · 2,300 斤 ordered · "
        "28,750 元 · orders within 24 hours 1"
    )
    [other] = await bot.send("/stats 1", user="a")
    assert other.text == "There is no promotion #1 of yours."
    async with bot.app.db.session() as s:
        orders = (await s.scalars(select(Order).order_by(Order.id))).all()
        assert [(o.chat_id, o.quantity, o.state) for o in orders] == [
            ("buyers-1", 500, "new"),
            ("buyers-1", 1000, "new"),
            ("buyers-2", 2000, "new"),
            ("buyers-2", 300, "new"),
            ("buyers-1", 100, "cancelled"),
        ]


async def test_a_festival_is_promoted_without_stock(bot: BotHarness) -> None:
    await bot.send("/活动", user=SELLER)
    await bot.send("杜鹃花节", user=SELLER)
    await bot.send("4月20日起，九宫山杜鹃花节，门票半价", user=SELLER)
    await bot.send("", user=SELLER, photos=["azalea.jpg"])
    [ask] = await bot.send("0715-1234567", user=SELLER)
    assert ask.text.startswith("Which groups should receive it?")
    await bot.send("tourism", user=SELLER)
    [repeat] = await bot.send("现在", user=SELLER)
    assert repeat.labels == [
        "Only once",
        "Every day for a week",
        "Every week for 4 weeks",
        "Cancel",
    ]
    await bot.press(repeat, "Only once", user=SELLER)
    await approve(bot)
    await bot.advance(timedelta(seconds=1))
    [post] = posts_in(bot, "tourism-1")
    assert post.labels == ["Sign up", "Interested", "Contact organiser"]
    assert post.reply.photo == "azalea.jpg"
    assert "杜鹃花节" in post.text and "Available" not in post.text
    assert posts_in(bot, "buyers-1") == []
    [q] = await bot.press(post, "Sign up", user="liu")
    assert q.text == "How many people will come to 杜鹃花节?"
    await bot.send("3", user="liu")
    [done, note] = await bot.send("13800138000", user="liu")
    assert done.text == "Thank you! You are signed up for 杜鹃花节 (3 people), number #1."
    assert note.chat.chat_id == f"dm:{SELLER}"
    assert note.text == (
        "New sign-up #1 for 杜鹃花节: liu, 3 people, phone 13800138000 (from the group tourism-1)."
    )
    [contact] = await bot.press(post, "Contact organiser", user="liu")
    assert contact.text == "Contact for 杜鹃花节: 0715-1234567"
    await bot.advance(timedelta(minutes=5))
    [stats] = await bot.send("/stats", user=SELLER)
    assert "delivered 1 · presses 2 · leads 0 · orders 1 · 3 people ordered" in stats.text
    async with bot.app.db.session() as s:
        assert (await s.get(Post, 1)).kind == "event"  # type: ignore[union-attr]
