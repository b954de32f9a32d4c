"""Story 3.8 (issue 15, item 6): the county secretary, head of his unit, shares the approved
post to the groups he runs; the orders from there count for him too; a group that opts in
while the post runs receives it, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Order
from tests.plugins.promotions.story import PLUGINS, SELLER, config, posts_in, publish

SECRETARY = "secretary"
GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "county": {"name": "通山县工作群"},  # never opted in: its head shares to it all the same
    "town": {"name": "南林桥镇群"},
    "late-1": {"tags": ["buyers"], "admins": ["memory:boss"]},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return _config()


def _config(**plugin: Any) -> dict[str, Any]:
    found = config(GROUPS, **plugin)
    found["people"].append({"name": "李书记", "identities": [f"memory:{SECRETARY}"]})
    found["people"].append({"name": "赵群主", "identities": ["memory:boss"], "roles": ["sharer"]})
    found["org"] = {
        "county": {"name": "通山县", "head": f"memory:{SECRETARY}", "chats": ["memory:county"]},
        "town": {"name": "南林桥镇", "parent": "county", "chats": ["memory:town"]},
    }
    return found


async def _order(bot: BotHarness, post: Any, buyer: str, quantity: str) -> list[Any]:
    await bot.press(post, "Order now", user=buyer)
    for answer in (quantity, "武汉", "13912345678"):
        [confirm] = (await bot.send(answer, user=buyer))[-1:]
    return await bot.press(confirm, "Confirm order", user=buyer)


async def test_the_secretary_shares_the_post_to_his_groups_and_sells(bot: BotHarness) -> None:
    await publish(bot, stock="100000")
    assert posts_in(bot, "county") == posts_in(bot, "town") == []

    [menu] = await bot.send("/share", user=SECRETARY)
    assert menu.text == "Which promotion would you like to share?"
    assert menu.labels == ["#1 通山鮰鱼"]
    [pick] = await bot.press(menu, 1, user=SECRETARY)
    assert pick.text == "Share promotion #1 “通山鮰鱼” to which of your groups?"
    assert pick.labels == ["南林桥镇群", "通山县工作群", "All (2)"]
    answers = await bot.press(pick, "All (2)", user=SECRETARY)
    [told] = [s for s in answers if s.chat.chat_id == f"dm:{SECRETARY}"]
    assert told.text == (
        "Promotion #1 “通山鮰鱼”, shared to your groups:\n"
        "· 南林桥镇群: posted now\n· 通山县工作群: posted now"
    )
    [author] = [s for s in answers if s.chat.chat_id == f"dm:{SELLER}"]
    assert author.text == (
        "李书记 shared promotion #1 “通山鮰鱼” to 2 of their groups: 南林桥镇群, 通山县工作群. "
        "Orders from there are counted for them too (/stats 1)."
    )
    [town_post] = posts_in(bot, "town")
    assert town_post.labels == ["Order now", "Interested", "Contact seller"]
    assert len(posts_in(bot, "county")) == 1

    [again] = await bot.send("/转发 P-1", user=SECRETARY)  # never twice to a group
    assert again.text == "All your groups already have promotion #1 “通山鮰鱼”."
    [twice] = await bot.press(pick, "南林桥镇群", user=SECRETARY)
    assert twice.text == "南林桥镇群 already has promotion #1 “通山鮰鱼”."
    assert len(posts_in(bot, "town")) == 1

    [refused] = await bot.send("/share 1", user="someone")
    assert refused.text == (
        "Only officials with the sharer role, or the heads of units, can share promotions."
    )

    await _order(bot, town_post, "buyer", "500")
    await _order(bot, posts_in(bot, "buyers-1")[0], "other", "100")
    [note] = [s for s in bot.sent_to(f"dm:{SELLER}") if "New order #1" in s.text]
    assert note.text == (
        "New order #1: buyer wants 500 斤 of 通山鮰鱼, to 武汉, phone 13912345678 (from the "
        "group 南林桥镇群, shared by 李书记)."
    )
    async with bot.app.db.session() as s:
        orders = (await s.scalars(select(Order).order_by(Order.id))).all()
        assert [o.shared_by for o in orders] == [f"memory:{SECRETARY}", ""]

    [detail] = await bot.send("/stats 1", user=SELLER)
    lines = detail.text.splitlines()
    assert lines[0] == (
        "#1 通山鮰鱼: delivered 3 · presses 2 · leads 0 · orders 2 · 600 斤 ordered · 7,500 元 · "
        "orders within 24 hours 2"
    )
    assert (
        "· 南林桥镇群: delivered 1 · presses 1 · leads 0 · orders 1 · 500 斤 ordered · "
        "6,250 元 · orders within 24 hours 1"
    ) in lines
    assert lines[-2:] == ["Per sharer:", "· 李书记: orders 1 · 500 斤 · 6,250 元"]

    [mine] = await bot.send("/stats 1", user=SECRETARY)  # only the groups he shared it to
    assert mine.text.splitlines() == [
        "#1 通山鮰鱼: (the groups you shared it to) delivered 2 · presses 1 · leads 0 · orders 1 "
        "· 500 斤 ordered · 6,250 元 · orders within 24 hours 1",
        "Per group:",
        "· 南林桥镇群: delivered 1 · presses 1 · leads 0 · orders 1 · 500 斤 ordered · 6,250 元 · "
        "orders within 24 hours 1",
        "· 通山县工作群: delivered 1 · presses 0 · leads 0 · orders 0 · 0 斤 ordered · 0 元 · "
        "orders within 24 hours 0",
        "Per sharer:",
        "· 李书记: orders 1 · 500 斤 · 6,250 元",
    ]
    # a buyer's phone reaches the seller only: never a group, never the sharer
    for chat in ("buyers-1", "town", "county", f"dm:{SECRETARY}"):
        assert not [s for s in bot.sent_to(chat) if "13912345678" in s.text], chat


async def test_a_group_that_opts_in_while_the_post_runs_receives_it_once(
    bot: BotHarness,
) -> None:
    await publish(bot, stock="100000")
    assert posts_in(bot, "late-1") == []
    answers = await bot.send("/promotions on", user="boss", chat="late-1")
    [on] = [s for s in answers if not s.buttons]
    assert on.text.splitlines()[0] == "This group receives promotions."
    assert on.text.splitlines()[-2:] == [
        "Running promotions this group receives as well:",
        "· #1 通山鮰鱼: now",
    ]
    [copy] = posts_in(bot, "late-1")
    assert copy.text.startswith("【通山鮰鱼】")
    await bot.send("/promotions off", user="boss", chat="late-1")
    [again] = await bot.send("/promotions on", user="boss", chat="late-1")  # no second copy
    assert "Running promotions" not in again.text
    assert len(posts_in(bot, "late-1")) == 1


async def test_a_group_whose_admins_said_no_is_not_sent_a_share(bot: BotHarness) -> None:
    """赵群主 has the sharer role and runs late-1 (its admins: him); once the group said
    /promotions off, a share to it is skipped and he is told why."""
    await publish(bot, stock="100000")
    await bot.send("/promotions off", user="boss", chat="late-1")
    [pick] = await bot.send("/share 1", user="boss")
    assert pick.labels == ["late-1"]
    answers = await bot.press(pick, "late-1", user="boss")
    assert [s.text for s in answers] == [
        "Promotion #1 “通山鮰鱼”, shared to your groups:\n· late-1: not sent (not opted in)"
    ]  # and the author is not told of a share that went nowhere
    assert posts_in(bot, "late-1") == []


async def test_the_secretary_is_told_of_the_orders_from_his_groups_together(
    bot: BotHarness,
) -> None:
    """Orders through his share reach him in one message per half hour at most: the post, the
    group and the quantity; never who ordered nor their phone."""
    await publish(bot, stock="100000")
    [pick] = await bot.send("/share 1", user=SECRETARY)
    await bot.press(pick, "All (2)", user=SECRETARY)
    [town], [county] = posts_in(bot, "town"), posts_in(bot, "county")
    dm = f"dm:{SECRETARY}"
    before = len(bot.sent_to(dm))
    await _order(bot, town, "buyer", "500")
    await _order(bot, town, "other", "200")
    await _order(bot, county, "third", "100")
    await _order(bot, posts_in(bot, "buyers-1")[0], "fourth", "50")  # the broadcast's group
    assert len(bot.sent_to(dm)) == before  # not one message per order
    [told] = [s for s in await bot.advance(timedelta(minutes=30)) if s.chat.chat_id == dm]
    assert told.text == (
        "New orders through your shares:\n"
        "· #1 “通山鮰鱼” in 南林桥镇群: orders 2 · 700 斤\n"
        "· #1 “通山鮰鱼” in 通山县工作群: orders 1 · 100 斤\n"
        "Your figures: /stats"
    )
    await _order(bot, county, "fifth", "10")
    [told] = [s for s in await bot.advance(timedelta(minutes=30)) if s.chat.chat_id == dm]
    assert told.text == (
        "New order through your share: #1 “通山鮰鱼” in 通山县工作群, 10 斤. Your figures: /stats 1"
    )
    await _order(bot, town, "sixth", "20")
    [placed] = [s for s in bot.sent_to("dm:sixth") if "Cancel order" in s.labels]
    await bot.press(placed, "Cancel order", user="sixth")
    assert not [s for s in await bot.advance(timedelta(hours=1)) if s.chat.chat_id == dm]
    assert not [s for s in bot.sent_to(dm) if "13912345678" in s.text or "buyer" in s.text]


async def test_a_sharer_the_bot_may_not_write_to_first_is_asked_to_write_once(
    bot: BotHarness,
) -> None:
    """As on Telegram: the bot may write only to people who wrote to it in private. The
    secretary shares from a group; he is asked to write once, and told of orders after."""
    await publish(bot, stock="100000")
    bot.adapter.writes_first = False
    [pick] = await bot.send("/share 1", user=SECRETARY, chat="county")
    answers = await bot.press(pick, "All (2)", user=SECRETARY)
    [done] = [s for s in answers if s.chat.chat_id == "county" and not s.buttons]
    assert done.text.splitlines()[-1] == (
        "To be told of the orders from these groups, send me a private message once."
    )
    dm = f"dm:{SECRETARY}"
    for buyer in ("buyer", "other"):  # they too must have written to the bot in private
        await bot.send("/help", user=buyer)
    await _order(bot, posts_in(bot, "town")[0], "buyer", "500")
    assert not [s for s in await bot.advance(timedelta(minutes=30)) if s.chat.chat_id == dm]
    await bot.send("/stats 1", user=SECRETARY)  # now he has written in private
    await _order(bot, posts_in(bot, "town")[0], "other", "300")
    [told] = [s for s in await bot.advance(timedelta(minutes=30)) if s.chat.chat_id == dm]
    assert told.text.startswith(
        "New order through your share: #1 “通山鮰鱼” in 南林桥镇群, 300 斤."
    )


async def test_the_orders_of_the_night_reach_the_secretary_in_the_morning(tmp_path: Any) -> None:
    """The plugin's quiet hours (22:00-08:00) hold his notices too: an order at 22:10 is told
    at 08:00, with the others of the night, in one message."""
    bot = await BotHarness.create(
        workdir=tmp_path, config=_config(quiet_hours=["22:00-08:00"]), plugins=PLUGINS
    )
    try:
        await publish(bot, stock="100000")  # 10:00
        [pick] = await bot.send("/share 1", user=SECRETARY)
        await bot.press(pick, "All (2)", user=SECRETARY)
        await bot.advance(timedelta(hours=12, minutes=10))  # 22:10
        await _order(bot, posts_in(bot, "town")[0], "buyer", "500")
        await bot.advance(timedelta(hours=3))
        await _order(bot, posts_in(bot, "county")[0], "other", "100")
        dm = f"dm:{SECRETARY}"
        night = await bot.advance(timedelta(hours=6, minutes=49))  # 07:59
        assert not [s for s in night if s.chat.chat_id == dm]
        [told] = [s for s in await bot.advance(timedelta(minutes=1)) if s.chat.chat_id == dm]
        assert told.text.splitlines()[1:3] == [
            "· #1 “通山鮰鱼” in 南林桥镇群: orders 1 · 500 斤",
            "· #1 “通山鮰鱼” in 通山县工作群: orders 1 · 100 斤",
        ]
    finally:
        await bot.close()
