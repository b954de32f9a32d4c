"""What the bot has seen and sent, asked by plugins through their `Context`.

* `recorded`: an event the inbox recorded in a chat, by its event id (the message someone
  replied to, to turn it into a ticket);
* `outgoing_for`: the bot's own message that the platform knows by `message_id` (a reply to the
  bot's prompt), as the id ``ctx.send`` returned;
* `heard_in_private`: whether a person ever wrote to the bot in private (on Telegram a bot may
  write to a person only after they did).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.delivery._serialize import event_from_json
from qunzhu.core.model._events import ChatRef, Event
from qunzhu.core.storage._tables import InboxRow, OutboxRow

__all__ = ["heard_in_private", "outgoing_for", "recorded"]


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
