"""Events and replies as JSON, for the inbox and the outbox tables."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from qunzhu.core.events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.reply import Button, Reply

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


def event_to_json(event: Event) -> dict[str, Any]:
    data = asdict(event)
    data.pop("event_id", None)
    data.pop("chat", None)
    if data.get("sent_at") is not None:
        data["sent_at"] = event.sent_at.isoformat()  # type: ignore[union-attr]
    data["chat_kind"] = event.chat.kind.value
    data["chat_title"] = event.chat.title
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
    elif kind == "member":
        data["user"] = UserRef(**data["user"])
    cls: Any = _TYPES[kind]
    return cls(event_id=event_id, chat=chat, **data)  # type: ignore[no-any-return]


def reply_to_json(reply: Reply) -> dict[str, Any]:
    data = asdict(reply)
    data["buttons"] = [[asdict(b) for b in row] for row in reply.buttons]
    data["mentions"] = list(reply.mentions)
    return data


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        text=data.get("text", ""),
        photo=data.get("photo"),
        buttons=tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ())),
        reply_to=data.get("reply_to"),
        silent=bool(data.get("silent", False)),
        mentions=tuple(data.get("mentions", ())),
    )
