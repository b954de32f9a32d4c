"""The things in the simulated Telegram: users, chats and stored messages, and how each looks as
JSON. Private chat ids equal the user's id; basic groups are ``-4...`` and supergroups ``-100...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Callback", "Chat", "Stored", "User", "chat_member"]

_ADMIN_RIGHTS = [
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
]


@dataclass
class User:
    """A Telegram account. The bot is one too (``is_bot=True``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def as_json(self) -> dict[str, Any]:
        """The ``User`` object as it appears in updates."""
        out: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


@dataclass
class Stored:
    """One message in a chat: `data` is the Message JSON (edits applied)."""

    data: dict[str, Any]
    sender_id: int
    edit_count: int = 0
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    markup: dict[str, Any] | None = None
    """The reply_markup the bot sent, also a reply keyboard (which Message JSON leaves out)."""
    silent: bool = False
    """The bot sent it with disable_notification."""

    def view(self) -> dict[str, Any]:
        """The message as tests see it: the JSON plus ``edit_count`` (and ``reply_keyboard``,
        ``disable_notification`` when they apply)."""
        out = {**self.data, "edit_count": self.edit_count}
        if self.markup is not None and "inline_keyboard" not in self.markup:
            out["reply_keyboard"] = self.markup
        if self.silent:
            out["disable_notification"] = True
        return out


@dataclass
class Chat:
    """A private chat, group or supergroup. `members` maps user id to status (``member``,
    ``administrator``, ``creator``, ``left``, ``kicked``); `bot_status` is the bot's."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    blocked: bool = False
    migrated_to: int | None = None
    messages: dict[int, Stored] = field(default_factory=dict)
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def instance(self) -> str:
        """The ``chat_instance`` of callback queries from this chat (stable per chat)."""
        return str((abs(self.id) * 2654435761) % 10**19)

    def as_json(self) -> dict[str, Any]:
        """The ``Chat`` object as it appears in messages."""
        if self.user is not None:
            user = self.user.as_json()
            names = ("id", "first_name", "last_name", "username")
            out: dict[str, Any] = {k: user[k] for k in names if k in user}
            return {**out, "type": "private"}
        out = {"id": self.id, "title": self.title, "type": self.type}
        if self.username:
            out["username"] = self.username
        return out


@dataclass
class Callback:
    """A callback query the emulator sent the bot, and what the bot answered."""

    query: dict[str, Any]
    pressed_at: float
    answer: dict[str, Any] | None = None


def chat_member(user: User, status: str) -> dict[str, Any]:
    """A ``ChatMember`` object for `user` with `status`, with the fields aiogram requires."""
    out: dict[str, Any] = {"user": user.as_json(), "status": status}
    if status == "administrator":
        out.update({"can_be_edited": False, "is_anonymous": False})
        out.update({right: True for right in _ADMIN_RIGHTS})
        out["can_send_welcome_messages"] = True
    elif status == "creator":
        out["is_anonymous"] = False
    elif status == "kicked":
        out["until_date"] = 0
    return out
