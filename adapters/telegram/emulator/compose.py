"""Turning a bot's send parameters into message fields, with Telegram's checks.

* `formatted`: ``text``/``caption`` with ``parse_mode`` or explicit entities -> plain text and
  entities (auto-detected links and commands added), length-checked after parsing;
* `markup`: ``reply_markup`` validated (inline buttons need exactly one action; callback_data is
  1-64 bytes);
* `reply_target`: ``reply_parameters`` or the older ``reply_to_message_id``.
"""

from __future__ import annotations

from typing import Any

from . import entities as ent
from .chats import Chat
from .errors import bad_request
from .forms import Params
from .html_text import parse_html
from .world import World

__all__ = ["formatted", "markup", "reply_target"]

_ACTIONS = [
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
]


def formatted(
    world: World,
    params: Params,
    field: str,
    *,
    limit: int,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse ``field`` (text or caption) as Telegram does: (plain text, sorted entities).
    An empty text is returned as "" (the caller decides whether that is an error)."""
    raw = params.string(field) or ""
    entities_field = "caption_entities" if caption else "entities"
    mode = (params.string("parse_mode") or "").strip()
    if entities_field in params:
        text = raw
        found = ent.from_bot(params.json(entities_field, "entities"), text)
    elif mode.lower() == "html":
        text, found = parse_html(raw, users=_lookup(world), strict=world.strict_html)
    elif mode.lower() in ("markdown", "markdownv2"):
        msg = f"can't parse entities: the emulator does not implement parse_mode {mode}"
        raise bad_request(msg)
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        text, found = raw, []
    text, found = ent.finish(text, found)
    found = sorted(found + ent.detect(text, found), key=lambda e: (e["offset"], -e["length"]))
    if len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text, found


def _lookup(world: World) -> Any:
    def find(user_id: int) -> dict[str, Any] | None:
        user = world.users.get(user_id)
        return user.as_json() if user is not None else None

    return find


def markup(params: Params) -> dict[str, Any] | None:
    """The validated ``reply_markup``, or None."""
    if "reply_markup" not in params:
        return None
    value = params.json("reply_markup", "reply keyboard markup")
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in value:
        return {"inline_keyboard": _inline_rows(value["inline_keyboard"])}
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return value
    if value.get("remove_keyboard") or value.get("force_reply"):
        return value
    raise bad_request("object expected as reply markup")


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    out: list[list[dict[str, Any]]] = []
    for row in rows:
        buttons: list[dict[str, Any]] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text field must be a String")
            actions = [a for a in _ACTIONS if a in button]
            if not actions:
                detail = "Text buttons are unallowed in the inline keyboard"
                raise bad_request(f"can't parse inline keyboard button: {detail}")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not _url_ok(button["url"]):
                raise bad_request("BUTTON_URL_INVALID")
            if not button["text"].strip():
                raise bad_request("text must be non-empty")
            buttons.append(button)
        if buttons:
            out.append(buttons)
    return out


def _url_ok(url: Any) -> bool:
    if not isinstance(url, str) or " " in url:
        return False
    return url.startswith(("http://", "https://", "tg://")) or ("." in url and "/" not in url[:1])


def reply_target(world: World, chat: Chat, params: Params) -> dict[str, Any] | None:
    """The message being replied to, as the ``reply_to_message`` field, or None. A missing
    target is ``message to be replied not found`` unless allow_sending_without_reply."""
    target: int | None = None
    allow = params.flag("allow_sending_without_reply")
    if "reply_parameters" in params:
        value = params.json("reply_parameters", "reply parameters")
        if not isinstance(value, dict):
            raise bad_request("can't parse reply parameters JSON object")
        target = value.get("message_id") if isinstance(value.get("message_id"), int) else None
        allow = bool(value.get("allow_sending_without_reply", allow))
        other = value.get("chat_id")
        if other is not None and other != chat.id:
            chat = world.chat_for_bot(other)
    elif "reply_to_message_id" in params:
        target = params.integer("reply_to_message_id")
    if not target:
        return None
    stored = chat.messages.get(target)
    if stored is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in stored.data.items() if k != "reply_to_message"}
