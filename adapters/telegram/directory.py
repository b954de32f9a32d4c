"""The people the adapter has seen lately: their names, for the links `Reply.mentions` become,
and their user names, so that an ``@ana`` in a message becomes the identity ``telegram:<id>``."""

from __future__ import annotations

from collections import OrderedDict

from aiogram import types as tg

from .mapping import display_name

__all__ = ["Directory"]


class Directory:
    """At most `size` people (the least recently seen are forgotten)."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self.names: OrderedDict[int, str] = OrderedDict()
        self.usernames: OrderedDict[str, int] = OrderedDict()

    def see(self, user: tg.User | None) -> None:
        if user is None:
            return
        self.names[user.id] = display_name(user)
        self.names.move_to_end(user.id)
        if len(self.names) > self._size:
            self.names.popitem(last=False)
        if user.username:
            self.usernames[user.username.lower()] = user.id
            self.usernames.move_to_end(user.username.lower())
            if len(self.usernames) > self._size:
                self.usernames.popitem(last=False)

    def see_update(self, update: tg.Update) -> None:
        """Everyone an update names: senders, repliers, new members, pressers, reactors."""
        msg = update.message or update.edited_message
        if msg is not None:
            self.see(msg.from_user)
            if msg.reply_to_message is not None:
                self.see(msg.reply_to_message.from_user)
            for member in msg.new_chat_members or ():
                self.see(member)
            for entity in msg.entities or msg.caption_entities or ():
                self.see(entity.user)
        if update.callback_query is not None:
            self.see(update.callback_query.from_user)
        if update.message_reaction is not None:
            self.see(update.message_reaction.user)
        for change in (update.chat_member, update.my_chat_member):
            if change is not None:
                self.see(change.from_user)
                self.see(change.new_chat_member.user)
