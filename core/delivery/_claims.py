"""Several workers on one PostgreSQL inbox (``dispatcher.shared``): who handles what.

A worker claims the oldest unhandled event of each chat, locked with FOR UPDATE SKIP LOCKED, plus
the later events of those chats. Another worker cannot take a chat whose oldest event is locked,
so each chat is handled by one worker at a time, in order, and no event twice.
"""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.delivery._serialize import event_from_json
from qunzhu.core.dispatch._albums import album_of
from qunzhu.core.storage._tables import InboxRow

__all__ = ["claim", "lock_unhandled"]


async def claim(session: AsyncSession, batch_size: int) -> list[Recorded]:
    """Up to `batch_size` events to handle now, in inbox order (the heads stay locked until
    `session` ends)."""
    heads_q = (
        select(func.min(InboxRow.id))
        .where(InboxRow.handled_at.is_(None))
        .group_by(InboxRow.platform, InboxRow.chat_id)
    )
    heads = (
        await session.scalars(
            select(InboxRow)
            .where(InboxRow.id.in_(heads_q), InboxRow.handled_at.is_(None))
            .order_by(InboxRow.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not heads:
        return []
    rows = list(heads)
    room = batch_size - len(rows)
    if room > 0:
        chats = [(h.platform, h.chat_id) for h in heads]
        rows += (
            await session.scalars(
                select(InboxRow)
                .where(
                    InboxRow.handled_at.is_(None),
                    tuple_(InboxRow.platform, InboxRow.chat_id).in_(chats),
                    InboxRow.id.not_in([h.id for h in heads]),
                )
                .order_by(InboxRow.id)
                .limit(room)
            )
        ).all()
    rows.sort(key=lambda r: r.id)
    claimed = [_recorded(r) for r in rows]
    albums = {item.event.chat.key for item in claimed if album_of(item) is not None}
    if albums and len(rows) >= batch_size:
        claimed = await _whole_chats(session, claimed, albums)
    return claimed


async def _whole_chats(
    session: AsyncSession, claimed: list[Recorded], chats: set[str]
) -> list[Recorded]:
    """The batch was cut short in a chat with an album: read the rest of those chats, so
    that no part of an album is left behind to become an album of its own."""
    keys = [tuple(key.split(":", 1)) for key in chats]
    have = {item.inbox_id for item in claimed}
    rows = (
        await session.scalars(
            select(InboxRow)
            .where(
                InboxRow.handled_at.is_(None),
                tuple_(InboxRow.platform, InboxRow.chat_id).in_(keys),
            )
            .order_by(InboxRow.id)
        )
    ).all()
    claimed += [_recorded(r) for r in rows if r.id not in have]
    claimed.sort(key=lambda item: item.inbox_id)
    return claimed


async def lock_unhandled(session: AsyncSession, item: Recorded) -> bool:
    """Lock `item`'s row for this transaction; False when another worker handled it."""
    found = await session.scalar(
        select(InboxRow.id)
        .where(InboxRow.id == item.inbox_id, InboxRow.handled_at.is_(None))
        .with_for_update()
    )
    return found is not None


def _recorded(row: InboxRow) -> Recorded:
    event = event_from_json(row.kind, row.platform, row.chat_id, row.event_id, row.payload)
    return Recorded(row.id, event, received_at=row.received_at)
