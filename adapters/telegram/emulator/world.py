"""The simulated Telegram's state: users, chats, messages, files and the bot's queue of updates.

Everything is a plain dataclass or the JSON dict Telegram would send, so a test can look at any of
it. Message ids count up per chat from 1; dates are Unix seconds from an injectable wall clock;
private chat ids equal the user's id, basic groups are ``-4...`` and supergroups ``-100...``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .chats import Callback, Chat, Stored, User
from .errors import bad_request, forbidden
from .media import FileStore

__all__ = [
    "ALL_UPDATES",
    "DEFAULT_UPDATES",
    "Pulse",
    "Webhook",
    "World",
]

ALL_UPDATES = frozenset(
    [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "my_chat_member",
        "chat_member",
        "message_reaction",
        "message_reaction_count",
        "chat_join_request",
        "inline_query",
        "chosen_inline_result",
        "poll",
        "poll_answer",
    ]
)
DEFAULT_UPDATES = ALL_UPDATES - {"chat_member", "message_reaction", "message_reaction_count"}
"""What a bot receives until it asks otherwise in allowed_updates (Telegram's default)."""


@dataclass
class Webhook:
    """The webhook setting and its delivery state (``getWebhookInfo``)."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class Pulse:
    """Wakes everyone waiting when something happens (a new update, a new sent message)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return at the next `fire`, or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


class World:
    """All state. The Bot API methods and the test API both work on one World."""

    def __init__(
        self,
        bot: User,
        *,
        now: Callable[[], float],
        privacy_mode: bool = False,
        strict_html: bool = False,
    ) -> None:
        self.bot = bot
        self.now = now
        self.privacy_mode = privacy_mode
        self.strict_html = strict_html
        self.arrived = Pulse()
        self.changed = Pulse()
        self.reset()

    def reset(self) -> None:
        """Forget every user, chat, message, file and update."""
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.updates: list[dict[str, Any]] = []
        self.last_update_id = 10_000_000
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATES
        self.webhook = Webhook()
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.callbacks: dict[str, Callback] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.counters = {
            "user": 100_000_000,
            "group": 4_000_000_000,
            "supergroup": 2_000_000_000,
            "media_group": 13_900_000_000_000_000,
            "callback": 4_382_000_000_000_000_000,
        }

    def date(self) -> int:
        return int(self.now())

    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    # -- updates -------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update of `kind` for the bot, unless allowed_updates excludes it (Telegram
        does not even create those). Returns the update."""
        if kind not in self.allowed_updates:
            return None
        self.last_update_id += 1
        update = {"update_id": self.last_update_id, kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self.arrived.fire()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget updates below it; a negative offset keeps the last -N."""
        if offset < 0:
            del self.updates[: max(0, len(self.updates) + offset)]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    # -- messages ------------------------------------------------------------------------

    def store(self, chat: Chat, sender: User, fields: dict[str, Any]) -> Stored:
        """Add a message from `sender` to `chat` with the next message id and today's date."""
        chat.last_message_id += 1
        data = {
            "message_id": chat.last_message_id,
            "from": sender.as_json(),
            "chat": chat.as_json(),
            "date": self.date(),
            **fields,
        }
        stored = Stored(data, sender.id)
        chat.messages[chat.last_message_id] = stored
        self.changed.fire()
        return stored

    def visible(self, chat: Chat, data: dict[str, Any]) -> bool:
        """Whether the bot receives a user's message in `chat` (membership, privacy mode)."""
        if chat.is_private:
            return not chat.blocked
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        text = data.get("text") or data.get("caption") or ""
        reply = data.get("reply_to_message") or {}
        return (
            text.startswith("/")
            or f"@{self.bot.username}" in text
            or reply.get("from", {}).get("id") == self.bot.id
            or not ({"text", "caption", "photo", "document", "location"} & data.keys())
        )

    # -- lookups for Bot API methods -------------------------------------------------------

    def chat_for_bot(self, chat_id: int | str) -> Chat:
        """The chat a Bot API call names, with Telegram's errors for unknown, migrated and
        never-started chats."""
        if isinstance(chat_id, str):
            for candidate in self.chats.values():
                name = candidate.username
                if name and f"@{name}".lower() == chat_id.lower():
                    return candidate
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id in self.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat", migrate_to_chat_id=chat.migrated_to
            )
        return chat

    def writable(self, chat: Chat) -> None:
        """Raise the 403 Telegram answers when the bot may not post in `chat`."""
        if chat.is_private:
            if chat.blocked:
                raise forbidden("bot was blocked by the user")
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")

    def message(self, chat: Chat, message_id: int | None, missing: str) -> Stored:
        """A message in `chat`, or 400 Bad Request: `missing`."""
        stored = chat.messages.get(message_id or 0)
        if stored is None:
            raise bad_request(missing)
        return stored
