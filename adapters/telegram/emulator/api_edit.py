"""Bot API methods that change what is already there: editMessageText, editMessageCaption,
editMessageReplyMarkup, deleteMessage, and answerCallbackQuery.

Edits follow Telegram's rules: only the bot's own messages; leaving out reply_markup removes the
inline keyboard; an edit that changes nothing is the long "message is not modified" 400; edits
count against the flood limits unless `Limits.count_edits` is off.
"""

from __future__ import annotations

from typing import Any

from .backend import Backend, Handler
from .chats import Chat, Stored
from .compose import formatted, markup
from .errors import NOT_MODIFIED, bad_request
from .forms import Params

__all__ = ["HANDLERS"]


def _editable(backend: Backend, params: Params) -> tuple[Chat, Stored]:
    if "inline_message_id" in params and "chat_id" not in params:
        raise bad_request("message to edit not found")
    chat = backend.world.chat_for_bot(params.chat_id())
    backend.world.writable(chat)
    stored = backend.world.message(chat, params.integer("message_id"), "message to edit not found")
    if stored.sender_id != backend.world.bot.id:
        raise bad_request("message can't be edited")
    return chat, stored


def _inline(params: Params) -> dict[str, Any] | None:
    keyboard = markup(params)
    if keyboard is not None and "inline_keyboard" not in keyboard:
        raise bad_request("inline keyboard expected")
    return keyboard if keyboard and keyboard["inline_keyboard"] else None


def _apply(
    backend: Backend,
    method: str,
    chat: Chat,
    stored: Stored,
    *,
    changes: dict[str, Any],
    keyboard: dict[str, Any] | None,
) -> Any:
    """Refuse a no-op edit, count the edit, then apply `changes` (None values delete fields)."""
    data = stored.data
    same = all(data.get(k) == v for k, v in changes.items())
    if same and data.get("reply_markup") == keyboard:
        raise bad_request(NOT_MODIFIED)
    if backend.limiter.limits.count_edits:
        backend.limiter.admit(method, chat.id, chat.is_private)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    data.pop("reply_markup", None)
    if keyboard is not None:
        data["reply_markup"] = keyboard
    stored.markup = keyboard
    data["edit_date"] = backend.world.date()
    stored.edit_count += 1
    backend.world.changed.fire()
    return data


async def edit_message_text(backend: Backend, params: Params) -> Any:
    chat, stored = _editable(backend, params)
    text, entities = formatted(backend.world, params, "text", limit=4096)
    if not text:
        raise bad_request("message text is empty")
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    changes = {"text": text, "entities": entities or None}
    return _apply(
        backend, "editMessageText", chat, stored, changes=changes, keyboard=_inline(params)
    )


async def edit_message_caption(backend: Backend, params: Params) -> Any:
    chat, stored = _editable(backend, params)
    if not {"photo", "document", "video", "audio"} & stored.data.keys():
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted(backend.world, params, "caption", limit=1024, caption=True)
    changes = {"caption": caption or None, "caption_entities": entities or None}
    return _apply(
        backend, "editMessageCaption", chat, stored, changes=changes, keyboard=_inline(params)
    )


async def edit_message_reply_markup(backend: Backend, params: Params) -> Any:
    chat, stored = _editable(backend, params)
    return _apply(
        backend, "editMessageReplyMarkup", chat, stored, changes={}, keyboard=_inline(params)
    )


async def delete_message(backend: Backend, params: Params) -> Any:
    world = backend.world
    chat = world.chat_for_bot(params.chat_id())
    stored = world.message(chat, params.integer("message_id"), "message to delete not found")
    own = stored.sender_id == world.bot.id
    if not (own or chat.is_private or chat.bot_status == "administrator"):
        raise bad_request("message can't be deleted")
    del chat.messages[stored.data["message_id"]]
    world.changed.fire()
    return True


async def answer_callback_query(backend: Backend, params: Params) -> Any:
    query_id = params.string("callback_query_id") or ""
    callback = backend.world.callbacks.get(query_id)
    too_old = callback is not None and (
        backend.clock() - callback.pressed_at > backend.callback_timeout
    )
    if callback is None or callback.answer is not None or too_old:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    callback.answer = {
        "text": params.string("text"),
        "show_alert": params.flag("show_alert"),
        "url": params.string("url"),
        "cache_time": params.integer("cache_time") or 0,
    }
    backend.world.changed.fire()
    return True


HANDLERS: dict[str, Handler] = {
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
}
