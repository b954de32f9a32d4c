"""Electing, among workers, the one that fetches a platform account's events (and, with
``role="sender"``, the one that sends a platform's outbox: `qunzhu.core.delivery._sender`).

Telegram's ``getUpdates`` may run in one process per bot (a second gets 409 Conflict), and two
Matrix ``/sync`` loops of one account fetch everything twice. With several workers on one
PostgreSQL (``dispatcher.shared``), each adapter that names a `receiver_key` runs in every worker,
but only the holder of a PostgreSQL advisory lock on that key receives (the sender elects its
leader the same way). The lock belongs to a database session: when the holder dies, or its
connection breaks, PostgreSQL frees it at once and a waiting worker takes it, so a new receiver
runs within seconds (the holder checks its connection every `CHECK_SECONDS`; a worker that lost it
stops receiving before it waits again). The new receiver reads the cursor the inbox stored with
the last recorded events, so nothing is lost, and what the old one fetched but had not recorded is
fetched again and dropped by the inbox if it was recorded after all: nothing is handled twice.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from qunzhu.core.clock import Clock
from qunzhu.core.storage._database import Database

__all__ = ["CHECK_SECONDS", "Election"]

log = logging.getLogger("qunzhu.app")
CHECK_SECONDS = 2.0
_RETRY_SECONDS = 1.0


class Election:
    """One key's election in this worker: `run` waits for the lock, calls `won`, holds the lock
    while the connection lives, calls `lost` when it breaks, and waits again."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        key: str,
        *,
        won: Callable[[], Awaitable[None]],
        lost: Callable[[], Awaitable[None]],
        role: str = "receiver",
    ) -> None:
        self._db = db
        self._clock = clock
        self.key = key
        self.role = role
        self._lock = zlib.crc32(f"qunzhu-{role}:{key}".encode()) & 0x7FFFFFFF
        self._won = won
        self._lost = lost
        self.leader = False
        self.terms = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self.run(), name=f"elect:{self.role}:{self.key}"
        )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run(self) -> None:
        while True:
            try:
                await self._term()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: wait, then stand again
                log.warning(
                    "event=%s_election_failed key=%s error=%s: %s",
                    self.role,
                    self.key,
                    type(exc).__name__,
                    str(exc).splitlines()[0] if str(exc) else "",
                )
            finally:
                if self.leader:
                    self.leader = False
                    log.warning("event=%s_lost key=%s", self.role, self.key)
                    await asyncio.shield(self._lost())
            await self._clock.sleep(_RETRY_SECONDS)

    async def _term(self) -> None:
        async with self._db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self._lock})
            await conn.commit()
            self.leader = True
            self.terms += 1
            log.info("event=%s_elected key=%s", self.role, self.key)
            await self._won()
            while True:  # hold the lock while the session lives
                await self._clock.sleep(CHECK_SECONDS)
                await conn.execute(text("SELECT 1"))
                await conn.commit()
