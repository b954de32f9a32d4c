"""Telegram updates → core events: pure functions of aiogram's types.

What the core does not need to know stays here: Telegram's UTF-16 entity offsets, its photo sizes,
its member statuses, its reaction types. Where an update happened is given as a `Place` (the chat
as the core names it, which after a group's migration is still the old group; see `ids`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aiogram import types as tg

from qunzhu.core.adapter import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    ForwardOrigin,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)

from .ids import edit_event_id, message_event_id

__all__ = [
    "PLATFORM",
    "Place",
    "button_event",
    "chat_ref",
    "display_name",
    "forward_origin",
    "member_event",
    "member_events_of",
    "message_event",
    "reaction_events",
    "user_ref",
]

PLATFORM = "telegram"
_PRESENT = frozenset({"creator", "administrator", "member"})


@dataclass(frozen=True, slots=True)
class Place:
    """Where an update happened as the core sees it; `moved` when it came from a supergroup
    that replaced a basic group (its message ids then carry the ``s`` prefix)."""

    chat: ChatRef
    moved: bool = False


def display_name(user: tg.User) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)


def user_ref(user: tg.User) -> UserRef:
    return UserRef(PLATFORM, str(user.id), display_name(user), user.language_code, user.is_bot)


def _chat_as_user(chat: tg.Chat) -> UserRef:
    """An anonymous administrator or a channel acting in a group."""
    return UserRef(PLATFORM, str(chat.id), chat.title or str(chat.id))


def chat_ref(chat: tg.Chat, core_id: int) -> ChatRef:
    if chat.type == "private":
        title = " ".join(p for p in (chat.first_name, chat.last_name) if p)
        return ChatRef(PLATFORM, str(core_id), ChatKind.DIRECT, title)
    return ChatRef(PLATFORM, str(core_id), ChatKind.GROUP, chat.title or "")


def message_event(
    msg: tg.Message, place: Place, usernames: Mapping[str, int] | None = None
) -> Message | None:
    """A text, photo, file, video or location as a core `Message` (an edit when it has an
    ``edit_date``); None for what plugins cannot use (stickers, polls, service messages)."""
    text = msg.text if msg.text is not None else (msg.caption or "")
    entities = msg.entities if msg.text is not None else msg.caption_entities
    attachments = _attachments(msg)
    location = _location(msg)
    if not (text or attachments or location):
        return None
    event_id = message_event_id(msg.message_id, place.moved)
    edit_of = None
    if msg.edit_date is not None:
        edit_of, event_id = event_id, edit_event_id(msg.message_id, msg.edit_date, place.moved)
    reply = msg.reply_to_message
    sender = (
        user_ref(msg.from_user) if msg.from_user else _chat_as_user(msg.sender_chat or msg.chat)
    )
    return Message(
        event_id,
        place.chat,
        sender,
        text,
        attachments,
        location,
        message_event_id(reply.message_id, place.moved) if reply else None,
        _mentions(text, entities or (), usernames or {}),
        msg.date,
        str(msg.message_thread_id) if msg.is_topic_message and msg.message_thread_id else None,
        edit_of is not None,
        edit_of,
        msg.media_group_id,
        forward_origin(msg.forward_origin),
    )


def forward_origin(origin: tg.MessageOriginUnion | None) -> ForwardOrigin | None:
    """Who wrote a forwarded message first: a user (with their identity), a user who hides
    it (a name only), a group posting on its own behalf, or a channel."""
    if isinstance(origin, tg.MessageOriginUser):
        user = origin.sender_user
        return ForwardOrigin(display_name(user), user_ref(user), "user", origin.date)
    if isinstance(origin, tg.MessageOriginHiddenUser):
        return ForwardOrigin(origin.sender_user_name, None, "hidden", origin.date)
    if isinstance(origin, tg.MessageOriginChat):
        chat = origin.sender_chat
        return ForwardOrigin(chat.title or str(chat.id), None, "chat", origin.date)
    if isinstance(origin, tg.MessageOriginChannel):
        return ForwardOrigin(origin.chat.title or str(origin.chat.id), None, "channel", origin.date)
    return None


def _mentions(
    text: str, entities: Sequence[tg.MessageEntity], usernames: Mapping[str, int]
) -> tuple[str, ...]:
    """``telegram:<id>`` where the user is known, else ``@username``, in order, once each."""
    found: list[str] = []
    for entity in entities:
        if entity.type == "text_mention" and entity.user is not None:
            found.append(f"{PLATFORM}:{entity.user.id}")
        elif entity.type == "mention":
            name = entity.extract_from(text)
            user_id = usernames.get(name.lstrip("@").lower())
            found.append(f"{PLATFORM}:{user_id}" if user_id is not None else name)
    return tuple(dict.fromkeys(found))


def _attachments(msg: tg.Message) -> tuple[Attachment, ...]:
    caption = msg.caption or ""
    if msg.photo:
        largest = max(msg.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return (
            Attachment(
                AttachmentKind.PHOTO, largest.file_id, "image/jpeg", largest.file_size, "", caption
            ),
        )
    video = msg.video or msg.animation
    if video is not None:
        mime, name = video.mime_type or "video/mp4", video.file_name or ""
        return (
            Attachment(AttachmentKind.VIDEO, video.file_id, mime, video.file_size, name, caption),
        )
    if msg.video_note is not None:
        note = msg.video_note
        return (Attachment(AttachmentKind.VIDEO, note.file_id, "video/mp4", note.file_size),)
    file = msg.document or msg.audio or msg.voice
    if file is not None:
        mime = file.mime_type or "application/octet-stream"
        name = getattr(file, "file_name", None) or ""
        return (Attachment(AttachmentKind.FILE, file.file_id, mime, file.file_size, name, caption),)
    return ()


def _location(msg: tg.Message) -> Location | None:
    if msg.venue is not None:
        venue = msg.venue
        address = ", ".join(p for p in (venue.title, venue.address) if p)
        return Location(venue.location.latitude, venue.location.longitude, address)
    if msg.location is not None:
        return Location(msg.location.latitude, msg.location.longitude)
    return None


def member_events_of(msg: tg.Message, place: Place) -> list[MemberChange]:
    """Joins and leaves announced by a service message. Their event ids equal those of the
    ``chat_member`` update Telegram also sends, so the inbox keeps one of the two."""
    actor = user_ref(msg.from_user) if msg.from_user else _chat_as_user(msg.chat)
    out = [
        _member(place, actor, user_ref(u), "joined", when=msg.date, status="member")
        for u in msg.new_chat_members or ()
    ]
    if msg.left_chat_member is not None:
        user = user_ref(msg.left_chat_member)
        out.append(_member(place, actor, user, "left", when=msg.date, status="left"))
    return out


def member_event(update: tg.ChatMemberUpdated, place: Place) -> MemberChange | None:
    """A ``chat_member`` / ``my_chat_member`` update as a join or a leave; None for changes
    that are neither (a promotion, a restriction)."""
    was, now = _present(update.old_chat_member), _present(update.new_chat_member)
    if was == now:
        return None
    user = user_ref(update.new_chat_member.user)
    status = str(update.new_chat_member.status)
    change: Literal["joined", "left"] = "joined" if now else "left"
    return _member(place, user_ref(update.from_user), user, change, when=update.date, status=status)


def _present(member: tg.ChatMemberUnion) -> bool:
    if isinstance(member, tg.ChatMemberRestricted):
        return member.is_member
    return str(member.status) in _PRESENT


def _member(
    place: Place,
    actor: UserRef,
    user: UserRef,
    change: Literal["joined", "left"],
    *,
    when: datetime,
    status: str,
) -> MemberChange:
    event_id = f"member:{user.user_id}:{change}:{int(when.timestamp())}"
    return MemberChange(event_id, place.chat, actor, user, change, when, extra={"status": status})


def button_event(query: tg.CallbackQuery, place: Place, now: datetime) -> ButtonPress | None:
    """A press on an inline button under one of the bot's messages; None for queries without
    data (games) or without a message (inline mode)."""
    if query.data is None or query.message is None:
        return None
    target = message_event_id(query.message.message_id, place.moved)
    return ButtonPress(query.id, place.chat, user_ref(query.from_user), target, query.data, now)


def reaction_events(
    update: tg.MessageReactionUpdated, place: Place, update_id: int
) -> list[Reaction]:
    """One `Reaction` per emoji added or taken back (a person may change several at once)."""
    old = [_reaction_key(r) for r in update.old_reaction]
    new = [_reaction_key(r) for r in update.new_reaction]
    if update.user is not None:
        sender = user_ref(update.user)
    else:
        sender = _chat_as_user(update.actor_chat or update.chat)
    target = message_event_id(update.message_id, place.moved)
    changes = [(k, False) for k in new if k not in old] + [(k, True) for k in old if k not in new]
    return [
        Reaction(f"r{update_id}:{n}", place.chat, sender, target, key, removed, update.date)
        for n, (key, removed) in enumerate(changes)
    ]


def _reaction_key(reaction: tg.ReactionTypeUnion) -> str:
    if isinstance(reaction, tg.ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, tg.ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    return str(reaction.type)
