"""The bot's reactions: ``setMessageReaction`` behind `Adapter.react`.

Telegram lets a bot react only with the emoji the Bot API lists for ReactionTypeEmoji, and with
one reaction per message (bots have no Premium): a new reaction replaces the bot's old one, and
taking any reaction back clears the bot's reaction on that message. A key is matched leniently
(`telegram_emoji`): without the variation selector U+FE0F and skin tones (``❤️`` is Telegram's
``❤``, ``👍🏽`` is ``👍``), and a few common keys that Telegram lacks stand for the nearest one it
has (``✅`` → ``👌``). Any other key fails the reaction permanently, saying which emoji exist,
before a request is made.

A reaction goes to the message where it lives: one of the supergroup that replaced a basic group
(``s42``) to the supergroup; a message of the old basic group cannot get one any more (Telegram
keeps that group read-only), which fails permanently. A refusal for the reaction alone (the
group does not allow reactions, or that emoji) never marks the chat inactive: only being removed
from it, or blocked, does.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramMigrateToChat
from aiogram.methods import SetMessageReaction
from aiogram.types import ReactionTypeEmoji

from qunzhu.core.adapter import ChatRef, DeliveryError, PermanentFailure

from .errors import delivery_error, description
from .ids import parse_event_id
from .migrations import Migrations
from .pace import Pace

__all__ = ["ALIASES", "EMOJI", "Reactions", "telegram_emoji"]

#: The emoji the Bot API allows in ReactionTypeEmoji, as Telegram lists them (without U+FE0F).
EMOJI: frozenset[str] = frozenset({
    "❤", "👍", "👎", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢",
    "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳",
    "❤\u200d🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓",
    "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨\u200d💻", "👀", "🎃", "🙈",
    "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿",
    "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷\u200d♂", "🤷", "🤷\u200d♀",
    "😡",
})  # fmt: skip
#: Common keys Telegram does not allow, and the allowed emoji that stands for each.
ALIASES: dict[str, str] = {
    **dict.fromkeys(["✅", "✔", "☑", "🆗", "✓"], "👌"),  # done, received
    **dict.fromkeys(["❌", "✖", "❎", "✗"], "👎"),  # refused
    **dict.fromkeys(["♥", "💚", "💙", "💛", "🧡", "💜", "🖤", "🤍", "💖"], "❤"),  # hearts
    **dict.fromkeys(["😀", "😃", "😄", "🙂", "😊", "😆"], "😁"),  # a smile
    **dict.fromkeys(["🎊", "🥳"], "🎉"),  # congratulations
    **dict.fromkeys(["⭐", "🌟", "✨"], "🔥"),  # well done
}
_SKIN_TONES = dict.fromkeys(range(0x1F3FB, 0x1F400))  # U+1F3FB..U+1F3FF, for str.translate
_VARIATION_SELECTOR = "\ufe0f"
#: 403s that mean the bot may no longer post in the chat (others refuse the reaction only).
_GONE = ("kicked", "blocked", "not a member", "chat not found", "deactivated")


def telegram_emoji(key: str) -> str | None:
    """The emoji Telegram accepts for the reaction `key`, or None when it has none."""
    bare = key.replace(_VARIATION_SELECTOR, "").translate(_SKIN_TONES).strip()
    if bare in EMOJI:
        return bare
    return ALIASES.get(bare)


class Reactions:
    """Sets and clears the bot's reaction on a message, paced like every other call."""

    def __init__(self, bot: Bot, *, migrations: Migrations, pace: Pace) -> None:
        self.bot = bot
        self.migrations = migrations
        self.pace = pace

    async def react(self, chat: ChatRef, target: str, key: str, *, removed: bool) -> None:
        """Put the reaction `key` on the message `target` (an event id), or clear the bot's
        reaction there (`removed`)."""
        emoji = telegram_emoji(key)
        if emoji is None and not removed:
            msg = (
                f"Telegram does not allow {key!r} as a reaction; use one of "
                f"{' '.join(sorted(EMOJI))} (docs/telegram.md, Reactions)"
            )
            raise PermanentFailure(msg)
        parsed = parse_event_id(target)
        if parsed is None:
            msg = f"{target!r} is not a Telegram message id"
            raise PermanentFailure(msg)
        number, moved = parsed
        core_id = _chat_id(chat)
        if not moved and self.migrations.moved(core_id):
            msg = (
                f"message {target} is in the basic group that became a supergroup: "
                "Telegram allows no reactions there any more"
            )
            raise PermanentFailure(msg)
        where = self.migrations.telegram_id(core_id)
        method = SetMessageReaction(
            chat_id=where,
            message_id=number,
            reaction=[ReactionTypeEmoji(emoji=emoji)] if emoji and not removed else [],
        )
        try:
            async with self.pace(chat):
                await self.bot(method)
        except TelegramMigrateToChat as exc:  # learnt now: the message stays in the old group
            await self.migrations.learn(core_id, exc.migrate_to_chat_id)
            msg = f"message {target} is in a basic group that became a supergroup: {exc.message}"
            raise PermanentFailure(msg) from exc
        except Exception as exc:
            raise _verdict(exc) from exc


def _verdict(exc: BaseException) -> DeliveryError:
    """As for a message, except that a refusal for the reaction alone leaves the chat active."""
    error = delivery_error(exc)
    if isinstance(error, PermanentFailure) and error.chat_gone:
        text = description(exc)
        if not any(word in text.lower() for word in _GONE):
            return PermanentFailure(text)
    return error


def _chat_id(chat: ChatRef) -> int:
    try:
        return int(chat.chat_id)
    except ValueError:
        msg = f"{chat.chat_id!r} is not a Telegram chat id"
        raise PermanentFailure(msg) from None
