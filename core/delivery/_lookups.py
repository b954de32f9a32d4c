"""What the bot has seen and sent, asked by plugins through their `Context`.

* `recorded`: an event the inbox recorded in a chat, by its event id (the message someone
  replied to, to turn it into a ticket);
* `outgoing_for`: the bot's own message that the platform knows by `message_id` (a reply to the
  bot's prompt), as the id ``ctx.send`` returned;
* `heard_in_private`: whether a person ever wrote to the bot in private (on Telegram a bot may
  write to a person only after they did);
* `inactive_chats`: the chats the bot may no longer post to (removed, blocked);
* `outbox_states`: how far each of some queued messages got (a broadcast's progress);
* `roles_in_use`: every role someone holds (to offer as choices).

`inactive_chats` and `outbox_states` are public (``qunzhu.core``): plugins ask them with their own
session outside a handler too (a web export); the rest are asked through `Context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.delivery._serialize import event_from_json
from qunzhu.core.model._events import ChatRef, Event
from qunzhu.core.people import Role
from qunzhu.core.storage._tables import ChatRow, InboxRow, OutboxRow, RoleRow

__all__ = [
    "OutboxState",
    "heard_in_private",
    "inactive_chats",
    "outbox_states",
    "outgoing_for",
    "recorded",
    "roles_in_use",
]

#: Ids asked for in one statement (SQLite's older builds allow 999 bound parameters).
_CHUNK = 500


async def recorded(session: AsyncSession, chat: ChatRef, event_id: str) -> Event | None:
    row = await session.scalar(
        select(InboxRow).where(
            InboxRow.platform == chat.platform,
            InboxRow.chat_id == chat.chat_id,
            InboxRow.event_id == event_id,
        )
    )
    if row is None:
        return None
    return event_from_json(row.kind, row.platform, row.chat_id, row.event_id, row.payload)


async def outgoing_for(session: AsyncSession, chat: ChatRef, message_id: str) -> int | None:
    found: int | None = await session.scalar(
        select(OutboxRow.id)
        .where(
            OutboxRow.platform == chat.platform,
            OutboxRow.chat_id == chat.chat_id,
            OutboxRow.message_id == message_id,
            OutboxRow.action == "send",
        )
        .limit(1)
    )
    return found


async def heard_in_private(session: AsyncSession, chat: ChatRef) -> bool:
    found = await session.scalar(
        select(InboxRow.id)
        .where(InboxRow.platform == chat.platform, InboxRow.chat_id == chat.chat_id)
        .limit(1)
    )
    return found is not None


async def chat_active(session: AsyncSession, chat: ChatRef) -> bool:
    row = await session.get(ChatRow, (chat.platform, chat.chat_id))
    return row is None or row.active


async def inactive_chats(session: AsyncSession) -> set[str]:
    """The keys (``platform:chat_id``) of the chats the bot may no longer post to: it was
    removed from them, or a platform said the chat is gone. Every other chat is active."""
    rows = await session.execute(select(ChatRow.platform, ChatRow.chat_id).where(~ChatRow.active))
    return {f"{platform}:{chat_id}" for platform, chat_id in rows.all()}


@dataclass(frozen=True, slots=True)
class OutboxState:
    """Where a message queued with ``ctx.send`` stands: `status` ``pending``, ``sent`` or
    ``failed``, and the `attempts` made (a pending message with attempts is being retried)."""

    status: str
    attempts: int


async def outbox_states(session: AsyncSession, ids: Iterable[int]) -> dict[int, OutboxState]:
    """The state of each message by the id ``ctx.send`` returned (``Outgoing.id``); an id the
    outbox does not hold is left out."""
    wanted = sorted(set(ids))
    found: dict[int, OutboxState] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = await session.execute(
            select(OutboxRow.id, OutboxRow.status, OutboxRow.attempts).where(
                OutboxRow.id.in_(wanted[start : start + _CHUNK])
            )
        )
        found.update({i: OutboxState(status, attempts) for i, status, attempts in rows.all()})
    return found


async def roles_in_use(session: AsyncSession) -> list[Role]:
    """Every role someone holds (with its scope), each once, sorted."""
    rows = await session.execute(select(RoleRow.role, RoleRow.scope).distinct())
    return sorted({Role(name, scope or "") for name, scope in rows.all()})
