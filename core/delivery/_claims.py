"""Several workers on one PostgreSQL inbox (``dispatcher.shared``): who handles what.

A worker reads a window of the oldest unhandled events, in inbox order, and takes the chats that
appear in it with a transaction-level advisory lock per chat (``pg_try_advisory_xact_lock``: a
chat another worker holds is skipped, never waited for). Once it holds a chat, it reads that
chat's unhandled events again, in a new statement: whatever the previous holder handled and
committed is gone from it. The locks last until the batch's transaction ends, so each chat is
handled by one worker at a time, in order, and no event twice. When the free chats of a window
do not fill the batch, the next window, without the chats already seen, is looked at.

Every statement here is an index range on the unhandled events (``ix_core_inbox_next``,
``ix_core_inbox_unhandled``) whatever PostgreSQL's statistics say: the claim used to find each
chat's oldest event with ``id IN (SELECT min(id) … GROUP BY chat)``, a pass over the whole inbox
per batch, and a plan made while the inbox was empty (prepared statements keep their plan) ran
that aggregate again for every candidate row: minutes for one batch at 20,000 queued events,
while its row locks kept the other worker off the chats it had locked.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Row,
    String,
    and_,
    any_,
    bindparam,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.delivery._serialize import event_from_json
from qunzhu.core.dispatch._albums import album_of
from qunzhu.core.storage._tables import InboxRow

__all__ = ["chat_lock_key", "claim", "lock_unhandled"]

#: The advisory locks' first key (the second is the chat's): apart from the elections' locks,
#: which take one key, and from any other application's sharing the database.
CHAT_LOCKS = zlib.crc32(b"qunzhu-chat") & 0x7FFFFFFF
#: Windows looked at in one claim to fill a batch (the first holds chats of other workers).
MAX_WINDOWS = 8

_TRY_LOCKS = text(
    "SELECT k FROM unnest(CAST(:keys AS integer[])) AS k WHERE pg_try_advisory_xact_lock(:space, k)"
)
_LOCK = text("SELECT pg_advisory_xact_lock(:space, :key)")

Chat = tuple[str, str]
#: What a claimed event is rebuilt from: plain rows, not ORM objects (a batch's 256 of them in
#: the session's identity map, expired again at its commit, for nothing).
_EVENT = (
    InboxRow.id,
    InboxRow.platform,
    InboxRow.chat_id,
    InboxRow.event_id,
    InboxRow.kind,
    InboxRow.payload,
    InboxRow.received_at,
)


def chat_lock_key(platform: str, chat_id: str) -> int:
    """The chat's advisory lock key, a 32-bit signed integer (two chats may share one: they
    are then never handled at the same time, which costs a little and breaks nothing)."""
    key = zlib.crc32(f"{platform}:{chat_id}".encode())
    return key - (1 << 32) if key >= 1 << 31 else key


async def claim(session: AsyncSession, batch_size: int) -> list[Recorded]:
    """Up to about `batch_size` events to handle now, in inbox order within each chat (their
    chats stay locked until `session`'s transaction ends)."""
    rows: list[Row[Any]] = []
    seen: set[Chat] = set()
    after = 0
    for _ in range(MAX_WINDOWS):
        room = batch_size - len(rows)
        if room <= 0:
            break
        window = (
            await session.execute(
                select(InboxRow.id, InboxRow.platform, InboxRow.chat_id)
                .where(InboxRow.handled_at.is_(None), InboxRow.id > after, *_not_in(seen))
                .order_by(InboxRow.id)
                .limit(room)
            )
        ).all()
        if not window:
            break
        chats = list(dict.fromkeys((r.platform, r.chat_id) for r in window))
        mine = await _try_lock(session, chats)
        if mine:  # (none left when their previous holder handled them meanwhile)
            rows += await _unhandled_of(session, mine, upto=window[-1].id)
        if len(window) < room:
            break  # the end of the inbox
        # the batch is not full (other workers hold chats of the window): look further, past
        # the chats seen
        seen.update(chats)
        after = window[-1].id
    rows.sort(key=lambda r: r.id)
    claimed = [_recorded(r) for r in rows]
    albums = {item.event.chat.key for item in claimed if album_of(item) is not None}
    if albums:
        claimed = await _whole_chats(session, claimed, albums)
    return claimed


async def _try_lock(session: AsyncSession, chats: Sequence[Chat]) -> list[Chat]:
    """The chats among `chats` that this transaction now holds (one statement)."""
    keys = {chat_lock_key(*chat): chat for chat in chats}
    got = set((await session.scalars(_TRY_LOCKS, {"keys": list(keys), "space": CHAT_LOCKS})).all())
    return [chat for chat in chats if chat_lock_key(*chat) in got]


async def _unhandled_of(
    session: AsyncSession, chats: Iterable[Chat], *, upto: int
) -> list[Row[Any]]:
    """The chats' unhandled events up to id `upto`, read after their locks were taken."""
    return list(
        (
            await session.execute(
                select(*_EVENT)
                .where(InboxRow.handled_at.is_(None), InboxRow.id <= upto, _chats_are(chats))
                .order_by(InboxRow.id)
            )
        ).all()
    )


async def _whole_chats(
    session: AsyncSession, claimed: list[Recorded], chats: set[str]
) -> list[Recorded]:
    """The batch may have cut a chat with an album short: read the rest of those chats (held
    by this worker), so that no part of an album is left behind to become an album of its
    own."""
    keys = [(key.split(":", 1)[0], key.split(":", 1)[1]) for key in chats]
    have = {item.inbox_id for item in claimed}
    rows = (
        await session.execute(
            select(*_EVENT)
            .where(InboxRow.handled_at.is_(None), _chats_are(keys))
            .order_by(InboxRow.id)
        )
    ).all()
    claimed += [_recorded(r) for r in rows if r.id not in have]
    claimed.sort(key=lambda item: item.inbox_id)
    return claimed


async def lock_unhandled(session: AsyncSession, item: Recorded) -> bool:
    """Hold `item`'s chat for this transaction (waiting for the worker that holds it, if any);
    False when `item` has been handled meanwhile."""
    chat = item.event.chat
    key = chat_lock_key(chat.platform, chat.chat_id)
    await session.execute(_LOCK, {"space": CHAT_LOCKS, "key": key})
    found = await session.scalar(
        select(InboxRow.id).where(InboxRow.id == item.inbox_id, InboxRow.handled_at.is_(None))
    )
    return found is not None


def _chats_are(chats: Iterable[Chat]) -> ColumnElement[bool]:
    """``platform = p AND chat_id = ANY(...)`` per platform: an index range of
    ``ix_core_inbox_unhandled`` each, and one prepared statement however many chats."""
    by_platform: dict[str, list[str]] = {}
    for platform, chat_id in chats:
        by_platform.setdefault(platform, []).append(chat_id)
    return or_(
        *(
            and_(
                InboxRow.platform == platform,
                InboxRow.chat_id == any_(bindparam(None, ids, type_=ARRAY(String()))),
            )
            for platform, ids in by_platform.items()
        )
    )


def _not_in(chats: set[Chat]) -> list[ColumnElement[bool]]:
    """Leave out the chats of the windows already looked at (held by other workers)."""
    if not chats:
        return []
    return [~_chats_are(chats)]


def _recorded(row: Row[Any]) -> Recorded:
    event = event_from_json(row.kind, row.platform, row.chat_id, row.event_id, row.payload)
    return Recorded(row.id, event, received_at=row.received_at)
