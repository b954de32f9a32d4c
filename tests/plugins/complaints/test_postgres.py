"""On SQLite and PostgreSQL: a whole story end to end, and ticket numbers that stay unique and
without gaps when several workers file at the same moment (PostgreSQL)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from qunzhu.core.storage import Database
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import hooks
from qunzhu.plugins.complaints.models import Counter, Ticket
from qunzhu.plugins.complaints.numbers import next_seq
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import CONFIG, only

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


@pytest_asyncio.fixture
async def any_bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = copy.deepcopy(CONFIG)
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        config["database"] = {"url": url}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("complaints", hooks)])
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def test_story_from_group_message_to_confirmed(any_bot: BotHarness) -> None:
    bot = any_bot
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    await bot.press(card, "已解决", user="lina")
    await bot.send("已整改", user="lina", chat="住建局")
    sent = await bot.send("", user="lina", chat="住建局", photos=["fixed"])
    question = only(sent, "北部新城工程")
    await bot.press(question, "已解决", user="jian")
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.number, ticket.status, ticket.feedback) == ("Q-2026-0001", "confirmed", "solved")


@pytest.mark.postgres
async def test_numbers_under_concurrent_workers_are_unique_and_gap_free() -> None:
    url = await create_pg_database()
    db = Database(url)
    try:
        await db.create_all()
        first_started = asyncio.Event()
        release = asyncio.Event()

        async def worker_a(rollback: bool) -> int:
            async with db.session() as s, s.begin():
                seq = await next_seq(s, 2026)
                first_started.set()
                await release.wait()
                if rollback:
                    await s.rollback()
                return seq

        async def worker_b() -> int:
            await first_started.wait()
            async with db.session() as s, s.begin():
                return await next_seq(s, 2026)  # waits for worker A's row lock

        # A takes 1 and commits: B gets 2
        a = asyncio.create_task(worker_a(rollback=False))
        b = asyncio.create_task(worker_b())
        await asyncio.sleep(0.3)
        assert not b.done()  # blocked on the counter row
        release.set()
        assert (await a, await b) == (1, 2)
        # A takes 3 and rolls back: B gets 3, no gap
        first_started.clear()
        release.clear()
        a = asyncio.create_task(worker_a(rollback=True))
        b = asyncio.create_task(worker_b())
        await asyncio.sleep(0.3)
        release.set()
        assert (await a, await b) == (3, 3)

        # many at once: each number once
        async def one() -> int:
            async with db.session() as s, s.begin():
                return await next_seq(s, 2027)

        got = await asyncio.gather(*(one() for _ in range(20)))
        assert sorted(got) == list(range(1, 21))
        async with db.session() as s:
            assert await s.scalar(select(Counter.last).where(Counter.year == 2027)) == 20
    finally:
        await db.dispose()
        await drop_pg_database(url)
