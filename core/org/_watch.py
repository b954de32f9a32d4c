"""`OrgWatch`: with several workers on one database, the units one worker's console saved reach
the others.

The worker whose console saved a unit rebuilds its chart at once (``App.reload_org``); the others
learn of it here: every ten seconds of the clock's time they read the keys and times of
``core_org_edit`` (a handful of rows) and rebuild when those differ from what they read last. A
single process (SQLite, or ``dispatcher.shared`` off) has no other worker to hear from and
starts no watch.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from qunzhu.core._nap import Nap
from qunzhu.core.storage._tables import OrgEditRow

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["OrgWatch"]

log = logging.getLogger("qunzhu.org")


class OrgWatch:
    def __init__(self, app: App, seconds: float = 10.0) -> None:
        self._app = app
        self._seconds = seconds
        self._nap = Nap(app.clock)
        self._seen: frozenset[tuple[str, str]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._seen = await self._fingerprint()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="org-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def check(self) -> bool:
        """Rebuild the chart if another worker saved a unit since the last look; whether it did."""
        now = await self._fingerprint()
        if now == self._seen:
            return False
        self._seen = now
        await self._app.reload_org()
        log.info("event=org_reloaded edits=%d", len(now))
        return True

    async def _fingerprint(self) -> frozenset[tuple[str, str]]:
        async with self._app.db.session() as s:
            rows = await s.execute(select(OrgEditRow.key, OrgEditRow.edited_at))
            return frozenset((str(k), str(at)) for k, at in rows.all())

    async def _loop(self) -> None:
        while True:
            self._nap.clear()
            await self._nap(self._seconds)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a database gone for a moment: look again next time
                log.warning("event=org_watch_failed error=%s", type(exc).__name__)
