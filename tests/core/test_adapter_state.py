"""An adapter's state (`EventSink.state`, `set_state`, `claim_state`): a claim keeps the first
value stored, on PostgreSQL between workers racing for it, on SQLite from inside a handler that
holds the database's write lock (the Matrix adapter claims a person's private room there)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from qunzhu.core.clock import FakeClock
from qunzhu.core.delivery._inbox import Inbox, Intake
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import upgrade
from tests.conftest import create_pg_database, drop_pg_database


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
        return
    pg = await create_pg_database()
    try:
        yield pg
    finally:
        await drop_pg_database(pg)


async def _worker(url: str, *, create: bool = False) -> tuple[Database, Inbox, Intake]:
    db = Database(url)
    if create:
        await upgrade(db, PluginSet.collect(load_plugins(entry_points_enabled=False)))
    inbox = Inbox(db, FakeClock(), lambda recorded: None)
    return db, inbox, inbox.intake("matrix")


async def test_a_claim_keeps_the_first_value_and_replaces_only_the_stale_one(url: str) -> None:
    db, inbox, state = await _worker(url, create=True)
    try:
        assert await state.claim_state("dm:@ana:hs", "!one") == "!one"
        assert await state.claim_state("dm:@ana:hs", "!two") == "!one"  # taken: the first
        assert await state.claim_state("dm:@ana:hs", "!two", replacing="!old") == "!one"
        assert await state.claim_state("dm:@ana:hs", "!two", replacing="!one") == "!two"
        assert await state.claim_state("dm:@bo:hs", "!three", replacing="!gone") == "!three"
        await inbox.flush()
    finally:
        await db.dispose()
    db, _, again = await _worker(url)  # a restart: read back from the database
    try:
        assert await again.state("dm:@ana:hs") == "!two"
        assert await again.state("dm:@bo:hs") == "!three"
        await again.set_state("dm:@bo:hs", "!four")  # set_state writes over
        assert await again.state("dm:@bo:hs") == "!four"
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_workers_racing_for_a_claim_all_end_with_the_same_value() -> None:
    url = await create_pg_database()
    workers = [await _worker(url, create=n == 0) for n in range(4)]
    try:
        for round_ in range(10):
            key = f"dm:@person{round_}:hs"
            answers = await asyncio.gather(
                *(state.claim_state(key, f"!room{n}") for n, (_, _, state) in enumerate(workers))
            )
            assert len(set(answers)) == 1, answers
            assert await workers[0][2].state(key) == answers[0]
    finally:
        for db, _, _ in workers:
            await db.dispose()
        await drop_pg_database(url)


async def test_a_claim_from_inside_a_handlers_write_lock_returns_at_once(tmp_path: Path) -> None:
    """On SQLite a handler's batch holds the write lock: the claim is decided at once, read back
    at once, and written when the lock is free (a write awaited from there would wait forever)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    db, inbox, state = await _worker(url, create=True)
    try:
        async with db.writing():  # as the dispatcher's batch, around a handler
            won = await asyncio.wait_for(state.claim_state("dm:@ana:hs", "!one"), 5)
            lost = await asyncio.wait_for(state.claim_state("dm:@ana:hs", "!two"), 5)
            assert (won, lost) == ("!one", "!one")
            assert await state.state("dm:@ana:hs") == "!one"
        await inbox.flush()
    finally:
        await db.dispose()
    db, _, again = await _worker(url)
    try:
        assert await again.state("dm:@ana:hs") == "!one"
    finally:
        await db.dispose()
