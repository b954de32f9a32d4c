"""`Statistics`: PostgreSQL's planner statistics of the tables the bot itself grows, kept fresh.

PostgreSQL plans a query from what ``ANALYZE`` last saw of each table. Autovacuum takes them as a
table changes, but a server may run without it (``autovacuum = off``), and then a table the bot
filled never has any: the planner guesses. Its guesses for the people looked up by identity (a
batch's senders: ``platform = 'bench' AND user_id IN (...)``) took ``platform = …`` for a rare
value and read every identity of the platform, each batch: 50 ms at 85,000 people and growing
with them, where the analyzed table answers in 1 ms.

So the code that changes many rows of a table says so (``changed``: people met for the first time,
old events pruned), and once a table has changed by a share of its size since it was last
analyzed (as autovacuum's ``autovacuum_analyze_scale_factor``, here 20 %, at least 1,000 rows),
one ``ANALYZE`` of it runs in the background. It does not block the batches (it takes no lock
that writes wait for) and costs a sample of 30,000 rows, however large the table; with a table
growing from nothing that is about twenty runs on the way to 300,000 rows. It is driven by rows,
never by the clock, so a test that moves a fake clock by a year runs none. On SQLite it does
nothing (its planner needs no statistics for these look-ups).

Each table's count starts from what PostgreSQL says was changed since its last analysis
(``n_mod_since_analyze``), so a bot started on a large database that was never analyzed
analyzes it at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Statistics"]

log = logging.getLogger("qunzhu.storage")

_CHANGES = text(
    "SELECT s.relname, s.n_mod_since_analyze, c.reltuples FROM pg_stat_user_tables s "
    "JOIN pg_class c ON c.oid = s.relid WHERE s.relname IN :names"
).bindparams(bindparam("names", expanding=True))
_ROWS = text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)")


class Statistics:
    """Counts the rows the bot changed per table and analyzes a table that changed enough."""

    def __init__(
        self, engine: AsyncEngine | None, *, minimum: int = 1000, fraction: float = 0.2
    ) -> None:
        #: None on SQLite: nothing is counted.
        self._engine = engine
        self._minimum = minimum
        self._fraction = fraction
        #: Rows changed since the table was last analyzed, and its size then.
        self._changed: dict[str, int] = {}
        self._rows: dict[str, float] = {}
        self._running: asyncio.Task[None] | None = None
        #: How many ANALYZE runs were made (for tests and benchmarks).
        self.runs = 0

    async def load(self, tables: Iterable[str]) -> None:
        """Start each table's count from PostgreSQL's own (at start-up)."""
        if self._engine is None:
            return
        names = list(tables)
        async with self._engine.connect() as conn:
            for name, changed, rows in await conn.execute(_CHANGES, {"names": names}):
                self._changed[name] = int(changed or 0)
                self._rows[name] = max(float(rows or 0), 0.0)
        self._start_if_due()

    def changed(self, table: str, rows: int) -> None:
        """`rows` rows of `table` were inserted, updated or deleted (and committed)."""
        if self._engine is None or rows <= 0:
            return
        self._changed[table] = self._changed.get(table, 0) + rows
        self._start_if_due()

    def due(self) -> list[str]:
        """The tables that changed enough since they were last analyzed."""
        return [
            table
            for table, changed in self._changed.items()
            if changed >= max(self._minimum, self._fraction * self._rows.get(table, 0.0))
        ]

    async def wait(self) -> None:
        """Wait until no analysis is running (tests, benchmarks)."""
        while self._running is not None:
            await asyncio.shield(self._running)

    async def close(self) -> None:
        if self._running is not None:
            self._running.cancel()
            await asyncio.gather(self._running, return_exceptions=True)
            self._running = None

    def _start_if_due(self) -> None:
        if self._running is None and self.due():
            self._running = asyncio.get_running_loop().create_task(
                self._analyze_due(), name="analyze"
            )

    async def _analyze_due(self) -> None:
        assert self._engine is not None
        try:
            while tables := self.due():
                for table in tables:
                    # counted from here: what changes while ANALYZE samples counts next time
                    self._changed[table] = 0
                    async with self._engine.begin() as conn:
                        await conn.execute(text(f'ANALYZE "{table}"'))
                        rows = await conn.scalar(_ROWS, {"name": table})
                    self._rows[table] = max(float(rows or 0), 0.0)
                    self.runs += 1
                    log.info("event=analyzed table=%s rows=%d", table, self._rows[table])
        except Exception:  # statistics are an optimisation: never let them stop the bot
            log.exception("event=analyze_failed")
        finally:
            self._running = None
