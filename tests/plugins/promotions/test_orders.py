"""Story 3.4: 我要订购 opens a private dialog (quantity, city, phone); the order is stored with
the group the post came from, the stock reserved, the seller told; at zero stock every copy of
the post reads 已售罄 (Sold out). Leads, contacts, cancellations and bad input."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Lead, Order, Press, Product
from tests.plugins.promotions.story import (
    PLUGINS,
    SELLER,
    approve,
    config,
    draft_post,
    posts_in,
    product_id,
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


async def order(bot: BotHarness, buyer: str, group: str, *answers: str) -> list[Any]:
    """`buyer` presses Order now under the post in `group`, then answers in private."""
    [q] = await bot.press(posts_in(bot, group)[0], "Order now", user=buyer)
    out = [q]
    for a in answers:
        out += await bot.send(a, user=buyer)
    return out


async def stock(bot: BotHarness) -> int:
    async with bot.app.db.session() as s:
        return int(await s.scalar(select(Product.stock).where(Product.id == 1)) or 0)


async def test_an_order_in_private_stored_with_its_group_seller_told(bot: BotHarness) -> None:
    await publish(bot, stock="5000")
    [q] = await bot.press(posts_in(bot, "buyers-2")[0], "Order now", user="liu")
    assert q.chat.chat_id == "dm:liu"
    assert q.text == "How many 斤 of 通山鮰鱼 would you like? 5,000 斤 are left, at 12.5 元/斤."
    [city] = await bot.send("两千斤", user="liu")
    assert city.text == "Which city should it be delivered to?"
    [phone] = await bot.send("武汉", user="liu")
    [bad, _again] = await bot.send("12345", user="liu")
    assert "does not look like a mobile number" in bad.text
    [confirm] = await bot.send("138 0013 8000", user="liu")
    assert confirm.text == (
        "Please check your order: 2,000 斤 of 通山鮰鱼 at 12.5 元/斤, 25,000 元 in all, "
        "delivered to 武汉; phone 13800138000. Confirm?"
    )
    [done, seller] = await bot.press(confirm, "Confirm order", user="liu")
    assert done.text.startswith("Thank you! Order #1 is placed: 2,000 斤 of 通山鮰鱼.")
    assert done.labels == ["Cancel order"]
    assert seller.chat.chat_id == f"dm:{SELLER}"
    assert seller.text == (
        "New order #1: liu wants 2,000 斤 of 通山鮰鱼, to 武汉, phone 13800138000 "
        "(from the group buyers-2)."
    )
    assert seller.labels == ["Confirm", "Reject"]
    async with bot.app.db.session() as s:
        o = await s.get(Order, 1)
        assert o is not None
        assert (o.chat_id, o.quantity, o.city, o.phone, o.state) == (
            "buyers-2",
            2000,
            "武汉",
            "13800138000",
            "new",
        )
    assert await stock(bot) == 3000
    [confirmed, told] = await bot.press(seller, "Confirm", user=SELLER)
    assert confirmed.labels == ["Shipped"]
    assert told.chat.chat_id == "dm:liu" and "is now confirmed" in told.text
    [shipped, _] = await bot.press(confirmed, "Shipped", user=SELLER)
    assert shipped.text == "Order #1 is now shipped."
    [late] = await bot.press(done, "Cancel order", user="liu")
    assert late.text == "Order #1 is already shipped."


async def test_bad_quantities_are_asked_again_politely(bot: BotHarness) -> None:
    await publish(bot, stock="500")
    await order(bot, "liu", "buyers-1")
    [zero, _again] = await bot.send("0", user="liu")
    assert zero.text == "The quantity must be more than 0: for example 500."
    [words, _again] = await bot.send("很多", user="liu")
    assert words.text == "Please write one exact quantity, for example 500 斤."
    # more than the stock: told at once what is left, and asked again
    [sorry, ask] = await bot.send("一千斤", user="liu")
    assert sorry.text == (
        "Sorry, only 500 斤 are left now. Write “all” to take them all, or a quantity up to 500."
    )
    assert ask.text.startswith("How many 斤 of 通山鮰鱼 would you like?")
    await bot.send("400", user="liu")
    await bot.send("武汉", user="liu")
    [confirm] = await bot.send("13800138000", user="liu")
    # meanwhile 马 takes 200: at 刘's confirmation only 300 are left (city and phone kept)
    out = await order(bot, "ma", "buyers-2", "200", "长沙", "13900139000")
    await bot.press(out[-1], "Confirm order", user="ma")
    [sorry, ask] = await bot.press(confirm, "Confirm order", user="liu")
    assert sorry.text == "Sorry, only 300 斤 are left now."
    assert ask.text.startswith("How many 斤 of 通山鮰鱼 would you like? 300 斤 are left")
    [confirm] = await bot.send("300", user="liu")
    assert "300 斤" in confirm.text and "武汉" in confirm.text
    await bot.press(confirm, "Confirm order", user="liu")
    assert await stock(bot) == 0


async def test_sold_out_everywhere_then_back_after_a_cancellation(bot: BotHarness) -> None:
    await publish(bot, stock="1000")
    await order(bot, "liu", "buyers-1", "600", "武汉", "13800138000")
    out = await order(bot, "ma", "buyers-2", "400", "长沙", "13900139000")
    await bot.press(out[-1], "Confirm order", user="ma")
    assert await stock(bot) == 600  # liu has not confirmed yet: nothing reserved for liu
    [liu_confirm] = [s for s in bot.sent_to("dm:liu") if "Confirm order" in s.labels]
    await bot.press(liu_confirm, "Confirm order", user="liu")
    assert await stock(bot) == 0
    for group in ("buyers-1", "buyers-2"):
        [post] = posts_in(bot, group)
        assert post.labels == ["Sold out", "Interested", "Contact seller"]
        assert "Sold out. Thank you!" in post.text
    assert any("is sold out: every post now says so" in s.text for s in bot.sent_to("dm:seller"))
    [sorry] = await bot.press(posts_in(bot, "buyers-1")[0], "Sold out", user="zhao")
    assert sorry.text == "Sorry, 通山鮰鱼 is sold out." and sorry.chat.chat_id == "dm:zhao"
    # ma cancels: the stock comes back and the posts take orders again
    [done] = [s for s in bot.sent_to("dm:ma") if "Cancel order" in s.labels]
    [cancelled, seller_told] = await bot.press(done, "Cancel order", user="ma")
    assert cancelled.text == "Order #1 is now cancelled."
    assert seller_told.chat.chat_id == "dm:seller"
    assert await stock(bot) == 400
    for group in ("buyers-1", "buyers-2"):
        assert posts_in(bot, group)[0].labels == ["Order now", "Interested", "Contact seller"]
    [again] = await bot.press(done, "Cancel order", user="ma")
    assert again.text == "Order #1 is already cancelled."


async def test_interested_is_a_lead_once_and_contact_shows_what_the_seller_allowed(
    bot: BotHarness,
) -> None:
    await publish(bot)
    post = posts_in(bot, "buyers-1")[0]
    [thanks, note] = await bot.press(post, "Interested", user="zhao")
    assert thanks.chat.chat_id == "dm:zhao" and "will contact you" in thanks.text
    assert note.text == "New lead: zhao is interested in 通山鮰鱼 (group buyers-1)."
    [twice] = await bot.press(post, "Interested", user="zhao")
    assert "already told us" in twice.text
    [contact] = await bot.press(post, "Contact seller", user="zhao")
    assert contact.text == "Contact for 通山鮰鱼: 13800138000"
    async with bot.app.db.session() as s:
        assert len((await s.scalars(select(Lead))).all()) == 1
        assert len((await s.scalars(select(Press))).all()) == 3


async def test_a_private_seller_contact_is_not_shown(bot: BotHarness) -> None:
    await bot.send("/product", user=SELLER)
    for answer in ("高山茶", None, "斤", None, "200", "500", "福建"):
        if answer is None:
            [ask] = bot.sent_to(f"dm:{SELLER}")[-1:]
            await bot.press(ask, "Skip", user=SELLER)
        else:
            await bot.send(answer, user=SELLER)
    [ask] = bot.sent_to(f"dm:{SELLER}")[-1:]
    await bot.press(ask, "Skip", user=SELLER)
    await draft_post(bot, await product_id(bot, "高山茶"), when="现在")
    await approve(bot)
    await bot.advance(timedelta(seconds=1))
    [contact] = await bot.press(posts_in(bot, "buyers-1")[0], "Contact seller", user="zhao")
    assert "keeps their contact private" in contact.text


async def test_the_same_buttons_pressed_twice_never_double_an_order(bot: BotHarness) -> None:
    await publish(bot, stock="5000")
    post = posts_in(bot, "buyers-1")[0]
    await bot.press(post, "Order now", user="liu")
    [again] = await bot.press(post, "Order now", user="liu")  # starts over, nothing doubled
    assert again.text.startswith("How many 斤 of 通山鮰鱼")
    out = await order(bot, "liu", "buyers-1", "100", "武汉", "13800138000")
    await bot.press(out[-1], "Confirm order", user="liu")
    [late] = await bot.press(out[-1], "Confirm order", user="liu")
    assert late.text == "This conversation has already ended."
    async with bot.app.db.session() as s:
        assert len((await s.scalars(select(Order))).all()) == 1
    assert await stock(bot) == 4900
    [seller_note] = [s for s in bot.sent_to(f"dm:{SELLER}") if s.labels == ["Confirm", "Reject"]]
    await bot.press(seller_note, "Confirm", user=SELLER)
    [twice] = await bot.press(seller_note, "Confirm", user=SELLER)
    assert twice.text == "Order #1 is already confirmed."


async def test_a_buyer_the_bot_may_not_write_to_yet_is_told_under_the_post(
    bot: BotHarness,
) -> None:
    """On Telegram the bot may not write first to someone who never wrote to it: the order's
    questions would never arrive. The buyer is told under the post what to do."""
    await publish(bot, stock="5000")
    bot.adapter.writes_first = False  # as on Telegram
    post = posts_in(bot, "buyers-1")[0]
    [note] = await bot.press(post, "Order now", user="zhao")
    assert note.chat.chat_id == "buyers-1" and note.reply.reply_to == post.message_id
    assert note.text == (
        "zhao, I cannot write to you in private yet: open a private chat with me and press "
        "Start, then press “Order now” again."
    )
    assert note.reply.mentions == ("memory:zhao",)
    [note] = await bot.press(post, "Contact seller", user="zhao")
    assert note.text.endswith("then press “Contact seller” again.")
    await bot.send("/start", user="zhao")  # zhao opens the private chat
    [question] = await bot.press(post, "Order now", user="zhao")
    assert question.chat.chat_id == "dm:zhao" and question.text.startswith("How many 斤")
