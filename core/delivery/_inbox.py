"""The inbox: every incoming event is recorded under its natural key before it is dispatched.

Adapters hand events to an `Intake` (the sink they were started with). Submissions are written by
group commit: whatever arrived while the previous write was in flight goes into the next one, as
one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (Core, not the ORM; on PostgreSQL
from ``unnest`` of arrays, one statement text for any number), together with the adapter's new
platform cursor (without one, on PostgreSQL, the statement commits on its own). A key seen
before is dropped. Only when that commit is done does ``submit`` return, so an adapter that
advances its platform position after ``await submit(...)`` never skips an event, and a crash
between the two replays events the inbox then drops.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Table, Update, any_, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from qunzhu.core._tally import Tally
from qunzhu.core.clock import Clock
from qunzhu.core.delivery._adapter_state import AdapterState
from qunzhu.core.delivery._serialize import event_from_json, event_kind, event_to_json
from qunzhu.core.model._events import Event
from qunzhu.core.model._ids import new_id
from qunzhu.core.storage._database import Database, sqlite_time
from qunzhu.core.storage._tables import CursorRow, InboxRow

__all__ = ["Inbox", "Intake", "Recorded", "handled"]

log = logging.getLogger("qunzhu.inbox")


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event that is in the inbox and not handled yet."""

    inbox_id: int
    event: Event
    #: The inbox ids of further events this one stands for (the other parts of an album),
    #: marked handled with it.
    also: tuple[int, ...] = ()
    #: When the inbox recorded it (read back from the shared inbox; None when just pushed).
    received_at: datetime | None = None

    @property
    def inbox_ids(self) -> tuple[int, ...]:
        return (self.inbox_id, *self.also)


@dataclass
class _Submission:
    events: Sequence[Event]
    cursor: tuple[str, str] | None
    done: asyncio.Future[int]


class Inbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        deliver: Callable[[list[Recorded]], None],
        *,
        max_batch: int = 1000,
        tally: Tally | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._deliver = deliver
        self._max_batch = max_batch
        self._tally = tally if tally is not None else Tally()
        self._queue: list[_Submission] = []
        self._writer: asyncio.Task[None] | None = None
        dialect = postgresql if not db.is_sqlite else sqlite
        self._insert = dialect.insert(InboxRow)
        self._upsert_cursor = _cursor_upsert(dialect.insert(CursorRow))
        self.recorded = 0
        self.duplicates = 0
        #: The adapters' small values, beside their cursors (`Intake.state`).
        self.state = AdapterState(db, clock, self._enqueue_cursor, self.cursor)

    def intake(self, adapter: str) -> Intake:
        return Intake(self, adapter)

    async def submit(self, events: Sequence[Event], cursor: tuple[str, str] | None = None) -> int:
        """Record `events` (and move the cursor `(adapter, value)`) durably; returns how many
        were new. Duplicates are dropped silently."""
        if not events and cursor is None:
            return 0
        return await self._enqueue(events, cursor)

    def _enqueue(
        self, events: Sequence[Event], cursor: tuple[str, str] | None
    ) -> asyncio.Future[int]:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append(_Submission(events, cursor, done))
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_loop())
        return done

    def _enqueue_cursor(self, adapter: str, value: str) -> asyncio.Future[int]:
        """Write a cursor row with the next write, without waiting for it."""
        return self._enqueue((), (adapter, value))

    async def flush(self) -> None:
        """Wait until everything submitted so far is written."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    async def _write_loop(self) -> None:
        try:
            await asyncio.sleep(0)  # let the submissions of this loop iteration join the batch
            while self._queue:
                batch: list[_Submission] = []
                size = 0
                while self._queue and (size < self._max_batch or not batch):
                    sub = self._queue.pop(0)
                    batch.append(sub)
                    size += len(sub.events)
                try:
                    await self._write(batch)
                except Exception as exc:
                    log.exception("event=inbox_write_failed events=%d", size)
                    for sub in batch:
                        if not sub.done.done():
                            sub.done.set_exception(exc)
        finally:
            self._writer = None

    async def _write(self, batch: list[_Submission]) -> None:
        now = self._clock.now()
        rows: dict[tuple[str, str, str], tuple[Event, dict[str, Any]]] = {}
        cursors: dict[str, str] = {}
        for sub in batch:
            for event in sub.events:
                key = (event.chat.platform, event.chat.chat_id, event.event_id)
                if key not in rows:
                    rows[key] = (event, event_to_json(event))
            if sub.cursor is not None:
                cursors[sub.cursor[0]] = sub.cursor[1]
        if self._db.direct() is not None:
            async with self._db.writing():
                new = _write_direct(self._db, rows, cursors, now)
        elif not self._db.is_sqlite and not cursors:  # one statement, committed on its own
            async with self._db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                new = await _insert_unnest(conn, rows, now)
        elif not self._db.is_sqlite:
            async with self._db.session() as s, s.begin():
                conn = await s.connection()
                new = await _insert_unnest(conn, rows, now) if rows else {}
                params = [{"adapter": a, "value": v, "updated_at": now} for a, v in cursors.items()]
                await conn.execute(self._upsert_cursor, params)
        else:
            async with self._db.writing(), self._db.session() as s, s.begin():
                conn = await s.connection()
                new = await _insert_returning(conn, self._insert, rows, now) if rows else {}
                if cursors:
                    params = [
                        {"adapter": a, "value": v, "updated_at": now} for a, v in cursors.items()
                    ]
                    await conn.execute(self._upsert_cursor, params)
        recorded = sorted((new[k], rows[k][0]) for k in rows if k in new)
        self._tally.count_platforms("events_recorded", (k[0] for k in rows if k in new))
        self._tally.count_platforms("events_duplicate", (k[0] for k in rows if k not in new))
        self.recorded += len(recorded)
        self.duplicates += len(rows) - len(recorded)
        if recorded:
            self._deliver([Recorded(i, e) for i, e in recorded])
        for sub in batch:
            count = sum(
                1 for e in sub.events if (e.chat.platform, e.chat.chat_id, e.event_id) in new
            )
            if not sub.done.done():
                sub.done.set_result(count)

    async def pending(self) -> list[Recorded]:
        """Events recorded but not handled (after a crash), oldest first."""
        async with self._db.session() as s:
            rows = (
                await s.scalars(
                    select(InboxRow).where(InboxRow.handled_at.is_(None)).order_by(InboxRow.id)
                )
            ).all()
        return [
            Recorded(r.id, event_from_json(r.kind, r.platform, r.chat_id, r.event_id, r.payload))
            for r in rows
        ]

    async def cursor(self, adapter: str) -> str | None:
        async with self._db.session() as s:
            row = await s.get(CursorRow, adapter)
            return None if row is None else row.value


_INBOX = cast(Table, InboxRow.__table__)
_SQLITE_INSERT = (
    "INSERT INTO core_inbox (id, platform, chat_id, event_id, kind, payload, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id, event_id) DO NOTHING"
)


_SQLITE_CURSOR = (
    "INSERT INTO core_cursor (adapter, value, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (adapter) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


def _write_direct(
    db: Database, rows: dict[tuple[str, str, str], tuple[Event, dict[str, Any]]],
    cursors: dict[str, str], now: datetime,
) -> dict[tuple[str, str, str], int]:  # fmt: skip
    """The hot path on SQLite, on the direct connection: ids made here, one executemany, and a
    second look only when some keys were seen before."""
    received = sqlite_time(now)
    ids = {key: new_id() for key in rows}
    params = [
        (ids[key], *key, event_kind(event), json.dumps(payload, ensure_ascii=False), received)
        for key, (event, payload) in rows.items()
    ]
    new = ids
    with db.direct_transaction() as conn:
        if params and conn.executemany(_SQLITE_INSERT, params).rowcount != len(params):
            marks = ", ".join("?" * len(ids))
            query = f"SELECT id FROM core_inbox WHERE id IN ({marks})"  # noqa: S608 - marks only
            stored = {r[0] for r in conn.execute(query, list(ids.values()))}
            new = {key: i for key, i in ids.items() if i in stored}
        if cursors:
            conn.executemany(
                _SQLITE_CURSOR, [(adapter, value, received) for adapter, value in cursors.items()]
            )
    return new


def _cursor_upsert(insert: Any) -> Any:
    """``INSERT ... ON CONFLICT (adapter) DO UPDATE``: two workers writing an adapter's first
    cursor at once both succeed (a read-then-insert, as ``session.merge`` does, let the second
    fail on the primary key: ``UniqueViolation pk_core_cursor``, and its poller died)."""
    return insert.on_conflict_do_update(
        index_elements=["adapter"],
        set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
    )


async def _insert_returning(
    conn: AsyncConnection, insert: Any,
    rows: dict[tuple[str, str, str], tuple[Event, dict[str, Any]]], now: datetime,
) -> dict[tuple[str, str, str], int]:  # fmt: skip
    stmt = insert.on_conflict_do_nothing(
        index_elements=["platform", "chat_id", "event_id"]
    ).returning(_INBOX.c.id, _INBOX.c.platform, _INBOX.c.chat_id, _INBOX.c.event_id)
    params = [
        {
            "platform": key[0],
            "chat_id": key[1],
            "event_id": key[2],
            "kind": event_kind(event),
            "payload": payload,
            "received_at": now,
        }
        for key, (event, payload) in rows.items()
    ]
    result = await conn.execute(stmt, params)
    return {(r[1], r[2], r[3]): r[0] for r in result}


# PostgreSQL: one statement text whatever the number of events (a multi-row VALUES is a new
# statement for every count, each prepared again by the driver, a round trip, and crowding out
# its cache of 100 statements), and no BEGIN and COMMIT round trips when no cursor moves with it.
_PG_INSERT = text(
    "INSERT INTO core_inbox (platform, chat_id, event_id, kind, payload, received_at) "
    "SELECT v.platform, v.chat_id, v.event_id, v.kind, CAST(v.payload AS JSON), :now "
    "FROM unnest(CAST(:platforms AS VARCHAR[]), CAST(:chats AS VARCHAR[]), "
    "CAST(:events AS VARCHAR[]), CAST(:kinds AS VARCHAR[]), CAST(:payloads AS TEXT[])) "
    "AS v(platform, chat_id, event_id, kind, payload) "
    "ON CONFLICT (platform, chat_id, event_id) DO NOTHING "
    "RETURNING id, platform, chat_id, event_id"
)


async def _insert_unnest(
    conn: AsyncConnection, rows: dict[tuple[str, str, str], tuple[Event, dict[str, Any]]],
    now: datetime,
) -> dict[tuple[str, str, str], int]:  # fmt: skip
    params = {
        "now": now,
        "platforms": [key[0] for key in rows],
        "chats": [key[1] for key in rows],
        "events": [key[2] for key in rows],
        "kinds": [event_kind(event) for event, _ in rows.values()],
        "payloads": [json.dumps(payload, ensure_ascii=False) for _, payload in rows.values()],
    }
    result = await conn.execute(_PG_INSERT, params)
    return {(r[1], r[2], r[3]): r[0] for r in result}


def handled(db: Database, ids: list[int], now: datetime) -> Update:
    """The statement marking the inbox rows `ids` handled; on PostgreSQL ``id = ANY(:ids)``, one
    statement text for any number of ids (an ``IN`` list is a new one for every batch size)."""
    if db.is_sqlite:
        return update(InboxRow).where(InboxRow.id.in_(ids)).values(handled_at=now)
    array = bindparam("ids", ids, type_=ARRAY(BigInteger))
    return update(InboxRow).where(InboxRow.id == any_(array)).values(handled_at=now)


class Intake:
    """What an adapter is started with: ``await intake(event)`` records one event;
    ``await intake.submit(events, cursor=...)`` records a batch and moves the adapter's stored
    platform position in the same transaction; ``await intake.cursor()`` reads it back."""

    def __init__(self, inbox: Inbox, adapter: str) -> None:
        self._inbox = inbox
        self.adapter = adapter

    async def __call__(self, event: Event) -> None:
        await self._inbox.submit([event])

    async def submit(self, events: Sequence[Event], *, cursor: str | None = None) -> int:
        return await self._inbox.submit(events, None if cursor is None else (self.adapter, cursor))

    async def cursor(self) -> str | None:
        return await self._inbox.cursor(self.adapter)

    async def state(self, key: str) -> str | None:
        """A value the adapter stored with `set_state` (for instance a chat's new id after a
        Telegram group became a supergroup) or `claim_state`."""
        return await self._inbox.state.read(f"{self.adapter}/{key}")

    async def set_state(self, key: str, value: str) -> None:
        """Store a small value for the adapter, durably, beside its cursor."""
        await self._inbox.state.write(f"{self.adapter}/{key}", value)

    async def claim_state(self, key: str, value: str, *, replacing: str | None = None) -> str:
        """Store `value` unless another value is stored (other than `replacing`); returns
        what is stored: `value`, or what another worker stored first (`AdapterState`)."""
        return await self._inbox.state.claim(f"{self.adapter}/{key}", value, replacing)
