"""The sender: drains one adapter's outbox under its rate limits.

Each pass takes, for every chat with pending messages, the oldest one (so order within a chat is
kept and a chat that must wait never holds up the others), and starts those the limits allow, up to
``max_in_flight`` at once and one per chat. Outcomes are written back by group commit:

* delivered: the platform's message id is stored (edits need it);
* ``RetryLater``: the bot (or the chat) pauses as long as the platform asked; not a failed attempt;
* ``PermanentFailure`` with ``chat_gone`` (bot removed, blocked): the chat is marked inactive and
  everything still queued for it fails at once: no retry storm;
* anything else: retried with exponential backoff and jitter, up to ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, select, text, update

from qunzhu.core.errors import PermanentFailure, RetryLater
from qunzhu.core.events import ChatKind, ChatRef
from qunzhu.core.models import ChatRow, OutboxRow
from qunzhu.core.nap import Nap
from qunzhu.core.ratelimit import RateLimiter
from qunzhu.core.serialize import reply_from_json

if TYPE_CHECKING:
    from qunzhu.core.adapter import Adapter
    from qunzhu.core.app import App

__all__ = ["Sender"]

log = logging.getLogger("qunzhu.sender")
_OUTBOX = cast(Table, OutboxRow.__table__)
_HEAD_COLUMNS = (
    OutboxRow.id,
    OutboxRow.platform,
    OutboxRow.chat_id,
    OutboxRow.chat_kind,
    OutboxRow.action,
    OutboxRow.edit_of,
    OutboxRow.payload,
    OutboxRow.attempts,
)


@dataclass(slots=True)
class _Outcome:
    row_id: int
    chat: ChatRef
    status: str  # sent | retry | failed | gone
    message_id: str | None = None
    delay: float = 0.0
    attempts: int = 0
    error: str | None = None


class Sender:
    def __init__(
        self,
        app: App,
        adapter: Adapter,
        *,
        max_in_flight: int = 16,
        max_attempts: int = 12,
        backoff: float = 1.0,
        backoff_max: float = 300.0,
        fetch: int = 500,
    ) -> None:
        self._app = app
        self._adapter = adapter
        self._platform = adapter.platform
        self.limiter = RateLimiter(adapter.limits)
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._fetch = fetch
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: dict[str, int] = {}
        self._outcomes: list[_Outcome] = []
        self._recorder: asyncio.Task[None] | None = None
        self._inactive: set[str] = set()
        self._nap = Nap(app.clock)
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._rng = random.Random()
        self._edit_targets: dict[int, str | None] = {}
        # A pass's fetch may have started before an outcome was committed: such a stale read
        # must not send the same row again. `_released` says at which generation of commits a
        # chat was freed; rows of chats freed after the fetch began wait for the next pass.
        self._generation = 0
        self._new_rows = True
        self._released: dict[str, int] = {}
        self.sent = 0
        self.failed = 0
        self.leader = False

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        async with self._app.db.session() as s:
            rows = await s.scalars(
                select(ChatRow.chat_id).where(
                    ChatRow.platform == self._platform, ChatRow.active.is_(False)
                )
            )
            self._inactive = set(rows.all())
        main = self._lead() if self._app.dispatcher.shared else self._loop()
        self._task = asyncio.get_running_loop().create_task(main, name=f"sender:{self._platform}")

    async def _lead(self) -> None:
        """With several workers, one sends per platform, so that the platform's limits hold for
        the bot as a whole: the holder of a PostgreSQL advisory lock. When that worker dies, its
        connection closes, the lock is freed and another worker takes over."""
        key = zlib.crc32(f"qunzhu-sender:{self._platform}".encode()) & 0x7FFFFFFF
        self._idle.set()
        self._nap.parked = True  # a standby sender has nothing to do
        async with self._app.db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            await conn.commit()
            self._nap.parked = False
            log.info("event=sender_leader platform=%s", self._platform)
            self.leader = True
            try:
                await self._loop()
            finally:
                self.leader = False

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._recorder is not None:
            await asyncio.shield(self._recorder)

    def notify(self) -> None:
        """New messages were committed."""
        self._new_rows = True
        self._idle.clear()
        self._nap.wake()

    async def join(self) -> None:
        """Wait until nothing is in flight and nothing is due now (at once when stopped)."""
        if self._task is None or self._task.done():
            return
        await self._idle.wait()

    @property
    def idle(self) -> bool:
        return self._idle.is_set() and self._nap.quiet

    # -- the loop ------------------------------------------------------------------------------
    async def _loop(self) -> None:
        heads: list[OutboxRow] = []  # fetched, not started yet (waiting on a rate limit)
        fetched_at = self._generation
        while True:
            self._idle.clear()
            if not heads or self._new_rows:
                self._nap.clear()
                self._new_rows = False
                fetched_at = self._generation
                self._released = {c: g for c, g in self._released.items() if g > fetched_at}
                try:
                    heads = await self._due_heads()
                except Exception:
                    log.exception("event=outbox_fetch_failed platform=%s", self._platform)
                    await self._nap(1.0)
                    continue
            else:
                self._nap.clear()
            started, wait, waiting = await self._start(heads, fetched_at)
            heads = waiting
            if started or self._in_flight:
                await self._nap(wait)
                continue
            if heads:  # nothing to do but wait for the limits
                self._idle.set()
                await self._nap(wait)
                continue
            later = await self._next_attempt_in()
            if wait is None or (later is not None and later < wait):
                wait = later
            if wait is None or wait > 0:
                self._idle.set()
            if self._app.dispatcher.shared:  # other workers' messages arrive without a notify
                poll = self._app.settings.dispatcher.poll_interval
                wait = poll if wait is None else min(wait, poll)
                self._new_rows = True
            await self._nap(wait)

    async def _start(
        self, heads: list[OutboxRow], fetched_at: int
    ) -> tuple[int, float | None, list[OutboxRow]]:
        """Start what the limits allow; returns how many started, the shortest wait for the
        rest, and the rows that wait."""
        clock = self._app.clock
        started, wait, waiting = 0, None, []
        for row in heads:
            chat = ChatRef(row.platform, row.chat_id, ChatKind(row.chat_kind))
            if row.chat_id in self._in_flight or self._released.get(row.chat_id, -1) > fetched_at:
                continue
            if row.chat_id in self._inactive:
                self._finish(_Outcome(row.id, chat, "failed", error="chat is inactive"))
                self._in_flight[row.chat_id] = row.id
                continue
            ahead = self.limiter.wait(chat, clock.monotonic())
            if ahead > 0:
                wait = ahead if wait is None else min(wait, ahead)
                waiting.append(row)
                continue
            await self._slots.acquire()
            self.limiter.take(chat, clock.monotonic())
            self._in_flight[row.chat_id] = row.id
            task = asyncio.get_running_loop().create_task(self._send(row, chat))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started, wait, waiting

    async def _due_heads(self) -> list[OutboxRow]:
        now = self._app.clock.now()
        heads = (
            select(func.min(OutboxRow.id))
            .where(OutboxRow.platform == self._platform, OutboxRow.status == "pending")
            .group_by(OutboxRow.chat_id)
        )
        query = (  # plain rows, not ORM objects: this runs for every pass of the sender
            select(*_HEAD_COLUMNS)
            .where(OutboxRow.id.in_(heads), OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(self._fetch)
        )
        async with self._app.db.session() as s:
            rows: list[Any] = list((await s.execute(query)).all())
            edits = [r.edit_of for r in rows if r.action == "edit" and r.edit_of is not None]
            if edits:
                found = await s.execute(
                    select(OutboxRow.id, OutboxRow.message_id).where(OutboxRow.id.in_(edits))
                )
                self._edit_targets = {r[0]: r[1] for r in found}
        return rows

    async def _next_attempt_in(self) -> float | None:
        """Seconds until the next retry falls due (rows due now are waiting on a rate limit,
        which `_loop` already counted)."""
        now = self._app.clock.now()
        async with self._app.db.session() as s:
            when = await s.scalar(
                select(func.min(OutboxRow.next_attempt_at)).where(
                    OutboxRow.platform == self._platform,
                    OutboxRow.status == "pending",
                    OutboxRow.next_attempt_at > now,
                )
            )
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=self._app.clock.now().tzinfo)
        return max((when - self._app.clock.now()).total_seconds(), 0.0)

    # -- one message ---------------------------------------------------------------------------
    async def _send(self, row: OutboxRow, chat: ChatRef) -> None:
        try:
            outcome = await self._attempt(row, chat)
        finally:
            self._slots.release()
        self._finish(outcome)

    async def _attempt(self, row: OutboxRow, chat: ChatRef) -> _Outcome:
        reply = reply_from_json(row.payload)
        try:
            if row.action != "edit":
                message_id = await self._adapter.send_keyed(chat, reply, f"qz{row.id}")
                return _Outcome(row.id, chat, "sent", message_id=message_id)
            target = self._edit_targets.get(row.edit_of) if row.edit_of else None
            if target is None:
                error = "the message to edit was not delivered"
                return _Outcome(row.id, chat, "failed", error=error)
            await self._adapter.edit(chat, target, reply)
            return _Outcome(row.id, chat, "sent", message_id=target)
        except Exception as exc:
            return self._failure(row, chat, exc)

    def _failure(self, row: OutboxRow, chat: ChatRef, exc: Exception) -> _Outcome:
        where = (self._platform, chat.chat_id)
        if isinstance(exc, RetryLater):
            paused = chat if exc.chat_only else None
            self.limiter.pause(exc.seconds, self._app.clock.monotonic(), paused)
            log.warning("event=retry_later platform=%s chat=%s seconds=%s", *where, exc.seconds)
            return _Outcome(
                row.id, chat, "retry", delay=exc.seconds, attempts=row.attempts, error=str(exc)
            )
        if isinstance(exc, PermanentFailure):
            log.warning(
                "event=delivery_failed platform=%s chat=%s gone=%s error=%s",
                *where,
                exc.chat_gone,
                exc,
            )
            status = "gone" if exc.chat_gone else "failed"
            return _Outcome(row.id, chat, status, error=str(exc)[:500])
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            log.error(
                "event=delivery_gave_up platform=%s chat=%s attempts=%d error=%s",
                *where,
                attempts,
                exc,
            )
            return _Outcome(row.id, chat, "failed", attempts=attempts, error=str(exc)[:500])
        delay = min(self._backoff * 2 ** (attempts - 1), self._backoff_max)
        delay *= 0.5 + self._rng.random() / 2  # jitter: senders that failed together spread out
        log.warning(
            "event=delivery_retry platform=%s chat=%s attempt=%d delay=%.1f error=%s",
            *where,
            attempts,
            delay,
            exc,
        )
        return _Outcome(row.id, chat, "retry", delay=delay, attempts=attempts, error=str(exc)[:500])

    # -- recording outcomes (group commit) -----------------------------------------------------
    def _finish(self, outcome: _Outcome) -> None:
        self._outcomes.append(outcome)
        if self._recorder is None:
            self._recorder = asyncio.get_running_loop().create_task(self._record_loop())

    async def _record_loop(self) -> None:
        try:
            while self._outcomes:
                batch, self._outcomes = self._outcomes, []
                try:
                    await self._record(batch)
                except Exception:
                    log.exception("event=outbox_record_failed rows=%d", len(batch))
                    await self._app.clock.sleep(1.0)
                    self._outcomes[:0] = batch
                    continue
                self._generation += 1
                for o in batch:
                    self._in_flight.pop(o.chat.chat_id, None)
                    self._released[o.chat.chat_id] = self._generation
                self._nap.wake()
        finally:
            self._recorder = None

    async def _record(self, batch: list[_Outcome]) -> None:
        now = self._app.clock.now()
        sent = [{"b_id": o.row_id, "b_mid": o.message_id} for o in batch if o.status == "sent"]
        retry = [
            {
                "b_id": o.row_id,
                "b_at": now + timedelta(seconds=o.delay),
                "b_n": o.attempts,
                "b_err": o.error,
            }
            for o in batch
            if o.status == "retry"
        ]
        failed = [
            {"b_id": o.row_id, "b_err": o.error} for o in batch if o.status in ("failed", "gone")
        ]
        gone = {o.chat.chat_id: o for o in batch if o.status == "gone"}
        table = _OUTBOX
        async with self._app.db.writing(), self._app.db.session() as s, s.begin():
            conn = await s.connection()
            if sent:
                await conn.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values(status="sent", message_id=bindparam("b_mid"), sent_at=now),
                    sent,
                )
            if retry:
                await conn.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values(
                        next_attempt_at=bindparam("b_at"),
                        attempts=bindparam("b_n"),
                        error=bindparam("b_err"),
                    ),
                    retry,
                )
            if failed:
                await conn.execute(
                    update(table)
                    .where(table.c.id == bindparam("b_id"))
                    .values(status="failed", error=bindparam("b_err")),
                    failed,
                )
            for chat_id, o in gone.items():
                await s.merge(
                    ChatRow(
                        platform=self._platform,
                        chat_id=chat_id,
                        kind=o.chat.kind.value,
                        active=False,
                        reason=o.error,
                        changed_at=now,
                    )
                )
                await conn.execute(
                    update(table)
                    .where(
                        table.c.platform == self._platform,
                        table.c.chat_id == chat_id,
                        table.c.status == "pending",
                    )
                    .values(status="failed", error="chat is inactive")
                )
        self.sent += len(sent)
        self.failed += len(failed)
        self._inactive.update(gone)
