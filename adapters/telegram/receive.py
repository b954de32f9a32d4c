"""From a batch of updates to the events the core records: shared by long polling and the
webhook. The `Receiver` learns migrations (stored before anything that depends on them),
remembers who was seen and drops the bot's own messages. The parts of an album are recorded
like any message (each carries its ``media_group_id`` as `Message.album`); the dispatcher hands
them to the plugins as one (`qunzhu.core.dispatch._albums`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiogram import types as tg

from qunzhu.core.adapter import Clock, Event

from .directory import Directory
from .mapping import (
    Place,
    button_event,
    chat_ref,
    member_event,
    member_events_of,
    message_event,
    reaction_events,
)
from .migrations import Migrations

__all__ = ["Received", "Receiver"]

log = logging.getLogger("qunzhu.adapters.telegram")


@dataclass
class Received:
    """What a batch of updates came to: events to record, and callback queries to answer once
    they are recorded."""

    events: list[Event] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)


class Receiver:
    def __init__(
        self,
        *,
        bot_id: int,
        migrations: Migrations,
        directory: Directory,
        hooks: frozenset[str],
        clock: Clock,
    ) -> None:
        self.bot_id = bot_id
        self.migrations = migrations
        self.directory = directory
        self.members = "on_member_change" in hooks
        self.clock = clock

    async def convert(self, updates: Sequence[tg.Update]) -> Received:
        """Map `updates`; an update that cannot be read is logged and skipped (it must not
        stop the bot), a failure to store a migration is raised (nothing may move on)."""
        out = Received()
        await self.migrations.check(_chat_ids(updates))
        for update in updates:
            await self._learn(update)
            try:
                self.directory.see_update(update)
                self._one(update, out)
            except Exception:
                log.exception("event=update_unreadable update_id=%s", update.update_id)
        return out

    async def _learn(self, update: tg.Update) -> None:
        msg = update.message
        if msg is None:
            return
        if msg.migrate_to_chat_id is not None:
            await self.migrations.learn(msg.chat.id, msg.migrate_to_chat_id)
        if msg.migrate_from_chat_id is not None:
            await self.migrations.learn(msg.migrate_from_chat_id, msg.chat.id)

    def _one(self, update: tg.Update, out: Received) -> None:
        msg = update.message or update.edited_message
        if msg is not None:
            self._message(msg, update, out)
        elif update.callback_query is not None:
            query = update.callback_query
            out.callbacks.append(query.id)
            if query.message is not None:
                place = self.place(query.message.chat)
                pressed = button_event(query, place, self.clock.now())
                if pressed is not None:
                    out.events.append(pressed)
        elif update.message_reaction is not None:
            reaction = update.message_reaction
            place = self.place(reaction.chat)
            out.events.extend(reaction_events(reaction, place, update.update_id))
        else:
            # the bot's own membership always (the core stops sending where it was removed),
            # other people's only for plugins that asked
            change = update.my_chat_member or (update.chat_member if self.members else None)
            if change is not None:
                member = member_event(change, self.place(change.chat))
                if member is not None:
                    out.events.append(member)

    def _message(self, msg: tg.Message, update: tg.Update, out: Received) -> None:
        if msg.from_user is not None and msg.from_user.id == self.bot_id:
            return  # the bot's own message (a service message about its own actions)
        place = self.place(msg.chat)
        if self.members and (msg.new_chat_members or msg.left_chat_member):
            out.events.extend(member_events_of(msg, place))
        event = message_event(msg, place, self.directory.usernames)
        if event is not None:
            out.events.append(event)

    def place(self, chat: tg.Chat) -> Place:
        core_id, moved = self.migrations.core_id(chat.id)
        return Place(chat_ref(chat, core_id), moved)


def _chat_ids(updates: Sequence[tg.Update]) -> set[int]:
    """The chats a batch of updates comes from."""
    found = set()
    for update in updates:
        source = (
            update.message
            or update.edited_message
            or (update.callback_query.message if update.callback_query else None)
            or update.message_reaction
            or update.my_chat_member
            or update.chat_member
        )
        chat = getattr(source, "chat", None)
        if chat is not None:
            found.add(chat.id)
    return found
