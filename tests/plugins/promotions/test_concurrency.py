"""Concurrent orders racing for the last units: the stock stays exact and never negative, on
SQLite and on PostgreSQL; and the story's end-to-end order on both backends."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from qunzhu.core import ButtonPress
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Order, Product
from qunzhu.plugins.promotions.stock import reserve
from tests.conftest import create_pg_database, drop_pg_database
from tests.plugins.promotions.story import PLUGINS, config, posts_in, publish

GROUPS = {f"buyers-{i}": {"opt_in": True, "tags": ["buyers"]} for i in range(4)}


@contextlib.asynccontextmanager
async def promo_bot(backend: str, workdir: Path) -> AsyncIterator[BotHarness]:
    settings: dict[str, Any] = config(GROUPS)
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        settings["database"] = {"url": url}
    bot = await BotHarness.create(workdir=workdir, config=settings, plugins=PLUGINS)
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def totals(bot: BotHarness) -> tuple[int, int, int]:
    async with bot.app.db.session() as s:
        left = int(await s.scalar(select(Product.stock).where(Product.id == 1)) or 0)
        n = int(await s.scalar(select(func.count()).select_from(Order)) or 0)
        ordered = int(await s.scalar(select(func.sum(Order.quantity))) or 0)
    return left, n, ordered


async def test_buyers_confirming_at_once_never_oversell(backend: str, tmp_path: Path) -> None:
    async with promo_bot(backend, tmp_path) as bot:
        await publish(bot, stock="1000")
        buyers = [f"buyer{i}" for i in range(8)]
        confirms = []
        for i, buyer in enumerate(buyers):
            group = f"buyers-{i % 4}"
            await bot.press(posts_in(bot, group)[0], "Order now", user=buyer)
            await bot.send("300", user=buyer)
            await bot.send("武汉", user=buyer)
            [confirm] = await bot.send("13800138000", user=buyer)
            confirms.append(confirm)
        presses = [
            ButtonPress(bot.next_id(), c.chat, bot.user(b), c.message_id, c.button(1).data)
            for b, c in zip(buyers, confirms, strict=True)
        ]
        await asyncio.gather(*(bot.app.receive(p) for p in presses))
        await bot.app.settle()
        left, n, ordered = await totals(bot)
        assert (left, n, ordered) == (100, 3, 900)
        told = [s.text for b in buyers for s in bot.sent_to(f"dm:{b}")]
        assert sum("Sorry, only 100 斤 are left now." in t for t in told) == 5


async def test_reservations_in_parallel_transactions(backend: str, tmp_path: Path) -> None:
    """20 transactions at once, each taking 7 of 100: exactly 14 succeed, 2 remain."""
    async with promo_bot(backend, tmp_path) as bot:
        await publish(bot, stock="100")
        db = bot.app.db

        async def take() -> bool:
            async with db.session() as s, s.begin():
                left = await reserve(s, 1, 7)
                await asyncio.sleep(0.01)  # hold the row while the others queue behind it
                return left is not None

        results = await asyncio.gather(*(take() for _ in range(20)))
        left, _, _ = await totals(bot)
        assert (sum(results), left) == (14, 2)


async def test_story_end_to_end_on_both_backends(backend: str, tmp_path: Path) -> None:
    """Publish, order 两千斤 from a group, sold out everywhere, stats for the seller."""
    async with promo_bot(backend, tmp_path) as bot:
        await publish(bot, stock="2000")
        await bot.press(posts_in(bot, "buyers-2")[0], "Order now", user="liu")
        for answer in ("两千斤", "武汉", "13800138000"):
            [confirm] = (await bot.send(answer, user="liu"))[-1:]
        await bot.press(confirm, "Confirm order", user="liu")
        for i in range(4):
            assert posts_in(bot, f"buyers-{i}")[0].labels[0] == "Sold out"
        await bot.advance(timedelta(hours=1))
        [stats] = await bot.send("/stats 1", user="seller")
        assert "delivered 4 · presses 1 · leads 0 · orders 1 · 2,000 斤 ordered" in stats.text
        assert "· buyers-2: delivered 1 · presses 1 · leads 0 · orders 1" in stats.text
