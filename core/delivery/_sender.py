"""The sender: drains one adapter's outbox under its rate limits.

Each pass takes, for every chat with pending messages, the oldest one (so order within a chat is
kept and a chat that must wait never holds up the others), and starts those the limits allow, up to
``max_in_flight`` at once and one per chat. Outcomes are written back by group commit
(`qunzhu.core.delivery._outcomes`, which also says what a failure becomes).

A message holds its slot until its outcome is *committed*, not only until the platform answers:
a sender that dies can only have sent, and not recorded, the messages holding slots, so the next
sender repeats at most ``max_in_flight`` of them (one per chat) on a platform without idempotent
sends. Freeing the slot at the answer let a busy sender, whose commits lagged behind the answers,
have a whole burst of 30 answered and unrecorded; a killed sender repeated them all. When the
outcomes cannot be written (the database is down), sending stops until they are.

What an outcome does:

* delivered: the platform's message id is stored (edits need it);
* ``RetryLater``: the bot (or the chat) pauses as long as the platform asked; not a failed attempt;
* ``PermanentFailure`` with ``chat_gone`` (bot removed, blocked): the chat is marked inactive and
  everything still queued for it fails at once: no retry storm;
* anything else: retried with exponential backoff and jitter, up to ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from qunzhu.core._election import Election
from qunzhu.core._nap import Nap
from qunzhu.core.delivery._backlog import Backlog
from qunzhu.core.delivery._outbox import OUTBOX, Outgoing
from qunzhu.core.delivery._outcomes import Outcome, Retries, record
from qunzhu.core.delivery._ratelimit import RateLimiter
from qunzhu.core.delivery._serialize import reply_from_json
from qunzhu.core.errors import RetryLater
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.storage._tables import ChatRow

if TYPE_CHECKING:
    from qunzhu.core.adapter import Adapter
    from qunzhu.core.app import App

__all__ = ["Sender"]

log = logging.getLogger("qunzhu.sender")
_ROW_COLUMNS = [
    OUTBOX.c.id,
    OUTBOX.c.chat_id,
    OUTBOX.c.chat_kind,
    OUTBOX.c.action,
    OUTBOX.c.edit_of,
    OUTBOX.c.payload,
    OUTBOX.c.attempts,
    OUTBOX.c.next_attempt_at,
]
_REMEMBER_DELIVERED = 10_000  # message ids of recent deliveries, for edits that follow them


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
        chat_cache: int = 100_000,
    ) -> None:
        self._app = app
        self._adapter = adapter
        self._platform = adapter.platform
        self.limiter = RateLimiter(adapter.limits, max_chats=chat_cache)
        self._retries = Retries(self._platform, max_attempts, backoff, backoff_max, tally=app.tally)
        self._fetch = fetch
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: dict[str, int] = {}
        self._outcomes: list[Outcome] = []
        self._recorder: asyncio.Task[None] | None = None
        self._inactive: set[str] = set()
        self._nap = Nap(app.clock)
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._election: Election | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._shared = app.dispatcher.shared
        #: What is pending for this platform, in memory (see `qunzhu.core.delivery._backlog`).
        self.backlog = Backlog()
        self._read_needed = True
        self._more = True
        self._delivered: dict[int, str] = {}
        self.sent = 0
        self.failed = 0
        self.leader = False

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        await self._load_inactive()
        if self._shared:
            # with several workers, one sends per platform, so that the platform's limits hold
            # for the bot as a whole: the holder of a PostgreSQL advisory lock. When it dies or
            # loses its connection, PostgreSQL frees the lock and another worker takes over
            self._idle.set()
            self._nap.parked = True  # a standby sender has nothing to do
            self._election = Election(
                self._app.db,
                self._app.clock,
                self._platform,
                won=self._won,
                lost=self._lost,
                role="sender",
            )
            self._election.start()
            return
        self._task = asyncio.get_running_loop().create_task(
            self._loop(), name=f"sender:{self._platform}"
        )

    async def _won(self) -> None:
        # what another sender did meanwhile is read again from the table, and the chats other
        # workers saw the bot removed from and added back to
        await self._load_inactive()
        self.backlog = Backlog()
        self._read_needed = True
        self._nap.parked = False
        self.leader = True
        self._task = asyncio.get_running_loop().create_task(
            self._loop(), name=f"sender:{self._platform}"
        )

    async def _lost(self) -> None:
        """The lock's connection broke: another worker may be sending now. Stop starting
        messages; those under way finish and are recorded (when the database answers) before
        this worker stands again, so that its next term starts from the table alone."""
        self.leader = False
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._recorder is not None:
            await asyncio.shield(self._recorder)
        self._nap.parked = True
        self._idle.set()

    async def _load_inactive(self) -> None:
        """The chats the bot was removed from, as the table says."""
        async with self._app.db.session() as s:
            rows = await s.scalars(
                select(ChatRow.chat_id).where(
                    ChatRow.platform == self._platform, ChatRow.active.is_(False)
                )
            )
            self._inactive = set(rows.all())

    async def _active_again(self, chat_ids: list[str]) -> set[str]:
        """Of chats this sender holds inactive, those the table says the bot was added back to.
        With several workers the bot's membership is handled by any of them, and only that
        worker's sender is told (`set_active`): the leader asks the table before it fails a
        message for a chat it believes the bot was removed from."""
        async with self._app.db.session() as s:
            rows = await s.scalars(
                select(ChatRow.chat_id).where(
                    ChatRow.platform == self._platform,
                    ChatRow.chat_id.in_(chat_ids),
                    ChatRow.active.is_(True),
                )
            )
            back = set(rows.all())
        self._inactive -= back
        return back

    async def stop(self) -> None:
        if self._election is not None:
            await self._election.stop()
            self._election = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._recorder is not None:
            await asyncio.shield(self._recorder)

    def offer(self, messages: list[Outgoing]) -> None:
        """Messages whose transaction has just committed."""
        self.backlog.offer(messages)
        self.notify()

    def set_active(self, chat_id: str, *, active: bool) -> None:
        """The bot was added to (`active`) or removed from a chat: post there again, or not."""
        if active:
            self._inactive.discard(chat_id)
            self.notify()
        else:
            self._inactive.add(chat_id)

    def notify(self) -> None:
        """New messages were committed (read them from the table when not handed over)."""
        if self._shared:
            self._read_needed = True
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
        backlog = self.backlog
        while True:
            self._idle.clear()
            self._nap.clear()
            if self._read_needed:
                self._read_needed = False
                try:
                    await self._read()
                except Exception:
                    backlog.abort_read()
                    log.exception("event=outbox_read_failed platform=%s", self._platform)
                    self._read_needed = True
                    await self._nap(1.0)
                    continue
            started, wait = await self._start()
            if started or self._in_flight:
                await self._nap(wait)
                continue
            if backlog:  # nothing to do but wait for the limits or a retry's delay
                self._idle.set()
                await self._nap(wait)
                continue
            if not backlog.complete and self._more:  # the last read stopped at `fetch` rows
                self._read_needed = True
                continue
            self._idle.set()
            if self._app.dispatcher.shared:  # other workers' messages arrive without a hand-over
                self._read_needed = True
                await self._nap(self._app.settings.dispatcher.poll_interval)
            else:
                await self._nap(None)

    async def _read(self) -> None:
        """Bring the backlog up to date with the table (oldest rows first)."""
        query = (
            select(*_ROW_COLUMNS)
            .where(OUTBOX.c.platform == self._platform, OUTBOX.c.status == "pending")
            .order_by(OUTBOX.c.id)
            .limit(self._fetch)
        )
        self.backlog.begin_read()
        async with self._app.db.session() as s:
            rows = (await s.execute(query)).all()
        now, mono = self._app.clock.now(), self._app.clock.monotonic()
        found = []
        for r in rows:
            out = Outgoing(
                ChatRef(self._platform, r.chat_id, ChatKind(r.chat_kind)),
                r.payload,
                action=r.action,
                edit_of=r.edit_of,
                id=r.id,
                attempts=r.attempts,
            )
            due = r.next_attempt_at
            if due.tzinfo is None:
                due = due.replace(tzinfo=now.tzinfo)
            if due > now and r.chat_id not in self.backlog.not_before:
                self.backlog.not_before[r.chat_id] = mono + (due - now).total_seconds()
            found.append(out)
        # With several workers the backlog is never complete (other workers' rows arrive
        # without a hand-over), but a read that found less than `fetch` rows found them all:
        # read again at once only after a full read, else after the poll interval (reading
        # again at once, as before, was a busy loop of queries that starved the dispatcher)
        self._more = len(rows) >= self._fetch
        self.backlog.end_read(found, complete=not self._more and not self._shared)

    async def _start(self) -> tuple[int, float | None]:
        """Start what the limits allow, one message per chat; returns how many started and the
        shortest wait for the rest."""
        clock = self._app.clock
        backlog = self.backlog
        started, wait = 0, None
        now = clock.monotonic()
        ready = []
        for chat_id, queue in backlog.chats():
            if chat_id in self._in_flight:
                continue
            if chat_id in self._inactive:  # fails at once, spends no token
                ready.append((chat_id, True))
                continue
            blocked = self.limiter.bot_wait(now)
            if blocked > 0:  # the bot's own limit is reached: no other chat can go either
                wait = blocked if wait is None else min(wait, blocked)
                break
            not_before = backlog.not_before.get(chat_id)
            if not_before is not None:
                if not_before > now:
                    ahead = not_before - now
                    wait = ahead if wait is None else min(wait, ahead)
                    continue
                del backlog.not_before[chat_id]
            chat = queue[0].chat
            ahead = self.limiter.wait(chat, now)
            if ahead > 0:
                wait = ahead if wait is None else min(wait, ahead)
                continue
            ready.append((chat_id, False))
            self.limiter.take(chat, now)
        gone = [chat_id for chat_id, inactive in ready if inactive]
        if gone and self._shared:
            back = await self._active_again(gone)
            if back:  # sent on the next round, under the limits
                ready = [(chat_id, inactive) for chat_id, inactive in ready if chat_id not in back]
                self._nap.wake()
        for chat_id, inactive in ready:
            out = backlog.take(chat_id)
            self._in_flight[chat_id] = out.id
            await self._slots.acquire()  # given back once the outcome is committed
            if inactive:
                self._finish(Outcome(out, "failed", error="chat is inactive"))
                continue
            task = asyncio.get_running_loop().create_task(self._send(out, now))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started, wait

    # -- one message ---------------------------------------------------------------------------
    async def _send(self, out: Outgoing, taken_at: float) -> None:
        # the limits counted this message when it was started; it may leave later (a busy
        # loop, a full slot): count it from when it really leaves
        self.limiter.shift(out.chat, taken_at, self._app.clock.monotonic())
        try:
            outcome = await self._attempt(out)
        except BaseException:  # cancelled: there is no outcome to record
            self._slots.release()
            raise
        self._finish(outcome)  # the slot stays taken until the outcome is committed

    async def _attempt(self, out: Outgoing) -> Outcome:
        try:
            if out.action == "react":
                p = out.payload
                await self._adapter.react(
                    out.chat, p["target"], p["key"], removed=bool(p["removed"]), txn=f"qz{out.id}"
                )
                return Outcome(out, "sent")
            reply = reply_from_json(out.payload)
            if out.action != "edit":
                message_id = await self._adapter.send_keyed(out.chat, reply, f"qz{out.id}")
                return Outcome(out, "sent", message_id=message_id)
            target = await self._message_id_of(out.edit_of)
            if target is None:
                return Outcome(out, "failed", error="the message to edit was not delivered")
            await self._adapter.edit(out.chat, target, reply)
            return Outcome(out, "sent", message_id=target)
        except Exception as exc:
            return self._failure(out, exc)

    async def _message_id_of(self, outbox_id: int | None) -> str | None:
        if outbox_id is None:
            return None
        known = self._delivered.get(outbox_id)
        if known is not None:
            return known
        async with self._app.db.session() as s:
            found: str | None = await s.scalar(
                select(OUTBOX.c.message_id).where(
                    OUTBOX.c.id == outbox_id, OUTBOX.c.status == "sent"
                )
            )
        return found

    def _failure(self, out: Outgoing, exc: Exception) -> Outcome:
        if isinstance(exc, RetryLater):
            paused = out.chat if exc.chat_only else None
            self.limiter.pause(exc.seconds, self._app.clock.monotonic(), paused)
        return self._retries.outcome_of(out, exc)

    # -- recording outcomes (group commit) -----------------------------------------------------
    def _finish(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        if self._recorder is None:
            self._recorder = asyncio.get_running_loop().create_task(self._record_loop())

    async def _record_loop(self) -> None:
        try:
            while self._outcomes:
                batch, self._outcomes = self._outcomes, []
                try:
                    await record(self._app.db, self._platform, self._app.clock.now(), batch)
                except Exception:
                    log.exception("event=outbox_record_failed rows=%d", len(batch))
                    await self._app.clock.sleep(1.0)
                    self._outcomes[:0] = batch
                    continue
                self._recorded(batch)
                self._nap.wake()
        finally:
            self._recorder = None

    def _recorded(self, batch: list[Outcome]) -> None:
        """The outcomes are committed: free their chats and update the backlog."""
        backlog = self.backlog
        mono = self._app.clock.monotonic()
        for o in batch:
            self._slots.release()
            out = o.out
            chat_id = out.chat.chat_id
            self._in_flight.pop(chat_id, None)
            if o.status == "retry":
                out.attempts = o.attempts
                backlog.put_back(out, mono + o.delay)
                continue
            backlog.release(out.id)
            if o.status == "sent":
                self.sent += 1
                if o.message_id is not None:
                    self._delivered[out.id] = o.message_id
                    if len(self._delivered) > _REMEMBER_DELIVERED:
                        del self._delivered[next(iter(self._delivered))]
            else:
                self.failed += 1
            if o.status == "gone":
                self._inactive.add(chat_id)
                self.failed += len(backlog.drop_chat(chat_id))
