"""Events and replies as JSON, for the inbox and the outbox tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    ForwardOrigin,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.model._reply import Button, Reply

__all__ = [
    "KINDS",
    "event_from_json",
    "event_kind",
    "event_to_json",
    "reply_from_json",
    "reply_to_json",
]

KINDS: dict[type, str] = {
    Message: "message",
    ButtonPress: "button",
    Reaction: "reaction",
    MemberChange: "member",
}
_TYPES = {v: k for k, v in KINDS.items()}


def event_kind(event: Event) -> str:
    return KINDS[type(event)]


def _user(user: UserRef) -> dict[str, Any]:
    return {
        "platform": user.platform,
        "user_id": user.user_id,
        "display_name": user.display_name,
        "lang": user.lang,
        "is_bot": user.is_bot,
    }


def _origin(origin: ForwardOrigin) -> dict[str, Any]:
    return {
        "name": origin.name,
        "user": _user(origin.user) if origin.user is not None else None,
        "kind": origin.kind,
        "sent_at": origin.sent_at.isoformat() if origin.sent_at is not None else None,
    }


def _origin_from(data: dict[str, Any]) -> ForwardOrigin:
    user, sent_at = data.get("user"), data.get("sent_at")
    return ForwardOrigin(
        str(data.get("name") or ""),
        UserRef(**user) if user else None,
        data.get("kind", "user"),
        datetime.fromisoformat(sent_at) if sent_at else None,
    )


def event_to_json(event: Event) -> dict[str, Any]:
    """The event as a JSON-able dict (without its key: platform, chat id and event id are
    columns of their own). Written by hand: ``dataclasses.asdict`` deep-copies and was the
    largest cost of recording an event."""
    data: dict[str, Any] = {
        "chat_kind": event.chat.kind.value,
        "chat_title": event.chat.title,
        "sender": _user(event.sender),
        "sent_at": event.sent_at.isoformat() if event.sent_at is not None else None,
    }
    if isinstance(event, Message):
        data["text"] = event.text
        data["attachments"] = [
            {
                "kind": a.kind.value,
                "ref": a.ref,
                "mime": a.mime,
                "size": a.size,
                "name": a.name,
                "caption": a.caption,
            }
            for a in event.attachments
        ]
        loc = event.location
        data["location"] = (
            None
            if loc is None
            else {"latitude": loc.latitude, "longitude": loc.longitude, "address": loc.address}
        )
        data["reply_to"] = event.reply_to
        data["mentions"] = list(event.mentions)
        data["thread_id"] = event.thread_id
        data["edited"] = event.edited
        data["edit_of"] = event.edit_of
        if event.album is not None:
            data["album"] = event.album
        if event.forwarded_from is not None:
            data["forwarded_from"] = _origin(event.forwarded_from)
    elif isinstance(event, ButtonPress):
        data["message_id"] = event.message_id
        data["data"] = event.data
    elif isinstance(event, Reaction):
        data["target_id"] = event.target_id
        data["key"] = event.key
        data["removed"] = event.removed
    else:
        data["user"] = _user(event.user)
        data["change"] = event.change
        data["extra"] = dict(event.extra)
    return data


def event_from_json(
    kind: str, platform: str, chat_id: str, event_id: str, data: dict[str, Any]
) -> Event:
    data = dict(data)
    chat = ChatRef(platform, chat_id, ChatKind(data.pop("chat_kind")), data.pop("chat_title", ""))
    data["sender"] = UserRef(**data["sender"])
    if data.get("sent_at"):
        data["sent_at"] = datetime.fromisoformat(data["sent_at"])
    if kind == "message":
        data["attachments"] = tuple(
            Attachment(**{**a, "kind": AttachmentKind(a["kind"])}) for a in data["attachments"]
        )
        data["location"] = Location(**data["location"]) if data.get("location") else None
        data["mentions"] = tuple(data.get("mentions", ()))
        if data.get("forwarded_from"):
            data["forwarded_from"] = _origin_from(data["forwarded_from"])
    elif kind == "member":
        data["user"] = UserRef(**data["user"])
    cls: Any = _TYPES[kind]
    return cls(event_id=event_id, chat=chat, **data)  # type: ignore[no-any-return]


def reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "photo": reply.photo,
        "buttons": [
            [{"label": b.label, "data": b.data, "url": b.url} for b in row] for row in reply.buttons
        ],
        "reply_to": reply.reply_to,
        "silent": reply.silent,
        "mentions": list(reply.mentions),
        "typed_answer": reply.typed_answer,
    }


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data.get("text", ""),
        photo=data.get("photo"),
        buttons=tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ())),
        reply_to=data.get("reply_to"),
        silent=bool(data.get("silent", False)),
        mentions=tuple(data.get("mentions", ())),
        typed_answer=bool(data.get("typed_answer", False)),  # rows written before it: False
    )
