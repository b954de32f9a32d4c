"""Bot API methods about the bot and its chats: getMe, setMyCommands, getMyCommands,
deleteMyCommands, getFile, getChat, getChatMember and leaveChat.

Command lists are kept per (scope, language_code) exactly as Telegram keeps them: getMyCommands
answers for that exact pair and never falls back to another.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .backend import Backend, Handler
from .chats import Chat, chat_member
from .errors import bad_request
from .forms import Params
from .media import MAX_DOWNLOAD

__all__ = ["HANDLERS"]

_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


async def get_me(backend: Backend, params: Params) -> Any:
    return {
        **backend.world.bot.as_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": not backend.world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _scope_key(backend: Backend, params: Params) -> tuple[str, str]:
    scope = params.json("scope", "BotCommandScope") if "scope" in params else None
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("unsupported bot command scope type")
    kind = str(scope["type"])
    key: dict[str, Any] = {"type": kind}
    for name in _SCOPES[kind]:
        if scope.get(name) is None:
            raise bad_request(f"{name} is empty" if name == "chat_id" else "user not found")
        key[name] = scope[name]
    if "chat_id" in key:
        key["chat_id"] = backend.world.chat_for_bot(key["chat_id"]).id
    language = params.string("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(key, sort_keys=True), language


async def set_my_commands(backend: Backend, params: Params) -> Any:
    commands = params.json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request('field "commands" must be an Array')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean: list[dict[str, str]] = []
    for item in commands:
        command = item.get("command") if isinstance(item, dict) else None
        description = item.get("description") if isinstance(item, dict) else None
        if not isinstance(command, str) or not _COMMAND.fullmatch(command.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description must be non-empty")
        clean.append({"command": command.removeprefix("/"), "description": description})
    key = _scope_key(backend, params)
    if clean:
        backend.world.commands[key] = clean
    else:
        backend.world.commands.pop(key, None)
    return True


async def get_my_commands(backend: Backend, params: Params) -> Any:
    return list(backend.world.commands.get(_scope_key(backend, params), []))


async def delete_my_commands(backend: Backend, params: Params) -> Any:
    backend.world.commands.pop(_scope_key(backend, params), None)
    return True


async def get_file(backend: Backend, params: Params) -> Any:
    stored = backend.world.files.get((params.string("file_id") or "").strip())
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.as_file()


def _visible_chat(backend: Backend, params: Params) -> Chat:
    chat = backend.world.chat_for_bot(params.chat_id())
    if not chat.is_private and chat.bot_status in ("left", "kicked"):
        raise bad_request("chat not found")
    return chat


async def get_chat(backend: Backend, params: Params) -> Any:
    chat = _visible_chat(backend, params)
    return {
        **chat.as_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


async def get_chat_member(backend: Backend, params: Params) -> Any:
    world = backend.world
    chat = _visible_chat(backend, params)
    user_id = params.integer("user_id")
    if user_id == world.bot.id:
        return chat_member(world.bot, chat.bot_status)
    user = world.users.get(user_id or 0)
    if user is None:
        raise bad_request("user not found")
    if chat.is_private:
        return chat_member(user, "member" if user.id == chat.id else "left")
    return chat_member(user, chat.members.get(user.id, "left"))


async def leave_chat(backend: Backend, params: Params) -> Any:
    world = backend.world
    chat = _visible_chat(backend, params)
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    old = chat.bot_status
    chat.bot_status = "left"
    world.enqueue(
        "my_chat_member",
        {
            "chat": chat.as_json(),
            "from": world.bot.as_json(),
            "date": world.date(),
            "old_chat_member": chat_member(world.bot, old),
            "new_chat_member": chat_member(world.bot, "left"),
        },
    )
    return True


HANDLERS: dict[str, Handler] = {
    "getme": get_me,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "getfile": get_file,
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "leavechat": leave_chat,
}
