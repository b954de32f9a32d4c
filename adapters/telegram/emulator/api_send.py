"""Bot API methods that post: sendMessage, sendPhoto, sendDocument, sendMediaGroup,
sendLocation and sendChatAction.

Each one checks its parameters the way Telegram does (chat, rights, text, markup, reply target,
files) and only then asks the rate limiter, so a refused request never counts and a counted one
is always stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .backend import Backend, Handler
from .chats import Chat
from .compose import formatted, markup, reply_target
from .errors import bad_request
from .forms import Params, Upload

__all__ = ["HANDLERS"]

_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)


def _target(backend: Backend, params: Params) -> Chat:
    chat = backend.world.chat_for_bot(params.chat_id())
    backend.world.writable(chat)
    return chat


async def send_message(backend: Backend, params: Params) -> Any:
    chat = _target(backend, params)
    text, entities = formatted(backend.world, params, "text", limit=4096)
    if not text:
        raise bad_request("message text is empty")
    fields: dict[str, Any] = {"text": text}
    if entities:
        fields["entities"] = entities
    preview = params.json("link_preview_options", "link preview options")
    if params.flag("disable_web_page_preview"):
        preview = {"is_disabled": True}
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    keyboard = markup(params)
    reply = reply_target(backend.world, chat, params)
    stored = backend.deliver(
        "sendMessage", chat, fields, markup=keyboard, reply=reply, params=params
    )
    return stored.data


async def _media(backend: Backend, source: Upload | str | None, kind: str) -> Any:
    """Resolve a photo/document parameter to the PhotoSize list or Document object."""
    files = backend.world.files
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(source, str):
        if source.startswith(("http://", "https://")):
            data, content_type = await backend.fetch(source)
            name = urlsplit(source).path.rsplit("/", 1)[-1] or "file"
            source = Upload(name, content_type, data)
        else:
            return files.reuse(source.strip(), kind)
    if kind == "photo":
        return files.photo(source.data)
    kind_given = source.content_type if source.content_type != "application/octet-stream" else None
    return files.document(source.data, source.filename, kind_given)


def _caption(backend: Backend, params: Params) -> dict[str, Any]:
    caption, entities = formatted(backend.world, params, "caption", limit=1024, caption=True)
    fields: dict[str, Any] = {}
    if caption:
        fields["caption"] = caption
    if entities:
        fields["caption_entities"] = entities
    if params.flag("has_spoiler"):
        fields["has_media_spoiler"] = True
    return fields


async def _send_file(backend: Backend, params: Params, kind: str, method: str) -> Any:
    chat = _target(backend, params)
    caption = _caption(backend, params)
    keyboard = markup(params)
    reply = reply_target(backend.world, chat, params)
    media = await _media(backend, params.file(kind), kind)
    fields = {kind: media, **caption}
    return backend.deliver(method, chat, fields, markup=keyboard, reply=reply, params=params).data


async def send_photo(backend: Backend, params: Params) -> Any:
    return await _send_file(backend, params, "photo", "sendPhoto")


async def send_document(backend: Backend, params: Params) -> Any:
    return await _send_file(backend, params, "document", "sendDocument")


async def send_media_group(backend: Backend, params: Params) -> Any:
    chat = _target(backend, params)
    if "media" not in params:
        raise bad_request('parameter "media" is required')
    items = params.json("media", "media")
    if not isinstance(items, list):
        raise bad_request("expected an Array of InputMedia")
    if not items:
        raise bad_request("media must be non-empty")
    if len(items) > 10:
        raise bad_request("too many messages to send as an album")
    kinds = {item.get("type") if isinstance(item, dict) else None for item in items}
    if not kinds <= {"photo", "document"}:
        raise bad_request("can't parse InputMedia: unsupported media type in this emulator")
    if len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    reply = reply_target(backend.world, chat, params)
    prepared: list[dict[str, Any]] = []
    for item in items:
        sub = Params(dict(item), params.files)
        if not isinstance(item.get("media"), str):
            raise bad_request("can't parse InputMedia: media not found")
        source = params.attached(item["media"])
        kind = item["type"]
        prepared.append({kind: await _media(backend, source, kind), **_caption(backend, sub)})
    backend.limiter.admit("sendMediaGroup", chat.id, chat.is_private, len(prepared))
    group_id = str(backend.world.next_id("media_group"))
    out = []
    for fields in prepared:
        stored = backend.deliver(
            "sendMediaGroup",
            chat,
            {"media_group_id": group_id, **fields},
            reply=reply,
            params=params,
            admitted=True,
        )
        out.append(stored.data)
    return out


async def send_location(backend: Backend, params: Params) -> Any:
    chat = _target(backend, params)
    latitude, longitude = params.number("latitude"), params.number("longitude")
    if latitude is None or longitude is None:
        raise bad_request("wrong latitude or longitude specified")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong location specified")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for name in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        value = params.number(name)
        if value is not None:
            location[name] = int(value) if name != "horizontal_accuracy" else value
    keyboard = markup(params)
    reply = reply_target(backend.world, chat, params)
    fields = {"location": location}
    stored = backend.deliver(
        "sendLocation", chat, fields, markup=keyboard, reply=reply, params=params
    )
    return stored.data


async def send_chat_action(backend: Backend, params: Params) -> Any:
    chat = _target(backend, params)
    action = params.string("action") or ""
    if action not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    backend.world.chat_actions.append((chat.id, action))
    return True


HANDLERS: dict[str, Handler] = {
    "sendmessage": send_message,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "sendmediagroup": send_media_group,
    "sendlocation": send_location,
    "sendchataction": send_chat_action,
}
