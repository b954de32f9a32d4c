"""The outbox: what handlers send, stored in their own transaction, delivered by the `Sender`.

``ctx.reply``/``ctx.send``/``ctx.edit``/``ctx.react`` queue `Outgoing` rows in the handler's
session (`action` ``send``, ``edit`` or ``react``; a reaction's payload is its ``target``, ``key``
and ``removed``, in the same JSON column as a message's, so it needs no table of its own): they
are inserted (one Core ``executemany`` per flush, not an ORM object each) in the handler's
transaction, so a message exists exactly when the handler's writes exist. Once that transaction
has committed, they are handed to the sender in memory; the sender reads the table only at
start-up, for retries, and when several workers share the database. Each row records its
delivery (the platform's message id, for later edits) or why it failed. A broadcast tags its
rows with a ``batch`` so its progress can be asked for.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from qunzhu.core.delivery._serialize import reply_to_json
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._ids import new_id
from qunzhu.core.model._reply import Reply
from qunzhu.core.storage._database import Database, QueuedWrites, sqlite_time
from qunzhu.core.storage._tables import OutboxRow

__all__ = [
    "Delivery",
    "Outgoing",
    "Progress",
    "delivery",
    "edit_row",
    "progress",
    "react_row",
    "send_row",
]

OUTBOX = cast(Table, OutboxRow.__table__)


class Outgoing:
    """A message (an edit, a reaction) the bot is to send: what ``ctx.send`` returns. Its `id`
    is final from the start, so it can be stored in a plugin's own table and passed to
    ``ctx.edit`` later."""

    __slots__ = ("action", "attempts", "batch", "chat", "created", "edit_of", "id", "payload",
                 "plugin")  # fmt: skip

    def __init__(
        self,
        chat: ChatRef,
        payload: dict[str, Any],
        *,
        action: str = "send",
        edit_of: int | None = None,
        batch: str | None = None,
        plugin: str = "",
        id: int | None = None,  # noqa: A002 - the column's name
        attempts: int = 0,
    ) -> None:
        self.id = new_id() if id is None else id
        self.chat = chat
        self.payload = payload
        self.action = action
        self.edit_of = edit_of
        self.batch = batch
        self.plugin = plugin
        self.attempts = attempts
        self.created: datetime | None = None

    @property
    def platform(self) -> str:
        return self.chat.platform

    @property
    def chat_id(self) -> str:
        return self.chat.chat_id

    def __repr__(self) -> str:
        return f"<Outgoing {self.id} {self.action} to {self.chat.key}>"

    def queue(self, session: AsyncSession, now: datetime) -> None:
        """Add the row to `session`'s transaction (written at its next flush or commit)."""
        self.created = now
        QueuedWrites.of(session.sync_session).add(_write, self)

    def unqueue(self, session: AsyncSession) -> None:
        """Take the row back if it is not written yet (its handler was rolled back)."""
        QueuedWrites.of(session.sync_session).discard(_write, self)

    def queued_in(self, session: AsyncSession) -> bool:
        return QueuedWrites.of(session.sync_session).holds(_write, self)


_SQLITE_INSERT = (
    "INSERT INTO core_outbox (id, platform, chat_id, chat_kind, action, edit_of, payload, status,"
    " attempts, next_attempt_at, created_at, batch, plugin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)"
)


class _OutboxWriter:
    """Inserts queued messages: one driver-level executemany on SQLite (SQLAlchemy's per-row
    parameter processing costs more than SQLite's own work), a Core executemany elsewhere."""

    def __call__(self, session: Session, items: list[Outgoing]) -> None:
        conn = session.connection()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(_SQLITE_INSERT, _sqlite_params(items))
            return
        conn.execute(
            OUTBOX.insert(),
            [
                {"id": o.id, "platform": o.chat.platform, "chat_id": o.chat.chat_id,
                 "chat_kind": o.chat.kind.value, "action": o.action, "edit_of": o.edit_of,
                 "payload": o.payload, "status": "pending", "attempts": 0,
                 "next_attempt_at": o.created, "created_at": o.created, "batch": o.batch,
                 "plugin": o.plugin}
                for o in items
            ],
        )  # fmt: skip

    def direct(self, conn: sqlite3.Connection, dialect: Any, items: list[Outgoing]) -> None:
        conn.executemany(_SQLITE_INSERT, _sqlite_params(items))


def _sqlite_params(items: list[Outgoing]) -> list[tuple[Any, ...]]:
    stamps: dict[datetime, Any] = {}  # a batch's messages mostly share one creation time
    params = []
    for o in items:
        when = cast(datetime, o.created)
        at = stamps.get(when)
        if at is None:
            at = stamps[when] = sqlite_time(when)
        chat = o.chat
        params.append(
            (o.id, chat.platform, chat.chat_id, chat.kind.value, o.action, o.edit_of,
             json.dumps(o.payload, ensure_ascii=False), at, at, o.batch, o.plugin)
        )  # fmt: skip
    return params


_write = _OutboxWriter()


def send_row(
    chat: ChatRef, reply: Reply, *, plugin: str = "", batch: str | None = None
) -> Outgoing:
    return Outgoing(chat, reply_to_json(reply), plugin=plugin, batch=batch)


def react_row(
    chat: ChatRef, target: str, key: str, *, removed: bool = False, plugin: str = ""
) -> Outgoing:
    """A reaction (or, `removed`, taking one back) on the message `target` of `chat`: queued in
    the chat's order like a message, under the same limits and retries."""
    payload = {"target": target, "key": key, "removed": removed}
    return Outgoing(chat, payload, action="react", plugin=plugin)


async def edit_row(
    session: AsyncSession, target: Outgoing | int, reply: Reply, *, plugin: str = ""
) -> Outgoing | None:
    """Change a message the bot sent (or is about to send). A message still waiting in this
    transaction is changed in place (None is returned); otherwise an edit is queued behind it
    (and returned). An edit is never lost to a send already under way: the sender applies it
    after the message is delivered."""
    payload = reply_to_json(reply)
    if isinstance(target, Outgoing) and target.queued_in(session):
        target.payload = payload
        return None
    target_id = target.id if isinstance(target, Outgoing) else target
    found = (
        await session.execute(
            select(OUTBOX.c.platform, OUTBOX.c.chat_id, OUTBOX.c.chat_kind).where(
                OUTBOX.c.id == target_id
            )
        )
    ).first()
    if found is None:
        msg = f"no outgoing message {target_id!r} to edit"
        raise LookupError(msg)
    chat = ChatRef(found.platform, found.chat_id, ChatKind(found.chat_kind))
    return Outgoing(chat, payload, action="edit", edit_of=target_id, plugin=plugin)


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int = 0
    pending: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed


@dataclass(frozen=True, slots=True)
class Delivery:
    outbox_id: int
    status: str
    message_id: str | None
    error: str | None


async def progress(db: Database, batch: str) -> Progress:
    """How far a broadcast has got: sent / pending / failed."""
    async with db.session() as s:
        rows = (
            await s.execute(
                select(OUTBOX.c.status, func.count())
                .where(OUTBOX.c.batch == batch)
                .group_by(OUTBOX.c.status)
            )
        ).all()
    counts = {status: n for status, n in rows}
    return Progress(counts.get("sent", 0), counts.get("pending", 0), counts.get("failed", 0))


async def delivery(db: Database, outbox_id: int) -> Delivery | None:
    async with db.session() as s:
        row = (
            await s.execute(
                select(OUTBOX.c.id, OUTBOX.c.status, OUTBOX.c.message_id, OUTBOX.c.error).where(
                    OUTBOX.c.id == outbox_id
                )
            )
        ).first()
    if row is None:
        return None
    return Delivery(row.id, row.status, row.message_id, row.error)
