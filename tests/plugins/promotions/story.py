"""Shared set-up of the promotion stories: a seller, an approver, buyer groups, and helpers that
play the seller's and the approver's part through the real dispatcher."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins import promotions
from qunzhu.plugins.promotions.models import Product

PLUGINS = [("promotions", promotions)]
SELLER = "seller"
APPROVER = "approver"


def config(
    groups: dict[str, dict[str, Any]] | None = None, *, language: str = "en", **plugin: Any
) -> dict[str, Any]:
    """The YAML as a dict: the seller 张老板, the approver 王科长, and `groups` (chat name →
    the group's promotions settings)."""
    groups = groups if groups is not None else {"buyers-1": {"opt_in": True, "tags": ["buyers"]}}
    return {
        "bot": {"language": language},
        "people": [
            {"name": "张老板", "identities": [f"memory:{SELLER}"], "roles": ["seller"]},
            {"name": "王科长", "identities": [f"memory:{APPROVER}"], "roles": ["approver"]},
        ],
        "plugins": {"promotions": plugin},
        "chats": {
            f"memory:{name}": {"plugins": {"promotions": settings}}
            for name, settings in groups.items()
        },
    }


async def enter_product(
    bot: BotHarness,
    *,
    name: str = "通山鮰鱼",
    unit: str = "斤",
    price: str = "12.5",
    stock: str = "2000000",
    contact: str = "13800138000",
    conversions: str | None = None,
) -> list[Sent]:
    """The seller's /product dialog in private (no other units unless `conversions` says, as a
    seller writes them: "1条约4.5斤, 1箱=20斤"); returns the last answers."""
    await bot.send("/product", user=SELLER)
    await bot.send(name, user=SELLER)
    await bot.send("", user=SELLER, photos=["catfish.jpg"])
    [ask] = await bot.send(unit, user=SELLER)
    if conversions is None:
        await bot.press(ask, ask.labels[0], user=SELLER)  # Skip, in the seller's language
    else:
        await bot.send(conversions, user=SELLER)
    await bot.send(price, user=SELLER)
    await bot.send(stock, user=SELLER)
    await bot.send("湖北通山", user=SELLER)
    return await bot.send(contact, user=SELLER)


async def product_id(bot: BotHarness, name: str = "通山鮰鱼") -> int:
    async with bot.app.db.session() as s:
        found = await s.scalar(select(Product.id).where(Product.name == name))
    assert found is not None
    return int(found)


async def draft_post(
    bot: BotHarness, pid: int, *, text: str = "4-5斤一条，鲜活直发", tags: str = "buyers tourism",
    when: str = "10:00", repeat: str | int | None = 1,
) -> list[Sent]:  # fmt: skip
    """The seller's /promote dialog; `repeat`: the answer to "Should it repeat?" (a button's
    number, 1 = only once, or typed text; None when `when` already says it repeats)."""
    await bot.send(f"/promote {pid}", user=SELLER)
    await bot.send(text, user=SELLER)
    await bot.send(tags, user=SELLER)
    answers = await bot.send(when, user=SELLER)
    if repeat is None:
        return answers
    if isinstance(repeat, int):
        return await bot.press(answers[-1], repeat, user=SELLER)
    return await bot.send(repeat, user=SELLER)


async def approve(bot: BotHarness) -> list[Sent]:
    """The approver presses Approve under the latest request."""
    ask = [s for s in bot.sent_to(f"dm:{APPROVER}") if "Approve" in s.labels or "批准" in s.labels]
    return await bot.press(ask[-1], 1, user=APPROVER)


async def publish(bot: BotHarness, **kwargs: Any) -> int:
    """Product entered, post drafted for 10:00, approved, and the clock moved to 10:00."""
    await enter_product(bot, **kwargs)
    pid = await product_id(bot, kwargs.get("name", "通山鮰鱼"))
    await draft_post(bot, pid)
    await approve(bot)
    await bot.advance(timedelta(hours=1))
    return pid


def posts_in(bot: BotHarness, group: str) -> list[Sent]:
    return [s for s in bot.sent_to(group) if s.buttons]
