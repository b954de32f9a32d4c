"""DingTalk's Stream callbacks as core events.

A robot message (topic ``/v1.0/im/bot/messages/get``) carries ``msgId``, ``conversationId``
(the group's ``openConversationId``), ``conversationType`` (``"1"`` private, ``"2"`` group),
``senderStaffId`` (the person's userId in the organisation), ``senderNick``, ``createAt`` (ms),
``sessionWebhook`` and ``sessionWebhookExpiredTime`` (where and until when the message can be
answered), ``isInAtList``, and one of ``text`` (``text.content``), ``picture``
(``content.downloadCode``), ``richText`` (``content.richText``: text and pictures), ``audio``
(DingTalk's transcription in ``content.recognition``: it becomes the text), ``file``
(``content.downloadCode``, ``fileName``) or ``video`` (``content.downloadCode``). In a
group, the platform delivers only messages that @-mention the robot, and takes the mention off
the text (a leading ``@<name>`` left by some clients is taken off here too).

A card click (topic ``/v1.0/card/instances/callback``) carries ``outTrackId`` (the card's
``cardBizId``), ``userId`` and ``content`` with ``cardPrivateData.actionIds``: the clicked
button's id. Both ids are made by `render` so that they carry what the press needs: the chat in
the ``cardBizId``, the button's data in its id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qunzhu.core.adapter import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    Message,
    UserRef,
)

from .render import button_data, card_chat, card_message_id

__all__ = ["PLATFORM", "Mapper"]

PLATFORM = "dingtalk"

#: Messages that are one file to download: their kind and MIME type.
_MEDIA = {"file": (AttachmentKind.FILE, ""), "video": (AttachmentKind.VIDEO, "video/mp4")}


@dataclass
class Mapper:
    """Maps callbacks for one robot; `name` is how people mention it, `robot` its id."""

    robot: str
    name: str

    def __post_init__(self) -> None:
        self._mention = re.compile(rf"^\s*@{re.escape(self.name)}(?:\s+|$)")

    def chat_of(self, data: dict[str, Any]) -> ChatRef:
        if str(data.get("conversationType")) == "2":
            title = str(data.get("conversationTitle", ""))
            return ChatRef(PLATFORM, str(data.get("conversationId", "")), ChatKind.GROUP, title)
        return ChatRef(PLATFORM, _userid(data), ChatKind.DIRECT)

    def message(self, data: dict[str, Any], now: datetime) -> Message | None:
        """The `Message` of a robot callback, or None for a kind the core has no use for."""
        kind = data.get("msgtype")
        content = data.get("content") or {}
        texts: list[str] = []
        photos: list[str] = []
        if kind == "text":
            texts.append(str((data.get("text") or {}).get("content", "")))
        elif kind == "picture":
            photos.append(str(content.get("downloadCode", "")))
        elif kind == "richText":
            for item in content.get("richText", []):
                if "text" in item:
                    texts.append(str(item["text"]))
                elif item.get("downloadCode"):
                    photos.append(str(item["downloadCode"]))
        elif kind == "audio":  # DingTalk hands over its transcription; the sound is not fetched
            texts.append(str(content.get("recognition", "")))
        elif kind not in _MEDIA:
            return None
        chat = self.chat_of(data)
        text = self._mention.sub("", "\n".join(t for t in texts if t)).strip()
        attachments = tuple(
            Attachment(AttachmentKind.PHOTO, code, mime="image/jpeg") for code in photos if code
        )
        if kind in _MEDIA and content.get("downloadCode"):
            media_kind, mime = _MEDIA[str(kind)]
            name = str(content.get("fileName", ""))
            attachments = (Attachment(media_kind, str(content["downloadCode"]), mime, name=name),)
        heard = chat.is_direct or bool(data.get("isInAtList", True))
        return Message(
            event_id=str(data.get("msgId", "")),
            chat=chat,
            sender=UserRef(PLATFORM, _userid(data), str(data.get("senderNick", "") or "")),
            text=text,
            attachments=attachments,
            mentions=(self.robot,) if heard else (),
            sent_at=_time(data.get("createAt"), now),
        )

    def press(self, data: dict[str, Any], message_id: str, now: datetime) -> Event | None:
        """The `ButtonPress` of a card callback (None when it is not one of our cards)."""
        biz = str(data.get("outTrackId", ""))
        chat = card_chat(biz, PLATFORM)
        content = data.get("content") or {}
        if isinstance(content, str):
            content = json.loads(content or "{}")
        actions = (content.get("cardPrivateData") or {}).get("actionIds") or []
        pressed = button_data(str(actions[0])) if actions else None
        if chat is None or pressed is None:
            return None
        user = str(data.get("userId", ""))
        return ButtonPress(
            event_id=message_id or f"{biz}:{user}:{actions[0]}",
            chat=chat,
            sender=UserRef(PLATFORM, user, user),
            message_id=card_message_id(biz),
            data=pressed,
            sent_at=now,
        )


def _userid(data: dict[str, Any]) -> str:
    return str(data.get("senderStaffId") or data.get("senderId") or "")


def _time(created: Any, now: datetime) -> datetime:
    if isinstance(created, int | float) and created > 0:
        return datetime.fromtimestamp(created / 1000, UTC)
    return now
