"""The core message model: what an adapter hands to the dispatcher.

Every platform event is mapped to one of four frozen types: `Message`, `ButtonPress`,
`Reaction`, `MemberChange`. They share `chat` (a `ChatRef`), `sender` (a `UserRef`) and an
`event_id` that is unique within its chat, so `(platform, chat_id, event_id)` is the natural key
under which the inbox records an event. Plugins never branch on the platform: the same types
arrive from the console, Telegram and Matrix.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Attachment",
    "AttachmentKind",
    "ButtonPress",
    "ChatKind",
    "ChatRef",
    "Event",
    "ForwardOrigin",
    "JobTick",
    "Location",
    "MemberChange",
    "Message",
    "Reaction",
    "SYSTEM_CHAT",
    "SYSTEM_USER",
    "UserRef",
]


class ChatKind(enum.StrEnum):
    """A private conversation with the bot, or a group (room, supergroup, channel)."""

    DIRECT = "direct"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class ChatRef:
    """A chat on a platform. `key` (`platform:chat_id`) is how config and storage name it."""

    platform: str
    chat_id: str
    kind: ChatKind = ChatKind.GROUP
    title: str = ""

    @classmethod
    def parse(cls, key: str, kind: ChatKind | str = ChatKind.GROUP, title: str = "") -> ChatRef:
        """The chat that `key` (``telegram:-100123``, as config and storage name it) names."""
        platform, _, chat_id = key.partition(":")
        return cls(platform, chat_id, ChatKind(kind), title)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.chat_id}"

    @property
    def is_direct(self) -> bool:
        return self.kind is ChatKind.DIRECT


@dataclass(frozen=True, slots=True)
class UserRef:
    """A platform identity. `lang` is the language the platform reports for the user, if any."""

    platform: str
    user_id: str
    display_name: str = ""
    lang: str | None = None
    is_bot: bool = False

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def name(self) -> str:
        return self.display_name or self.user_id


class AttachmentKind(enum.StrEnum):
    PHOTO = "photo"
    FILE = "file"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by a message. `ref` is the platform's reference (a Telegram file_id, an
    mxc:// URI, a path for the console); the bytes are fetched lazily through the adapter with
    `await ctx.download(attachment)`."""

    kind: AttachmentKind
    ref: str
    mime: str = ""
    size: int | None = None
    name: str = ""
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """A shared position. `address` carries a venue's or a typed address when there is one."""

    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True, slots=True)
class ForwardOrigin:
    """Who first wrote a forwarded `Message` (a leader passing on what a resident sent him).

    `kind` is ``user`` (a person; `user` is their identity on this platform), ``hidden`` (a
    person who hides their account in forwards: only the `name` they show is known), ``chat``
    (posted in a group on its behalf) or ``channel``; `name` is the person's display name or
    the chat's title; `sent_at` when the original was sent, if known. Only platforms that say
    so fill it (Telegram); elsewhere a forwarded message looks like its sender's own."""

    name: str
    user: UserRef | None = None
    kind: Literal["user", "hidden", "chat", "channel"] = "user"
    sent_at: datetime | None = None

    @property
    def is_person(self) -> bool:
        """Whether a person wrote the original (known or hidden), not a group or channel."""
        return self.kind in ("user", "hidden")


@dataclass(frozen=True, slots=True)
class Message:
    """A text, photo, file, location... posted in a chat.

    An edit arrives as a new event with its own `event_id` (so the inbox records each edit once)
    and `edited` True; `edit_of` is the `event_id` of the message it changes. Photos sent
    together (a Telegram album) arrive as one message each with the same `album` key; plugins
    get them as ONE message with every attachment (`qunzhu.core.dispatch._albums`). A forwarded
    message's `sender` is who forwarded it; `forwarded_from` who wrote it, where the platform
    says (`ForwardOrigin`), else None."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()
    sent_at: datetime | None = None
    thread_id: str | None = None
    edited: bool = False
    edit_of: str | None = None
    album: str | None = None
    forwarded_from: ForwardOrigin | None = None

    @property
    def photos(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if a.kind is AttachmentKind.PHOTO)


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """Someone pressed a button (`Button.data`) under the bot's message `message_id`."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    message_id: str
    data: str
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Reaction:
    """Someone reacted with `key` (an emoji) to the message `target_id`; `removed` when the
    reaction was taken back."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    target_id: str
    key: str
    removed: bool = False
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MemberChange:
    """`user` joined or left `chat`; `sender` is who caused it (themselves, or an admin)."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    user: UserRef
    change: Literal["joined", "left"]
    sent_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class JobTick:
    """A job's turn came (`qunzhu.core.scheduling._jobs`): what a job handler's ``ctx.event``
    is. `chat` is the chat the job was scheduled for, or the bot's own ``system`` chat."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    job: str
    key: str
    scheduled_for: datetime
    payload: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


SYSTEM_CHAT = ChatRef("system", "jobs", ChatKind.GROUP, "jobs")
SYSTEM_USER = UserRef("system", "qunzhu", "qunzhu")

Event = Message | ButtonPress | Reaction | MemberChange
