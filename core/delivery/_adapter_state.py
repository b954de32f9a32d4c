"""An adapter's state: small values kept beside its cursor, as rows of ``core_cursor`` named
``<adapter>/<key>`` (`EventSink.state`, `set_state`, `claim_state`).

`set_state` writes over what is stored, with the inbox's next write. `claim_state` keeps the
first value stored under a key, so that workers that each make or learn the same thing at once
end with one answer: two workers that each create a Matrix room for a person's private chat at
the same moment keep one of the two rooms (docs/matrix.md, "Several workers").

On PostgreSQL a claim is one ``INSERT ... ON CONFLICT DO NOTHING`` (``DO UPDATE ... WHERE value
= replacing`` to replace a value known to be stale) and a read back, in a transaction of its
own: a handler may claim, its own transaction holds no cursor row. PostgreSQL decides between
two workers inserting the same key at once (the second waits for the first to commit, then
does nothing), so exactly one value wins.

On SQLite there is one process, and a handler holds the database's one write lock until its
batch commits, so a write from there would wait for itself. The claim is decided in this
process, under a lock, from what is stored and what was claimed but is not written yet, and is
written by the inbox's next write without waiting for it; `read` sees it meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from qunzhu.core.clock import Clock
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import CursorRow

__all__ = ["AdapterState"]

log = logging.getLogger("qunzhu.inbox")

#: Writes a cursor row with the inbox's next write; the future is done once it is written.
Enqueue = Callable[[str, str], "asyncio.Future[int]"]


class AdapterState:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        enqueue: Enqueue,
        read_stored: Callable[[str], Awaitable[str | None]],
    ) -> None:
        self._db = db
        self._clock = clock
        self._enqueue = enqueue
        self._read_stored = read_stored
        #: SQLite: values claimed, not written yet.
        self._unwritten: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def read(self, key: str) -> str | None:
        unwritten = self._unwritten.get(key)
        return unwritten if unwritten is not None else await self._read_stored(key)

    async def write(self, key: str, value: str) -> None:
        self._unwritten.pop(key, None)  # written over
        await self._enqueue(key, value)

    async def claim(self, key: str, value: str, replacing: str | None = None) -> str:
        """Store `value` under `key` unless a value is stored there already (other than
        `replacing`); what is stored afterwards: `value`, or the value that was there first."""
        if self._db.is_sqlite:
            return await self._claim_here(key, value, replacing)
        insert = postgresql.insert(CursorRow).values(
            adapter=key, value=value, updated_at=self._clock.now()
        )
        if replacing is None:
            stmt = insert.on_conflict_do_nothing(index_elements=["adapter"])
        else:
            stmt = insert.on_conflict_do_update(
                index_elements=["adapter"],
                set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
                where=CursorRow.value == replacing,
            )
        async with self._db.session() as s, s.begin():
            won: str | None = await s.scalar(stmt.returning(CursorRow.value))
            if won is not None:
                return won
            stored = await s.scalar(select(CursorRow.value).where(CursorRow.adapter == key))
        # gone between the two statements (nothing deletes state rows): claim again
        return stored if stored is not None else await self.claim(key, value)

    async def _claim_here(self, key: str, value: str, replacing: str | None) -> str:
        async with self._lock:
            stored = await self.read(key)
            if stored is not None and stored != replacing:
                return stored
            self._unwritten[key] = value
            written = self._enqueue(key, value)
        written.add_done_callback(lambda done: self._written(key, value, done))
        return value

    def _written(self, key: str, value: str, done: asyncio.Future[int]) -> None:
        if done.cancelled() or done.exception() is not None:
            return  # logged by the inbox; kept in memory, this process goes on knowing it
        if self._unwritten.get(key) == value:
            del self._unwritten[key]
