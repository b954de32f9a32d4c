"""WeCom's callback frames as core events.

A message callback (``aibot_msg_callback``) carries ``msgid``, ``chatid`` (groups only),
``chattype`` (``single`` or ``group``), ``from.userid`` and one of ``text``, ``image``,
``mixed`` (text and images), ``voice`` (WeCom's transcription as ``voice.content``), ``file``,
``video``, perhaps with a ``quote`` of an earlier message; an event callback
(``aibot_event_callback``) carries ``event.eventtype``: ``template_card_event`` (a card's
button clicked: ``event_key``, ``task_id``) becomes a `ButtonPress`. In a group the text begins
with the bot's mention (``@群助手``): it is taken off, so that ``@群助手 /ticket`` is the
command ``/ticket``. A media reference is ``"<aeskey> <url>"``: the file's own key travels with
its address (`media.download`).
"""

from __future__ import annotations

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

__all__ = ["PLATFORM", "Mapper", "media_ref"]

PLATFORM = "wecom"

_KINDS = {"image": AttachmentKind.PHOTO, "file": AttachmentKind.FILE, "video": AttachmentKind.VIDEO}


def media_ref(item: dict[str, Any]) -> str:
    """The attachment reference of a media item (``{"url", "aeskey"}``)."""
    return f"{item.get('aeskey', '')} {item.get('url', '')}"


@dataclass
class Mapper:
    """Maps frames for one bot; `name` is how people mention it, `bot_id` its user id."""

    bot_id: str
    name: str

    def __post_init__(self) -> None:
        self._mention = re.compile(rf"@{re.escape(self.name)}(?:\s+|$)")

    def chat_of(self, body: dict[str, Any]) -> ChatRef:
        sender = str(body.get("from", {}).get("userid", ""))
        if body.get("chattype") == "group":
            return ChatRef(PLATFORM, str(body.get("chatid", "")), ChatKind.GROUP)
        return ChatRef(PLATFORM, sender, ChatKind.DIRECT)

    def sender_of(self, body: dict[str, Any]) -> UserRef:
        who = body.get("from", {})
        userid = str(who.get("userid", ""))
        return UserRef(PLATFORM, userid, str(who.get("name", "") or userid))

    def event(self, frame: dict[str, Any], now: datetime) -> Event | None:
        """The core event of a callback frame, or None for what the core has no event for
        (entering a private chat, feedback on an answer)."""
        body = frame.get("body") or {}
        sent_at = _time(body, now)
        if body.get("msgtype") == "event":
            event = body.get("event") or {}
            if event.get("eventtype") != "template_card_event":
                return None
            card = event.get("template_card_event") or {}
            return ButtonPress(
                event_id=str(body.get("msgid", "")),
                chat=self.chat_of(body),
                sender=self.sender_of(body),
                message_id=str(card.get("task_id", "")),
                data=str(card.get("event_key", "")),
                sent_at=sent_at,
            )
        return self.message(body, sent_at)

    def message(self, body: dict[str, Any], sent_at: datetime) -> Message | None:
        kind = body.get("msgtype")
        texts: list[str] = []
        attachments: list[Attachment] = []
        if kind == "text":
            texts.append(str(body.get("text", {}).get("content", "")))
        elif kind == "voice":  # WeCom hands over its transcription, not the sound
            texts.append(str(body.get("voice", {}).get("content", "")))
        elif kind == "mixed":
            for item in body.get("mixed", {}).get("msg_item", []):
                if item.get("msgtype") == "text":
                    texts.append(str(item.get("text", {}).get("content", "")))
                elif item.get("msgtype") == "image":
                    attachments.append(self._attachment("image", item.get("image", {})))
        elif kind in _KINDS:
            attachments.append(self._attachment(kind, body.get(kind, {})))
        else:
            return None
        chat = self.chat_of(body)
        text = "\n".join(t for t in texts if t)
        mentioned = not chat.is_direct or bool(self._mention.search(text))
        text = self._mention.sub("", text).strip()
        return Message(
            event_id=str(body.get("msgid", "")),
            chat=chat,
            sender=self.sender_of(body),
            text=text,
            attachments=tuple(attachments),
            mentions=(self.bot_id,) if mentioned else (),
            sent_at=sent_at,
        )

    def quoted_text(self, body: dict[str, Any]) -> str:
        """The text of the message a callback quotes ('' when it quotes none or no text)."""
        quote = body.get("quote") or {}
        if quote.get("msgtype") == "text":
            return str(quote.get("text", {}).get("content", "")).strip()
        if quote.get("msgtype") == "mixed":
            items = quote.get("mixed", {}).get("msg_item", [])
            return "\n".join(
                str(i.get("text", {}).get("content", ""))
                for i in items
                if i.get("msgtype") == "text"
            ).strip()
        return ""

    def _attachment(self, kind: str, item: dict[str, Any]) -> Attachment:
        mime = {"image": "image/jpeg", "video": "video/mp4"}.get(kind, "")
        return Attachment(
            _KINDS[kind], media_ref(item), mime=mime, name=str(item.get("filename", ""))
        )


def _time(body: dict[str, Any], now: datetime) -> datetime:
    created = body.get("create_time")
    if isinstance(created, int | float) and created > 0:
        return datetime.fromtimestamp(created, UTC)
    return now
