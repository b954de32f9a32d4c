"""Sending and editing: the Bot API calls behind `send_keyed` and `edit`.

A `Reply` may take several calls (`render.plan`: a photo and a long text, a text over 4096
characters). Every call waits for its place under Telegram's limits (`pace.Pace`), since the
core's sender counts one message per `Reply`. If a later part fails (a 429, a timeout), the
parts already sent are remembered under the outbox key, and the retry goes on from the first
part not sent.

A send to a basic group that became a supergroup gets Telegram's 400 with the new id: the
migration is stored (`Migrations`) and the part sent again there. Telegram has no idempotent
send: a message whose answer is lost (a timeout after Telegram accepted it, a crash before the
outbox recorded it) may be sent twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import Bot
from aiogram import types as tg
from aiogram.exceptions import TelegramBadRequest, TelegramMigrateToChat
from aiogram.methods import EditMessageCaption, EditMessageText, SendMessage, SendPhoto

from qunzhu.core.adapter import ChatRef, DeliveryError, PermanentFailure, Reply

from .directory import Directory
from .errors import NOT_MODIFIED, delivery_error
from .ids import message_event_id, parse_event_id
from .migrations import Migrations
from .pace import Pace
from .render import CAPTION_LIMIT, TEXT_LIMIT, Part, keyboard, plan, spans, to_html, truncate
from .uploads import Uploads

__all__ = ["Poster"]

_OTHER_KIND = ("there is no text in the message", "there is no caption in the message")


class Poster:
    """Posts a `Reply` (or its edit) to Telegram: rendering, uploads, pacing, and the errors
    turned into the outbox's verdicts. Not the core's `Outgoing`, which is what it posts."""

    def __init__(
        self,
        bot: Bot,
        *,
        migrations: Migrations,
        directory: Directory,
        uploads: Uploads,
        pace: Pace,
        people_names: Callable[[Sequence[str]], Awaitable[dict[str, str]]] | None = None,
    ) -> None:
        self.bot = bot
        self.migrations = migrations
        self.directory = directory
        self.uploads = uploads
        self.pace = pace
        self.people_names = people_names
        self._progress: OrderedDict[str, list[tuple[int, bool]]] = OrderedDict()

    async def send(self, chat: ChatRef, reply: Reply, key: str = "") -> str:
        """Send `reply`; returns the event id of its last message (the one with the keyboard)."""
        core_id = _chat_id(chat)
        parts = plan(reply, self.directory.names, await self._people(reply))
        done = self._progress.pop(key, []) if key else []
        try:
            for part in parts[len(done) :]:
                done.append(await self._part(chat, core_id, part, reply))
        except DeliveryError as exc:
            if key and done and not isinstance(exc, PermanentFailure):
                self._progress[key] = done
                while len(self._progress) > 10_000:
                    self._progress.popitem(last=False)
            raise
        message_id, moved = done[-1]
        return message_event_id(message_id, moved)

    async def _part(
        self, chat: ChatRef, core_id: int, part: Part, reply: Reply
    ) -> tuple[int, bool]:
        """One call, sent again to the supergroup if the group has become one."""
        for _ in range(2):
            target = self.migrations.telegram_id(core_id)
            moved = target != core_id
            try:
                message = await self._call(chat, target, moved, part, reply)
            except TelegramMigrateToChat as exc:
                if moved:
                    raise delivery_error(exc) from exc
                await self.migrations.learn(core_id, exc.migrate_to_chat_id)
                continue
            except DeliveryError:
                raise
            except Exception as exc:
                raise delivery_error(exc) from exc
            return message.message_id, moved
        msg = f"chat {core_id} was migrated twice"  # pragma: no cover - Telegram migrates once
        raise PermanentFailure(msg)  # pragma: no cover

    async def _call(
        self, chat: ChatRef, target: int, moved: bool, part: Part, reply: Reply
    ) -> tg.Message:
        """The Bot API call of one part, paced right before the request leaves (after any wait
        for a photo's upload), which is when Telegram counts it."""
        common: dict[str, Any] = {
            "chat_id": target,
            "reply_markup": part.markup,
            "disable_notification": True if reply.silent else None,
            "reply_parameters": _reply_parameters(reply.reply_to, moved) if part.is_reply else None,
        }
        if part.kind == "text":
            async with self.pace(chat):
                return await self.bot(SendMessage(text=part.html, parse_mode="HTML", **common))
        caption = part.html or None
        parse_mode = "HTML" if caption else None

        async def post(photo: str | tg.InputFile) -> tg.Message:
            method = SendPhoto(photo=photo, caption=caption, parse_mode=parse_mode, **common)
            async with self.pace(chat):
                return await self.bot(method)

        assert reply.photo is not None
        return await self.uploads.send(reply.photo, post)

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        """Change a message's text (or a photo's caption) and keyboard; "not modified" is
        success. A photo itself is not replaced."""
        parsed = parse_event_id(message_id)
        if parsed is None:
            msg = f"{message_id!r} is not a Telegram message id"
            raise PermanentFailure(msg)
        number, moved = parsed
        core_id = _chat_id(chat)
        target = self.migrations.telegram_id(core_id) if moved else core_id
        text = spans(reply.text, reply.mentions, self.directory.names, await self._people(reply))
        markup = keyboard(reply)
        kinds = ("caption", "text") if reply.photo else ("text", "caption")
        for kind in kinds:
            if kind == "text":
                shown = to_html(truncate(text, TEXT_LIMIT))
                method: EditMessageText | EditMessageCaption = EditMessageText(
                    chat_id=target,
                    message_id=number,
                    text=shown,
                    parse_mode="HTML",
                    reply_markup=markup,
                )
            else:
                shown = to_html(truncate(text, CAPTION_LIMIT))
                method = EditMessageCaption(
                    chat_id=target,
                    message_id=number,
                    caption=shown or None,
                    parse_mode="HTML" if shown else None,
                    reply_markup=markup,
                )
            try:
                async with self.pace(chat):
                    await self.bot(method)
                return
            except TelegramBadRequest as exc:
                if NOT_MODIFIED in exc.message:
                    return
                if any(s in exc.message for s in _OTHER_KIND) and kind == kinds[0]:
                    continue
                raise delivery_error(exc) from exc
            except Exception as exc:
                raise delivery_error(exc) from exc

    async def _people(self, reply: Reply) -> dict[str, str]:
        """The names the bot's people go by, for those `reply` mentions on Telegram."""
        keys = [k for k in reply.mentions if k.startswith("telegram:")]
        if not keys or self.people_names is None:
            return {}
        return await self.people_names(keys)


def _chat_id(chat: ChatRef) -> int:
    try:
        return int(chat.chat_id)
    except ValueError:
        msg = f"{chat.chat_id!r} is not a Telegram chat id"
        raise PermanentFailure(msg) from None


def _reply_parameters(event_id: str | None, moved: bool) -> tg.ReplyParameters | None:
    """Reply to the message `event_id` names, if it lives where the message goes (a message of
    the old group cannot be answered in the supergroup)."""
    parsed = parse_event_id(event_id) if event_id else None
    if parsed is None or parsed[1] != moved:
        return None
    return tg.ReplyParameters(message_id=parsed[0], allow_sending_without_reply=True)
