"""The control API: the test API over HTTP, for a bot running in another process and for the demo
page. Every route answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``
(400). Ids are the emulator's: ``user_id``, ``chat_id``, ``message_id``.

=======  ==========================  ==========================================================
GET      /control/state              bot, users, chats, pending update count, webhook url
POST     /control/users              {first_name, last_name?, username?, language_code?}
POST     /control/chats              {type: private|group|supergroup, title?, user_id?, bot_admin?}
POST     /control/say                {user_id, chat_id, text, reply_to_message_id?}
POST     /control/forward            {user_id, chat_id, from_chat_id, message_id, hidden?}
POST     /control/photo              {user_id, chat_id, photo_base64, caption?}
POST     /control/location           {user_id, chat_id, latitude, longitude}
POST     /control/press              {user_id, chat_id, message_id, data}
POST     /control/react              {user_id, chat_id, message_id, emoji (null removes)}
POST     /control/join, /leave       {user_id, chat_id}
POST     /control/kick_bot           {chat_id}
POST     /control/block_bot          {user_id}
POST     /control/migrate            {chat_id}  -> {chat_id: the new id}
GET      /control/messages           ?chat_id=&after=message_id  every message, oldest first
GET      /control/sent               ?chat_id=  the bot's messages
GET      /control/reactions          ?chat_id=  [{message_id, user_id, emoji: [...]}] now on
                                     the messages (the bot's setMessageReaction included)
GET      /control/violations         flood-limit violations
GET      /control/counts             {total, by_chat} delivered sends
GET      /control/calls              every Bot API request with its status
GET      /control/callbacks          callback queries and the bot's answers
POST     /control/fail_next          {method, error_code?, retry_after?, chat_id?, times?, delay?}
POST     /control/reset              empty world
GET      /control/files/{file_id}    a file's bytes (the page shows photos with it)
=======  ==========================  ==========================================================
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .chats import Chat, User
from .errors import ScenarioError

if TYPE_CHECKING:
    from .emulator import TelegramEmulator

__all__ = ["add_control_routes"]

Body = dict[str, Any]
Action = Callable[["TelegramEmulator", Body], Any]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _user(tg: TelegramEmulator, body: Body) -> User:
    user = tg.world.users.get(int(body["user_id"]))
    if user is None:
        msg = f"no user {body['user_id']}"
        raise ScenarioError(msg)
    return user


def _chat(tg: TelegramEmulator, body: Body) -> Chat:
    return tg.chat(int(body["chat_id"]))


def _message(tg: TelegramEmulator, body: Body) -> dict[str, Any]:
    return tg.message(_chat(tg, body), int(body["message_id"]))


def _chat_summary(chat: Chat) -> Body:
    return {**chat.as_json(), "bot_status": chat.bot_status, "migrated_to": chat.migrated_to}


def _state(tg: TelegramEmulator, body: Body) -> Any:
    return {
        "bot": tg.bot.as_json(),
        "users": [u.as_json() for u in tg.world.users.values()],
        "chats": [_chat_summary(c) for c in tg.world.chats.values()],
        "pending_updates": len(tg.world.updates),
        "webhook": tg.world.webhook.url,
    }


def _new_user(tg: TelegramEmulator, body: Body) -> Any:
    names = ("last_name", "username", "language_code")
    return tg.user(str(body["first_name"]), **{k: body.get(k) for k in names}).as_json()


def _new_chat(tg: TelegramEmulator, body: Body) -> Any:
    kind = body.get("type", "supergroup")
    if kind == "private":
        return _chat_summary(tg.private(_user(tg, body)))
    if kind not in ("group", "supergroup"):
        msg = f"unknown chat type {kind!r}"
        raise ScenarioError(msg)
    chat = tg.group(
        str(body.get("title") or "Group"),
        supergroup=kind == "supergroup",
        bot_admin=bool(body.get("bot_admin")),
    )
    return _chat_summary(chat)


def _say(tg: TelegramEmulator, body: Body) -> Any:
    chat = _chat(tg, body)
    target = body.get("reply_to_message_id")
    reply_to = tg.message(chat, int(target)) if target else None
    return tg.say(_user(tg, body), chat, str(body["text"]), reply_to=reply_to)


def _forward(tg: TelegramEmulator, body: Body) -> Any:
    original = tg.message(int(body["from_chat_id"]), int(body["message_id"]))
    hidden = bool(body.get("hidden", False))
    return tg.forward(_user(tg, body), _chat(tg, body), original, hidden=hidden)


def _photo(tg: TelegramEmulator, body: Body) -> Any:
    try:
        data = base64.b64decode(str(body["photo_base64"]).split(",")[-1], validate=True)
    except binascii.Error as exc:
        msg = f"photo_base64 is not base64: {exc}"
        raise ScenarioError(msg) from None
    caption = body.get("caption") or None
    return tg.send_photo(_user(tg, body), _chat(tg, body), data, caption=caption)


def _location(tg: TelegramEmulator, body: Body) -> Any:
    latitude, longitude = float(body["latitude"]), float(body["longitude"])
    return tg.send_location(_user(tg, body), _chat(tg, body), latitude, longitude)


def _migrate(tg: TelegramEmulator, body: Body) -> Any:
    return {"chat_id": tg.migrate(_chat(tg, body))}


def _fail_next(tg: TelegramEmulator, body: Body) -> Any:
    fields = {
        k: body[k] for k in ("error_code", "retry_after", "description", "chat_id") if k in body
    }
    rule = tg.fail_next(
        str(body["method"]),
        times=int(body.get("times", 1)),
        delay=float(body.get("delay", 0.0)),
        **fields,
    )
    return dataclasses.asdict(rule)


def _reset(tg: TelegramEmulator, body: Body) -> Any:
    tg.reset()
    return True


_POSTS: dict[str, Action] = {
    "users": _new_user,
    "chats": _new_chat,
    "say": _say,
    "forward": _forward,
    "photo": _photo,
    "location": _location,
    "press": lambda tg, b: tg.press(_user(tg, b), _message(tg, b), str(b["data"])),
    "react": lambda tg, b: tg.react(_user(tg, b), _message(tg, b), b.get("emoji")),
    "join": lambda tg, b: tg.join(_user(tg, b), _chat(tg, b)),
    "leave": lambda tg, b: tg.leave(_user(tg, b), _chat(tg, b)),
    "kick_bot": lambda tg, b: tg.kick_bot(_chat(tg, b)),
    "block_bot": lambda tg, b: tg.block_bot(_user(tg, b)),
    "migrate": _migrate,
    "fail_next": _fail_next,
    "reset": _reset,
}
_GETS: dict[str, Action] = {
    "state": _state,
    "messages": lambda tg, q: [
        m for m in tg.messages(_chat(tg, q)) if m["message_id"] > int(q.get("after", 0))
    ],
    "sent": lambda tg, q: tg.sent(_chat(tg, q)),
    "reactions": lambda tg, q: [
        {"message_id": m, "user_id": user, "emoji": emoji}
        for m, by in tg.reactions(_chat(tg, q)).items()
        for user, emoji in by.items()
    ],
    "violations": lambda tg, q: [dataclasses.asdict(v) for v in tg.violations],
    "counts": lambda tg, q: {"total": tg.delivered(), "by_chat": dict(tg.limiter.delivered)},
    "calls": lambda tg, q: [dataclasses.asdict(c) for c in tg.calls],
    "callbacks": lambda tg, q: [
        {"id": c.query["id"], "data": c.query["data"], "answer": c.answer}
        for c in tg.world.callbacks.values()
    ],
}


def _route(
    tg: TelegramEmulator, action: Action, post: bool
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body: Body = dict(request.query)
            if post and request.body_exists:
                loaded = await request.json()
                if not isinstance(loaded, dict):
                    msg = "the body must be a JSON object"
                    raise ScenarioError(msg)
                body.update(loaded)
            return _ok(action(tg, body))
        except (ScenarioError, KeyError, ValueError, TypeError) as exc:
            text = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            return web.json_response({"ok": False, "error": text}, status=400)

    return handle


def add_control_routes(app: web.Application, tg: TelegramEmulator) -> None:
    """Mount the ``/control/...`` routes of `tg` on `app`."""
    for name, action in _POSTS.items():
        app.router.add_post(f"/control/{name}", _route(tg, action, post=True))
    for name, action in _GETS.items():
        app.router.add_get(f"/control/{name}", _route(tg, action, post=False))

    async def file(request: web.Request) -> web.Response:
        stored = tg.world.files.get(request.match_info["file_id"])
        if stored is None:
            return web.json_response({"ok": False, "error": "no such file"}, status=404)
        kind = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=kind)

    app.router.add_get("/control/files/{file_id}", file)
