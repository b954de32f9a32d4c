"""`Dispatcher`: takes recorded events from the inbox, in batches, and has them handled.

Events are handled in inbox order, so the order within a chat is kept, and a burst in one chat
never delays another chat's earlier events. Work is done in batches: up to
``dispatcher.batch_size`` events share one transaction (their handlers' writes, their outbox
rows and the inbox's "handled" marks), which is what makes durability cheap. If any handler in
a batch fails, the batch is rolled back and its events are run again one at a time, each handler
in a savepoint of its own (`qunzhu.core.dispatch._runner`). Handlers may therefore run twice;
their database work and messages count once. Where each event goes is
`qunzhu.core.dispatch._routing`'s business; with several workers on one PostgreSQL database
(``dispatcher.shared``) the events are claimed from the shared inbox instead of pushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.context import Context
from qunzhu.core.delivery._claims import claim, lock_unhandled
from qunzhu.core.delivery._inbox import Recorded, handled
from qunzhu.core.dispatch._albums import AlbumGate, album_of, gather, quiet_in_inbox
from qunzhu.core.dispatch._routing import Router, people_in
from qunzhu.core.dispatch._runner import BatchFailed
from qunzhu.core.storage._database import QueuedWrites, sqlite_time

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["Dispatcher"]

log = logging.getLogger("qunzhu.dispatcher")


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        settings = app.settings.dispatcher
        self.router = Router(app)
        self.watchdog = self.router.watchdog
        self._batch_size = settings.batch_size
        #: Several workers share one PostgreSQL database (``dispatcher.shared``).
        self.shared = settings.shared
        self._pending: deque[Recorded] = deque()
        self._albums = AlbumGate(self._album_wait, app.clock.monotonic)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.handled = 0
        self.batches = 0
        self.retried_batches = 0

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.watchdog.start()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.watchdog.stop()

    def push(self, recorded: list[Recorded]) -> None:
        """Events the inbox has just committed."""
        if not self.shared:  # with several workers, whoever claims them first handles them
            self._pending.extend(recorded)
            self._albums.arrived(recorded)
        self._idle.clear()
        self._wake.set()

    async def join(self) -> None:
        """Wait until every event pushed so far has been handled (at once when stopped)."""
        if self._task is None or self._task.done():
            return
        await self._idle.wait()

    @property
    def idle(self) -> bool:
        return self._idle.is_set()

    async def _loop(self) -> None:
        if self.shared:
            await self._shared_loop()
            return
        while True:
            if not self._pending:
                release = self._albums.next_release()
                if release is None:
                    self._idle.set()
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if release > 0:
                    await self._nap(release)
                    continue
            size = min(self._batch_size, len(self._pending))
            batch = self._albums.admit([self._pending.popleft() for _ in range(size)])
            if not batch:
                continue
            try:
                await self._run_batch(batch)
            except Exception:  # the database is unreachable: keep the events, try again
                log.exception("event=batch_failed events=%d", len(batch))
                self._pending.extendleft(reversed(batch))
                await self._app.clock.sleep(1.0)

    async def _nap(self, seconds: float) -> None:
        """Wait `seconds` for an album to be complete, or less if more events are pushed.
        Meanwhile the dispatcher counts as idle: nothing can be done before then."""
        self._wake.clear()
        self._idle.set()
        timer = self._app.clock.timer(seconds)
        timer.add_done_callback(self._album_due)
        woken = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait((timer, woken), return_when=asyncio.FIRST_COMPLETED)
        woken.cancel()
        timer.cancel()

    def _album_due(self, timer: asyncio.Future[None]) -> None:
        if not timer.cancelled():  # work again (a cancelled timer: woken by a push, busy anyway)
            self._idle.clear()

    def _album_wait(self, platform: str) -> float:
        adapter = self._app.adapters.get(platform)
        return adapter.album_wait if adapter is not None else 1.0

    async def _run_batch(self, batch: list[Recorded]) -> None:
        self.batches += 1
        await self._app.people.resolve_many(people_in(batch))
        timed_out: set[tuple[int, str]] = set()
        # even a single event goes the batch way first: no savepoints, and on SQLite a commit
        # on the direct connection; only when a handler fails is it redone in isolation
        async with self._app.db.writing(), self._app.db.session() as session:
            if await self._process(session, batch, timed_out, isolated=False):
                return
        self.retried_batches += 1
        await self._redo(batch, timed_out)

    async def _process(
        self,
        session: AsyncSession,
        batch: list[Recorded],
        timed_out: set[tuple[int, str]],
        *,
        isolated: bool,
    ) -> bool:
        """Handle `batch` in `session`'s transaction and commit it; False (rolled back) when a
        handler failed and the batch must be redone event by event."""
        contexts: list[Context] = []
        try:
            for item in batch:
                await self.router.handle(item, session, contexts, timed_out, isolated=isolated)
            ids = [i for item in batch for i in item.inbox_ids]
            if self._app.db.direct() is not None and _untouched(session):
                self._commit_direct(session, ids)
            else:
                await session.execute(handled(self._app.db, ids, self._app.clock.now()))
                await session.commit()
        except BatchFailed:
            await session.rollback()
            for ctx in reversed(contexts):
                ctx.rolled_back()
            return False
        except BaseException:
            await session.rollback()
            for ctx in reversed(contexts):
                ctx.rolled_back()
            raise
        for ctx in contexts:
            ctx.committed()
        self.handled += len(batch)
        self._app.tally.count_platforms("events_handled", (r.event.chat.platform for r in batch))
        return True

    def _commit_direct(self, session: AsyncSession, ids: list[int]) -> None:
        """SQLite, when no handler of the batch used the session itself (the common case:
        replies and ``ctx.insert`` rows are queued): write the queued rows and the handled marks
        on the direct connection, one short transaction on the event loop's thread."""
        db = self._app.db
        marks = ", ".join("?" * len(ids))
        with db.direct_transaction() as conn:
            QueuedWrites.of(session.sync_session).write_direct(conn, db.engine.dialect)
            conn.execute(
                f"UPDATE core_inbox SET handled_at = ? WHERE id IN ({marks})",  # noqa: S608
                [sqlite_time(self._app.clock.now()), *ids],
            )

    # -- several workers on one PostgreSQL ----------------------------------------------------
    async def _shared_loop(self) -> None:
        """Claim work from the shared inbox: the oldest unhandled events and their chats, each
        chat held with an advisory lock until the batch ends (`qunzhu.core.delivery._claims`),
        so each chat is handled by one worker at a time, in order, and no event twice."""
        interval = self._app.settings.dispatcher.poll_interval
        while True:
            self._wake.clear()
            timed_out: set[tuple[int, str]] = set()
            try:
                async with self._app.db.session() as session:
                    batch = await claim(session, self._batch_size)
                    if any(album_of(item) for item in batch):
                        quiet = quiet_in_inbox(batch, self._app.clock.now(), self._album_wait)
                        batch, _ = gather(batch, quiet)  # a growing album waits, unclaimed
                    if batch:
                        await self._app.people.resolve_many(people_in(batch))
                        self.batches += 1
                        await self._app.dialogs.prefetch(session, (b.event for b in batch))
                        try:
                            if await self._process(session, batch, timed_out, isolated=False):
                                continue
                        finally:
                            self._app.dialogs.forget_claimed()
                    else:
                        await session.rollback()
                if batch:
                    self.retried_batches += 1
                    await self._redo(batch, timed_out)
                    continue
            except Exception:
                log.exception("event=shared_batch_failed")
                await asyncio.sleep(1.0)
                continue
            self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def _redo(self, batch: list[Recorded], timed_out: set[tuple[int, str]]) -> None:
        """Handle a failed batch again, one event per transaction (handlers that timed out in
        the batch are not waited for a second time)."""
        for item in batch:
            async with self._app.db.writing(), self._app.db.session() as session:
                if self.shared and not await lock_unhandled(session, item):
                    continue  # another worker handled it meanwhile
                await self._process(session, [item], timed_out, isolated=True)


def _untouched(session: AsyncSession) -> bool:
    """No statement ran in the session and no ORM object waits to be written."""
    sync = session.sync_session
    return not (sync.in_transaction() or sync.new or sync.dirty or sync.deleted)
