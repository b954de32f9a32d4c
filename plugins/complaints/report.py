"""`Report`: what someone reported, before it is a ticket (from a group message, the private
dialog, ``/ticket`` or the hotline). Kept as JSON while it waits for a decision."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from qunzhu.core import Attachment, AttachmentKind, ChatRef, Location, Message

__all__ = ["Report", "is_video", "media_of", "photo_refs"]

_MEDIA = (AttachmentKind.PHOTO, AttachmentKind.VIDEO)


def media_of(message: Message) -> tuple[Attachment, ...]:
    """The photos and videos of `message`, in the order sent."""
    return tuple(a for a in message.attachments if a.kind in _MEDIA)


def photo_refs(platform: str, photos: tuple[Attachment, ...]) -> tuple[dict[str, Any], ...]:
    """Photos (and videos) as stored on a ticket: the platform's reference, kept to show them
    again; a video says so (``"kind": "video"``), a photo stays as photos always were."""
    return tuple(
        {"platform": platform, "ref": p.ref, "mime": p.mime, "size": p.size}
        | ({"kind": p.kind.value} if p.kind is not AttachmentKind.PHOTO else {})
        for p in photos
    )


def is_video(ref: dict[str, Any]) -> bool:
    return ref.get("kind") == AttachmentKind.VIDEO.value


@dataclass(frozen=True, slots=True)
class Report:
    description: str
    category: str
    source: str  # group | private | command | hotline
    photos: tuple[dict[str, Any], ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    reporter_id: int | None = None
    reporter_key: str = ""
    reporter_name: str = ""
    reporter_lang: str | None = None
    phone: str = ""
    anonymous: bool = False
    source_chat: str = ""
    source_kind: str = "group"
    source_title: str = ""
    source_event: str = ""
    #: Where the reporter hears of progress when it is not where it was reported: their
    #: private chat, for a report an official filed on their behalf.
    reply_chat: str = ""
    external_id: str | None = None
    priority: str = "normal"
    #: The unit chosen before filing (the group's own, or the one the filer confirmed);
    #: None: the category's.
    department: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_message(cls, message: Message, category: str, source: str) -> Report:
        """A report made of a chat message: its text, photos and location, its author."""
        loc = message.location
        return cls(
            description=message.text.strip(),
            category=category,
            source=source,
            photos=photo_refs(message.chat.platform, media_of(message)),
            latitude=loc.latitude if loc else None,
            longitude=loc.longitude if loc else None,
            address=loc.address if loc else "",
            reporter_key=message.sender.key,
            reporter_name=message.sender.name,
            reporter_lang=message.sender.lang,
            source_chat=message.chat.key,
            source_kind=message.chat.kind.value,
            source_title="" if message.chat.is_direct else message.chat.title,
            source_event=message.event_id,
        )

    def at(self, location: Location | None, address: str = "") -> Report:
        if location is None:
            return replace(self, address=address or self.address)
        return replace(
            self,
            latitude=location.latitude,
            longitude=location.longitude,
            address=location.address or address or self.address,
        )

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def follower(self) -> tuple[str, str, str, str | None] | None:
        """Who follows the ticket of this report, and where: (key, chat, chat kind, the message
        to answer under); None when nobody can be reached. A report filed on someone's behalf
        is followed in the reporter's private chat, or by the official who filed it."""
        if self.reply_chat and self.reporter_key:
            return self.reporter_key, self.reply_chat, "direct", None
        key = self.reporter_key or str(self.extra.get("filed_by_key") or "")
        if not key or not self.source_chat:
            return None
        thread = self.source_event if self.source_kind == "group" else None
        return key, self.source_chat, self.source_kind, thread

    def source_ref(self) -> ChatRef | None:
        platform, sep, chat_id = self.source_chat.partition(":")
        if not sep:
            return None
        from qunzhu.core import ChatKind

        return ChatRef(platform, chat_id, ChatKind(self.source_kind), self.source_title)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["photos"] = list(self.photos)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(**{**data, "photos": tuple(data.get("photos") or ())})
