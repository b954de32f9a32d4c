"""PostgreSQL's planner statistics of the tables the bot grows (issue 19): on a server without
autovacuum, the people met for the first time made ``core_identity`` grow unanalyzed, and the
look-up of a batch's senders read every identity of the platform (50 ms a batch at 85,000
people, growing with them)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from qunzhu.core._people_directory import People, _identities
from qunzhu.core.clock import FakeClock
from qunzhu.core.model._events import UserRef
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import upgrade
from qunzhu.core.storage._statistics import Statistics
from qunzhu.core.storage._tables import IdentityRow, PersonRow

pytestmark = pytest.mark.postgres

_LAST_ANALYZE = text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :name")


async def _database(url: str) -> Database:
    db = Database(url)
    await upgrade(db, PluginSet.collect(load_plugins(entry_points_enabled=False)))
    return db


async def _meet(people: People, start: int, count: int) -> None:
    for first in range(start, start + count, 500):
        users = [UserRef("telegram", f"u{i}", f"居民{i}") for i in range(first, first + 500)]
        await people.resolve_many(users)


async def _plan_of_lookup(db: Database, user_ids: list[str]) -> str:
    query = (
        select(PersonRow.id).join(IdentityRow).where(_identities(("telegram", u) for u in user_ids))
    )
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    async with db.engine.connect() as conn:
        return "\n".join(r[0] for r in await conn.execute(text(f"EXPLAIN {compiled}")))


async def test_people_met_for_the_first_time_get_their_identities_analyzed(pg_url: str) -> None:
    db = await _database(pg_url)
    try:
        await db.statistics.load(["core_person", "core_identity"])
        people = People(db, FakeClock(), cache_size=100)
        await _meet(people, 0, 20_000)
        await db.statistics.wait()
        async with db.engine.connect() as conn:
            assert await conn.scalar(_LAST_ANALYZE, {"name": "core_identity"}) is not None
            assert await conn.scalar(_LAST_ANALYZE, {"name": "core_person"}) is not None
        # twenty thousand people from nothing: a handful of runs, not one per batch
        assert 2 <= db.statistics.runs <= 2 * 12, db.statistics.runs
        # the planner knows how many senders of a batch it will find (one each), instead of
        # guessing "platform = 'telegram'" rare and reading every identity of the platform
        senders = [f"u{i}" for i in range(0, 20_000, 97)]
        plan = await _plan_of_lookup(db, senders)
        expected = int(plan.split("rows=", 1)[1].split(" ", 1)[0])
        assert len(senders) / 2 <= expected <= len(senders) * 2, plan
    finally:
        await db.dispose()


async def test_a_large_database_never_analyzed_is_analyzed_at_start(pg_url: str) -> None:
    db = await _database(pg_url)
    db.statistics = Statistics(None)  # filled by a bot that never analyzed (an older version)
    people = People(db, FakeClock(), cache_size=100)
    await _meet(people, 0, 3_000)
    await db.dispose()
    db = Database(pg_url)
    try:
        async with db.engine.connect() as conn:
            assert await conn.scalar(_LAST_ANALYZE, {"name": "core_identity"}) is None
        for _ in range(50):  # the ended sessions report their changes to PostgreSQL's counters
            await db.statistics.load(["core_person", "core_identity", "core_role"])
            if db.statistics.due():
                break
            await asyncio.sleep(0.1)
        await db.statistics.wait()
        async with db.engine.connect() as conn:
            assert await conn.scalar(_LAST_ANALYZE, {"name": "core_identity"}) is not None
            assert await conn.scalar(_LAST_ANALYZE, {"name": "core_role"}) is None  # unchanged
    finally:
        await db.dispose()


def test_a_table_is_due_after_a_share_of_its_size_changed() -> None:
    stats = Statistics(None)
    stats.changed("core_identity", 10**6)
    assert stats.due() == []  # SQLite: nothing counted

    class _Counting(Statistics):
        def _start_if_due(self) -> None:  # only the arithmetic here, no database
            pass

    stats = _Counting(object(), minimum=1000, fraction=0.2)  # type: ignore[arg-type]
    stats._rows["core_identity"] = 100_000
    stats.changed("core_identity", 999)
    stats.changed("core_person", 999)
    assert stats.due() == []
    stats.changed("core_person", 1)
    assert stats.due() == ["core_person"]  # never analyzed: due at the minimum
    stats.changed("core_identity", 19_000)
    assert stats.due() == ["core_person"]  # 19,999 of 100,000: not yet 20 %
    stats.changed("core_identity", 1)
    assert sorted(stats.due()) == ["core_identity", "core_person"]
