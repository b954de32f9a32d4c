"""setMessageReaction: the bot chooses its reaction on a message, as Telegram checks it.

The request is read in the official server's order: ``reaction`` first (a JSON array of
ReactionType; missing, null or empty removes the bot's reaction), then the chat (Telegram's
errors for unknown, migrated and forbidden chats, as for sending), then the message, then the
reactions themselves: only the emoji the Bot API lists for ReactionTypeEmoji, one per message
(bots have no Premium), no custom emoji, no service message (``is_big`` only animates the
reaction in clients). A reaction to a message of an album
goes on the album's first message, as the Bot API documents. It counts against the flood limits
like a send, is kept on the message under the bot's user id (tests read it with
`TelegramEmulator.reactions` or ``GET /control/reactions``), and sends the bot no update: Telegram
sends none for reactions set by bots. The answer is True.
"""

from __future__ import annotations

from typing import Any

from .backend import Backend, Handler
from .chats import Chat, Stored
from .errors import bad_request
from .forms import Params

__all__ = ["EMOJI", "HANDLERS"]

#: The emoji the Bot API allows in ReactionTypeEmoji (without U+FE0F, as Telegram lists them).
EMOJI: frozenset[str] = frozenset({
    "❤", "👍", "👎", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢",
    "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳",
    "❤\u200d🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓",
    "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈",
    "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿",
    "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂", "🤷", "🤷\u200d♀",
    "😡",
})  # fmt: skip
_SERVICE = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
    }
)


def _reaction_types(params: Params) -> list[dict[str, Any]]:
    """The ``reaction`` parameter, parsed and checked as Telegram parses it."""
    value = params.json("reaction", "reaction types")
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise bad_request("expected an Array of ReactionType")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse ReactionType: expected an Object")
        kind = item.get("type")
        if kind is None:
            raise bad_request("can't parse ReactionType: Can't find field \"type\"")
        if kind == "custom_emoji":
            raise bad_request("REACTION_INVALID")
        if kind != "emoji":
            raise bad_request("can't parse ReactionType: invalid reaction type specified")
        emoji = item.get("emoji")
        if emoji is None:
            raise bad_request("can't parse ReactionType: Can't find field \"emoji\"")
        if not isinstance(emoji, str) or not emoji:
            raise bad_request("invalid reaction type specified")
        out.append({"type": "emoji", "emoji": emoji})
    return out


def _holder(chat: Chat, stored: Stored) -> Stored:
    """The message that holds the reactions: an album's first message for any of its parts."""
    album = stored.data.get("media_group_id")
    if album is None:
        return stored
    return next(s for s in chat.messages.values() if s.data.get("media_group_id") == album)


async def set_message_reaction(backend: Backend, params: Params) -> Any:
    reactions = _reaction_types(params)
    world = backend.world
    chat = world.chat_for_bot(params.chat_id())
    world.writable(chat)
    message_id = params.integer("message_id")
    found = world.message(chat, message_id, "message to react not found")
    stored = _holder(chat, found)
    if _SERVICE & stored.data.keys():
        raise bad_request("REACTION_INVALID")
    if any(r["emoji"] not in EMOJI for r in reactions):
        raise bad_request("REACTION_INVALID")
    if len(reactions) > 1:
        raise bad_request("REACTIONS_TOO_MANY")
    backend.limiter.admit("setMessageReaction", chat.id, chat.is_private)
    if reactions:
        stored.reactions[world.bot.id] = reactions
    else:
        stored.reactions.pop(world.bot.id, None)
    world.changed.fire()
    return True


HANDLERS: dict[str, Handler] = {"setmessagereaction": set_message_reaction}
