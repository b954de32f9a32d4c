"""Matrix events → core events: pure functions of an event's JSON (matrix-nio's ``event.source``).

What the core does not need to know stays here: msgtypes, ``m.relates_to`` and its relation
types, reply fallbacks, ``geo:`` URIs, pills, the room member state machine. Where an event
happened and who sent it are given (a `ChatRef`, a `UserRef`): the room directory knows names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote

from qunzhu.core.adapter import (
    Attachment,
    AttachmentKind,
    ChatRef,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)

__all__ = [
    "ENCRYPTED_REF",
    "PLATFORM",
    "content_of",
    "geo_location",
    "member_change",
    "member_event",
    "message_event",
    "reaction_event",
    "relation",
    "sent_at",
    "strip_reply_fallback",
]

PLATFORM = "matrix"
#: An encrypted attachment's `Attachment.ref`: this prefix, then the JSON of its ``file``
#: (the mxc URI with the key to decrypt it).
ENCRYPTED_REF = "mxc+encrypted:"
_KINDS = {
    "m.image": AttachmentKind.PHOTO,
    "m.video": AttachmentKind.VIDEO,
    "m.file": AttachmentKind.FILE,
    "m.audio": AttachmentKind.FILE,
}
_TEXTS = frozenset({"m.text", "m.notice", "m.emote"})
_PILL = re.compile(r"""href=["']https://matrix\.to/#/((?:@|%40)[^"'?/]+)""")
_GEO = re.compile(r"geo:\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)")
Json = Mapping[str, Any]


def sent_at(event: Json) -> datetime | None:
    ts = event.get("origin_server_ts")
    if not isinstance(ts, int):
        return None
    return datetime.fromtimestamp(ts / 1000, tz=UTC)


def content_of(event: Json) -> Json:
    content = event.get("content")
    return content if isinstance(content, Mapping) else {}


def relation(content: Json) -> Json:
    rel = content.get("m.relates_to")
    return rel if isinstance(rel, Mapping) else {}


def message_event(event: Json, chat: ChatRef, sender: UserRef) -> Message | None:
    """An ``m.room.message`` as a `Message` (an edit when it replaces another message); None
    for what plugins cannot use (an unknown msgtype without text, a redacted message)."""
    content = content_of(event)
    rel = relation(content)
    edit_of = None
    if rel.get("rel_type") == "m.replace" and isinstance(rel.get("event_id"), str):
        edit_of = rel["event_id"]
        new = content.get("m.new_content")
        content = new if isinstance(new, Mapping) else content
    msgtype = content.get("msgtype")
    body = content.get("body")
    if not isinstance(msgtype, str) or not isinstance(body, str):
        return None
    reply_to = _reply_to(rel) if edit_of is None else None
    text, location = "", None
    attachments: tuple[Attachment, ...] = ()
    if msgtype in _TEXTS:
        text = strip_reply_fallback(body) if reply_to else body
    elif msgtype in _KINDS:
        attachment = _attachment(content, _KINDS[msgtype], body)
        if attachment is None:
            return None
        attachments, text = (attachment,), attachment.caption
    elif msgtype == "m.location":
        location = geo_location(content)
        if location is None:
            return None
    elif body:
        text = strip_reply_fallback(body) if reply_to else body
    else:
        return None
    return Message(
        str(event["event_id"]),
        chat,
        sender,
        text,
        attachments,
        location,
        reply_to,
        _mentions(content),
        sent_at(event),
        _thread(rel),
        edit_of is not None,
        edit_of,
    )


def _reply_to(rel: Json) -> str | None:
    if rel.get("rel_type") == "m.thread" and rel.get("is_falling_back"):
        return None  # a thread message names the thread's last one only for older clients
    reply = rel.get("m.in_reply_to")
    if isinstance(reply, Mapping) and isinstance(reply.get("event_id"), str):
        return str(reply["event_id"])
    return None


def _thread(rel: Json) -> str | None:
    if rel.get("rel_type") == "m.thread" and isinstance(rel.get("event_id"), str):
        return str(rel["event_id"])
    return None


def strip_reply_fallback(body: str) -> str:
    """`body` without the quoted lines (``> …``) a client puts before a reply's own text."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    if lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _attachment(content: Json, kind: AttachmentKind, body: str) -> Attachment | None:
    info = content.get("info")
    info = info if isinstance(info, Mapping) else {}
    file = content.get("file")
    if isinstance(file, Mapping) and isinstance(file.get("url"), str):
        ref = ENCRYPTED_REF + json.dumps(dict(file), separators=(",", ":"), sort_keys=True)
    elif isinstance(content.get("url"), str):
        ref = str(content["url"])
    else:
        return None
    filename = content.get("filename")
    # Matrix 1.10: when `filename` is given and differs from `body`, the body is a caption.
    if isinstance(filename, str) and filename and filename != body:
        name, caption = filename, body
    else:
        name, caption = body, ""
    size = info.get("size")
    mime = info.get("mimetype")
    return Attachment(
        kind,
        ref,
        mime if isinstance(mime, str) else "",
        size if isinstance(size, int) else None,
        name,
        caption,
    )


def geo_location(content: Json) -> Location | None:
    """The position of an ``m.location`` message: its ``geo_uri`` (``geo:lat,lon;u=…``), or the
    extensible-events form (``m.location`` / MSC3488) some clients send as well."""
    candidates: list[Any] = [content.get("geo_uri")]
    for key in ("m.location", "org.matrix.msc3488.location"):
        extra = content.get(key)
        if isinstance(extra, Mapping):
            candidates.append(extra.get("uri"))
    for uri in candidates:
        if isinstance(uri, str) and (found := _GEO.match(uri.strip())):
            lat, lon = float(found.group(1)), float(found.group(2))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return Location(lat, lon, _description(content))
    return None


def _description(content: Json) -> str:
    for key in ("m.location", "org.matrix.msc3488.location"):
        extra = content.get(key)
        if isinstance(extra, Mapping) and isinstance(extra.get("description"), str):
            return str(extra["description"])
    return ""


def _mentions(content: Json) -> tuple[str, ...]:
    """``matrix:<user id>`` for each person the message mentions: ``m.mentions`` and the pills
    (``https://matrix.to/#/@…`` links) of its HTML, in order, once each."""
    found: list[str] = []
    mentions = content.get("m.mentions")
    if isinstance(mentions, Mapping) and isinstance(mentions.get("user_ids"), list):
        found += [u for u in mentions["user_ids"] if isinstance(u, str)]
    html = content.get("formatted_body")
    if isinstance(html, str) and "matrix.to" in html:
        html = re.sub(r"<mx-reply>.*?</mx-reply>", "", html, flags=re.DOTALL)
        found += [unquote(m) for m in _PILL.findall(html)]
    return tuple(dict.fromkeys(f"{PLATFORM}:{u}" for u in found if u.startswith("@")))


def reaction_event(event: Json, chat: ChatRef, sender: UserRef) -> Reaction | None:
    """An ``m.reaction`` (``m.annotation``) as a `Reaction`."""
    rel = relation(content_of(event))
    target, key = rel.get("event_id"), rel.get("key")
    if rel.get("rel_type") != "m.annotation" or not isinstance(target, str):
        return None
    if not isinstance(key, str) or not key:
        return None
    return Reaction(str(event["event_id"]), chat, sender, target, key, sent_at=sent_at(event))


def member_change(event: Json) -> Literal["joined", "left"] | None:
    """Whether an ``m.room.member`` event is someone joining or leaving (a kick and a ban are
    leaving; an invitation, a declined invitation or a new display name are neither)."""
    membership = content_of(event).get("membership")
    prev = _prev_content(event).get("membership")
    if membership == "join" and prev != "join":
        return "joined"
    if membership in ("leave", "ban") and prev == "join":
        return "left"
    return None


def _prev_content(event: Json) -> Json:
    unsigned = event.get("unsigned")
    prev = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
    if prev is None:
        prev = event.get("prev_content")  # older homeservers put it at the top level
    return prev if isinstance(prev, Mapping) else {}


def member_event(event: Json, chat: ChatRef, actor: UserRef, user: UserRef) -> MemberChange | None:
    change = member_change(event)
    if change is None:
        return None
    membership = str(content_of(event).get("membership"))
    return MemberChange(
        str(event["event_id"]),
        chat,
        actor,
        user,
        change,
        sent_at(event),
        extra={"membership": membership},
    )
