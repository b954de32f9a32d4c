"""Membership changes: people joining and leaving, the bot being removed, blocked or re-added,
and a basic group's upgrade to a supergroup.

`Membership` is a mixin of `TelegramEmulator` (through `People`). Each change sends what Telegram
sends: a service ``message`` (``new_chat_members``, ``left_chat_member``, ``migrate_to_chat_id``
and ``migrate_from_chat_id``), a ``chat_member`` update for other people (to an administrator bot
that asked for it) and a ``my_chat_member`` update when the bot's own status changes.
"""

from __future__ import annotations

from typing import Any

from .chats import Chat, User, chat_member
from .errors import ScenarioError
from .world import World

__all__ = ["Membership"]


class Membership:
    """Who is in which chat."""

    world: World

    def join(self, user: User, chat: Chat) -> dict[str, Any]:
        """`user` joins the group: a ``new_chat_members`` message and a ``chat_member`` update."""
        self._group_only(chat)
        old = chat.members.get(user.id, "left")
        chat.members[user.id] = "member"
        person = user.as_json()
        fields = {"new_chat_participant": person, "new_chat_member": person}
        message = self._service(chat, user, {**fields, "new_chat_members": [person]})
        self._member_update(chat, user, user, old, "member")
        return message

    def leave(self, user: User, chat: Chat) -> dict[str, Any]:
        """`user` leaves the group: a ``left_chat_member`` message and a ``chat_member``
        update."""
        self._group_only(chat)
        old = chat.members.get(user.id, "member")
        chat.members[user.id] = "left"
        person = user.as_json()
        message = self._service(
            chat, user, {"left_chat_participant": person, "left_chat_member": person}
        )
        self._member_update(chat, user, user, old, "left")
        return message

    def kick_bot(self, chat: Chat, *, by: User | None = None) -> None:
        """An administrator removes the bot from the group: ``my_chat_member`` (status
        ``kicked``); the bot's later sends there get ``403 Forbidden: bot was kicked...``."""
        self._group_only(chat)
        self._bot_status(chat, by or self._actor(chat), "kicked")

    def add_bot(self, chat: Chat, *, by: User | None = None, admin: bool = False) -> None:
        """Someone (re-)adds the bot: ``my_chat_member`` and a ``new_chat_members`` message."""
        self._group_only(chat)
        actor = by or self._actor(chat)
        self._bot_status(chat, actor, "administrator" if admin else "member")
        bot = self.world.bot.as_json()
        fields = {"new_chat_participant": bot, "new_chat_member": bot, "new_chat_members": [bot]}
        self._service(chat, actor, fields)

    def block_bot(self, user: User) -> None:
        """`user` blocks the bot: ``my_chat_member`` in the private chat; later sends there get
        ``403 Forbidden: bot was blocked by the user``."""
        chat = self._private(user)
        chat.blocked = True
        self._bot_status(chat, user, "kicked", old="member")

    def unblock_bot(self, user: User) -> None:
        """`user` unblocks the bot (also happens when they write to it again)."""
        chat = self._private(user)
        chat.blocked = False
        self._bot_status(chat, user, "member", old="kicked")

    def migrate(self, chat: Chat, *, by: User | None = None) -> int:
        """Upgrade a basic group to a supergroup; returns the new chat id. The old chat gets a
        ``migrate_to_chat_id`` message, the new one a ``migrate_from_chat_id`` message, and the
        bot's later calls with the old id get ``400 group chat was upgraded to a supergroup
        chat`` with ``parameters.migrate_to_chat_id``.

        As the Bot API documents it (https://core.telegram.org/bots/api#message): the
        ``Message`` fields ``migrate_to_chat_id`` ("the group has been migrated to a supergroup
        with the specified identifier") and ``migrate_from_chat_id`` ("the supergroup has been
        migrated from a group with the specified identifier"), and ``ResponseParameters``
        (https://core.telegram.org/bots/api#responseparameters) ``migrate_to_chat_id`` in the
        answer to a request naming the old group. The supergroup's id is a new one (``-100…``),
        its members are the group's, the bot keeps its status there; the old group takes no
        more messages. Both service messages come, the old group's first; a bot that missed
        them learns the new id from the 400 only."""
        if chat.type != "group" or chat.migrated_to is not None:
            msg = "only a basic group (group(..., supergroup=False)) can be migrated, once"
            raise ScenarioError(msg)
        actor = by or self._actor(chat)
        new = Chat(
            -(1_000_000_000_000 + self.world.next_id("supergroup")),
            "supergroup",
            title=chat.title,
            members=dict(chat.members),
            bot_status=chat.bot_status,
        )
        self.world.chats[new.id] = new
        self._service(chat, actor, {"migrate_to_chat_id": new.id})
        chat.migrated_to = new.id
        self._service(new, actor, {"migrate_from_chat_id": chat.id})
        return new.id

    # -- helpers -----------------------------------------------------------------------------

    def _join_silently(self, user: User, chat: Chat) -> None:
        """Make `user` a member of `chat` if they never were (test set-up shortcut)."""
        if chat.is_private:
            if chat.id != user.id:
                msg = f"chat {chat.id} is {chat.id}'s private chat with the bot, not {user.id}'s"
                raise ScenarioError(msg)
            return
        status = chat.members.setdefault(user.id, "member")
        if status in ("left", "kicked"):
            msg = f"{user.first_name} is not in {chat.title!r} any more: join() them first"
            raise ScenarioError(msg)

    def _group_only(self, chat: Chat) -> None:
        if chat.is_private:
            msg = "private chats have no members to change (use block_bot/unblock_bot)"
            raise ScenarioError(msg)

    def _private(self, user: User) -> Chat:
        chat = self.world.chats.get(user.id)
        if chat is None:
            chat = self.world.chats[user.id] = Chat(user.id, "private", user=user)
        return chat

    def _actor(self, chat: Chat) -> User:
        """Who performs a change nobody was named for: the creator or first member, or an
        "Admin" user made up on the spot."""
        ranked = sorted(chat.members.items(), key=lambda kv: kv[1] != "creator")
        for user_id, status in ranked:
            if status in ("creator", "administrator", "member"):
                return self.world.users[user_id]
        admin = User(self.world.next_id("user"), "Admin")
        self.world.users[admin.id] = admin
        chat.members[admin.id] = "creator"
        return admin

    def _service(self, chat: Chat, actor: User, fields: dict[str, Any]) -> dict[str, Any]:
        stored = self.world.store(chat, actor, fields)
        if self.world.visible(chat, stored.data):
            self.world.enqueue("message", stored.data)
        return stored.data

    def _member_update(self, chat: Chat, actor: User, user: User, old: str, new: str) -> None:
        if chat.bot_status != "administrator":
            return
        self.world.enqueue(
            "chat_member",
            {
                "chat": chat.as_json(),
                "from": actor.as_json(),
                "date": self.world.date(),
                "old_chat_member": chat_member(user, old),
                "new_chat_member": chat_member(user, new),
            },
        )

    def _bot_status(self, chat: Chat, actor: User, new: str, *, old: str | None = None) -> None:
        bot = self.world.bot
        before = old or chat.bot_status
        if not chat.is_private:
            chat.bot_status = new
        self.world.enqueue(
            "my_chat_member",
            {
                "chat": chat.as_json(),
                "from": actor.as_json(),
                "date": self.world.date(),
                "old_chat_member": chat_member(bot, before),
                "new_chat_member": chat_member(bot, new),
            },
        )
