"""The outbox: what handlers send, stored in their own transaction, delivered by the `Sender`.

``ctx.reply``/``ctx.send``/``ctx.edit`` add `OutboxRow`s to the handler's session, so a message
exists exactly when the handler's writes exist. Each row records its delivery (the platform's
message id, for later edits) or why it failed. A broadcast tags its rows with a ``batch`` so its
progress can be asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.events import ChatRef
from qunzhu.core.models import OutboxRow
from qunzhu.core.reply import Reply
from qunzhu.core.serialize import reply_to_json
from qunzhu.core.storage import Database

__all__ = ["Delivery", "Progress", "edit_row", "progress", "send_row"]


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


def send_row(
    chat: ChatRef, reply: Reply, *, now: datetime, plugin: str = "", batch: str | None = None
) -> OutboxRow:
    return OutboxRow(
        platform=chat.platform,
        chat_id=chat.chat_id,
        chat_kind=chat.kind.value,
        action="send",
        payload=reply_to_json(reply),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        plugin=plugin,
        batch=batch,
    )


async def edit_row(
    session: AsyncSession, target: OutboxRow | int, reply: Reply, *, now: datetime, plugin: str = ""
) -> OutboxRow:
    """Change a message the bot sent (or is about to send). A message not delivered yet is
    changed in place; a delivered one gets an edit queued behind it."""
    original = target if isinstance(target, OutboxRow) else await session.get(OutboxRow, target)
    if original is None:
        msg = f"no outgoing message {target!r} to edit"
        raise LookupError(msg)
    if original.status == "pending" and original.action == "send":
        original.payload = reply_to_json(reply)
        return original
    row = OutboxRow(
        platform=original.platform,
        chat_id=original.chat_id,
        chat_kind=original.chat_kind,
        action="edit",
        edit_of=original.id,
        payload=reply_to_json(reply),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        plugin=plugin,
    )
    session.add(row)
    return row


async def progress(db: Database, batch: str) -> Progress:
    """How far a broadcast has got: sent / pending / failed."""
    async with db.session() as s:
        rows = (
            await s.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.batch == batch)
                .group_by(OutboxRow.status)
            )
        ).all()
    counts = {status: n for status, n in rows}
    return Progress(counts.get("sent", 0), counts.get("pending", 0), counts.get("failed", 0))


async def delivery(db: Database, outbox_id: int) -> Delivery | None:
    async with db.session() as s:
        row = await s.get(OutboxRow, outbox_id)
    if row is None:
        return None
    return Delivery(row.id, row.status, row.message_id, row.error)
