"""How long the inbox and the outbox keep what is done: `prune` removes, oldest first, handled
events and delivered (or given-up) messages older than ``database.keep_days``.

The inbox deduplicates by what it holds and the outbox finds a message to edit by its row, so a
row is kept as long as it may still be needed: events still to handle and messages still to send
are never removed, whatever their age; the default keeps 90 days.

The walk follows the primary key from the oldest row, a bounded number of rows a run, and stops at
the first row younger than the cutoff (rows are written in time order), so it never scans what it
keeps and never holds the database for long: the ``core.retention`` job calls it every few
minutes until the backlog of a first run is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.clock import aware
from qunzhu.core.storage._tables import InboxRow, OutboxRow

__all__ = ["Pruned", "prune"]

_INBOX: Table = InboxRow.__table__  # type: ignore[assignment]
_OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
_DONE = ("sent", "failed")


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one run removed, and whether older rows may remain for the next run."""

    inbox: int
    outbox: int
    more: bool


async def prune(
    session: AsyncSession, now: datetime, keep: timedelta, *, batch: int = 1000, batches: int = 10
) -> Pruned:
    """Remove, in `session`, up to `batch` × `batches` rows of each table that are done and
    older than `now` − `keep`. The caller commits."""
    cutoff = now - keep
    inbox, inbox_more = await _walk(
        session,
        _INBOX,
        select(_INBOX.c.id, _INBOX.c.received_at, _INBOX.c.handled_at.is_not(None)),
        cutoff,
        batch=batch,
        batches=batches,
    )
    outbox, outbox_more = await _walk(
        session,
        _OUTBOX,
        select(_OUTBOX.c.id, _OUTBOX.c.created_at, _OUTBOX.c.status.in_(_DONE)),
        cutoff,
        batch=batch,
        batches=batches,
    )
    return Pruned(inbox, outbox, inbox_more or outbox_more)


async def _walk(
    session: AsyncSession,
    table: Table,
    rows_q: object,
    cutoff: datetime,
    *,
    batch: int,
    batches: int,
) -> tuple[int, bool]:
    """Walk `table` by id from the oldest row; remove the done rows older than `cutoff`. Returns
    how many were removed and whether the walk stopped before reaching a younger row."""
    removed = 0
    after: int | None = None
    for _ in range(batches):
        query = rows_q.order_by(table.c.id).limit(batch)  # type: ignore[attr-defined]
        if after is not None:
            query = query.where(table.c.id > after)
        rows = (await session.execute(query)).all()
        if not rows:
            return removed, False
        doomed = [row[0] for row in rows if row[2] and aware(row[1]) < cutoff]
        if doomed:
            await session.execute(delete(table).where(table.c.id.in_(doomed)))
            removed += len(doomed)
        if len(rows) < batch or aware(rows[-1][1]) >= cutoff:
            return removed, False
        after = rows[-1][0]
    return removed, True
