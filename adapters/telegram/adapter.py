"""`TelegramAdapter`: a Telegram bot account, driven with aiogram's HTTP client.

    adapters:
      telegram:
        token: ${TELEGRAM_TOKEN}

Receiving is `polling` (default) or `webhook` (`webhook.Webhook`); both go through one
`receive.Receiver` that maps updates (`mapping`), and follows migrated
groups (`migrations`). Sending goes through `send.Poster` (`render` for HTML and keyboards,
`uploads` for photos), reactions through `reactions.Reactions`; `errors` turns Telegram's answers
into the outbox's verdicts. See docs/telegram.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMyCommands,
    DeleteWebhook,
    EditMessageCaption,
    EditMessageText,
    GetFile,
    GetMe,
    GetUpdates,
    GetWebhookInfo,
    Response,
    SendMessage,
    SendPhoto,
    SetMessageReaction,
    SetMyCommands,
    SetWebhook,
)

from qunzhu.core.adapter import (
    Adapter,
    AdapterConfig,
    AdapterError,
    Attachment,
    Capabilities,
    ChatKind,
    ChatRef,
    Clock,
    EventSink,
    PlatformUnreachable,
    Reply,
    UserRef,
)

from .commands import set_menus
from .config import PRODUCTION_API, TelegramConfig
from .directory import Directory
from .errors import description, unreachable
from .mapping import PLATFORM
from .migrations import Migrations
from .pace import Pace
from .polling import Poller
from .reactions import Reactions
from .receive import Receiver
from .send import Poster
from .uploads import Uploads
from .webhook import Webhook

if TYPE_CHECKING:
    from aiohttp.web import RouteDef

__all__ = ["TelegramAdapter", "allowed_updates"]

log = logging.getLogger("qunzhu.adapters.telegram")

#: aiogram validates every answer with ``Response[<the method's result type>]``. pydantic keeps
#: parametrized generics in a weak cache, so when the garbage collector runs, the class goes,
#: and the next answer builds it again: ~15 ms each time, a third of the CPU of a broadcast.
#: Holding them here keeps them built.
_RESPONSE_MODELS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        AnswerCallbackQuery,
        DeleteMyCommands,
        DeleteWebhook,
        EditMessageCaption,
        EditMessageText,
        GetFile,
        GetMe,
        GetUpdates,
        GetWebhookInfo,
        SendMessage,
        SendPhoto,
        SetMessageReaction,
        SetMyCommands,
        SetWebhook,
    )
)


def allowed_updates(hooks: frozenset[str]) -> list[str]:
    """What to ask Telegram for: messages, edits, button presses and the bot's own membership
    (``my_chat_member``: removed from a group or blocked, the core stops sending there at once)
    always; reactions and other people's member changes only when a plugin implements their
    hook (Telegram sends those to a bot that is an administrator of the group, and only when
    asked)."""
    wanted = ["message", "edited_message", "callback_query", "my_chat_member"]
    if "on_reaction" in hooks:
        wanted.append("message_reaction")
    if "on_member_change" in hooks:
        wanted.append("chat_member")
    return wanted


class _Session(AiohttpSession):
    """aiogram's session, without the 0.25 s its close() waits for TLS connections to shut when
    the Bot API is plain HTTP (a self-hosted server on the same machine, the emulator)."""

    async def close(self) -> None:
        if not self.api.base.startswith("http://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)


class TelegramAdapter(Adapter):
    """A Telegram bot. See docs/telegram.md."""

    platform: ClassVar[str] = PLATFORM
    Config: ClassVar[type[AdapterConfig]] = TelegramConfig
    config: TelegramConfig
    #: Every group message (privacy mode off), inline keyboards, edits, reactions; a person must
    #: press Start before the bot may write to them.
    capabilities = Capabilities(reactions=True, writes_first=False)

    def __init__(self, config: TelegramConfig, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        self.limits = config.limits.limits()
        api = (
            PRODUCTION
            if config.api_base == PRODUCTION_API
            else TelegramAPIServer.from_base(config.api_base)
        )
        self.bot = Bot(config.token.get_secret_value(), session=_Session(api=api))
        self.bot_id = 0
        self.migrations = Migrations(self._named_in_config)
        self.directory = Directory()
        self.uploads = Uploads()
        self.album_wait = config.album_wait
        pace = Pace(self.limits, clock)
        self.outgoing = Poster(
            self.bot,
            migrations=self.migrations,
            directory=self.directory,
            uploads=self.uploads,
            pace=pace,
            people_names=self._people_names,
        )
        self.reactions = Reactions(self.bot, migrations=self.migrations, pace=pace)
        self.webhook: Webhook | None = None
        if config.mode == "webhook":
            self.webhook = Webhook(
                self.bot, url=config.webhook_url, path=config.webhook_path, secret=config.secret
            )
        self.poller: Poller | None = None
        self._sink: EventSink | None = None
        self._mounted = False
        self._task: asyncio.Task[None] | None = None
        self._answers: set[asyncio.Task[None]] = set()

    # -- the Adapter contract ------------------------------------------------------------------
    def routes(self) -> Sequence[RouteDef]:
        if self.webhook is None:
            return ()
        self._mounted = True
        return [self.webhook.route()]

    async def start(self, sink: EventSink) -> None:
        cfg = self.config
        if self.webhook is not None and not self._mounted:
            msg = "adapters.telegram: mode webhook needs the web server: set web.enabled: true"
            raise AdapterError(msg)
        try:
            me = await self.bot.get_me()
        except Exception as exc:
            await self.bot.session.close()
            msg = f"telegram: getMe at {cfg.api_base} failed: {description(exc)}"
            if unreachable(exc):  # start-up waits and asks again
                raise PlatformUnreachable(msg) from exc
            raise AdapterError(msg) from exc
        self.bot_id = me.id
        self.bot_user_id = str(me.id)
        self.bot_username = cfg.bot_username or me.username
        await self.migrations.load(sink)
        self.uploads.attach(sink)
        allowed = allowed_updates(self.declared.hooks)
        receiver = Receiver(
            bot_id=me.id,
            migrations=self.migrations,
            directory=self.directory,
            hooks=self.declared.hooks,
            clock=self.clock,
        )
        if cfg.command_menu:
            await set_menus(self.bot, self.declared)
        if self.webhook is not None:
            await self.webhook.start(receiver, sink, allowed)
        else:
            await self._remove_webhook()
            self.poller = Poller(
                self.bot,
                receiver,
                sink,
                timeout=cfg.poll_timeout,
                allowed_updates=allowed,
                answer=self._answer,
            )
        self._sink = sink
        log.info(
            "event=telegram_started bot=@%s mode=%s updates=%s",
            self.bot_username,
            cfg.mode,
            ",".join(allowed),
        )

    def receiver_key(self) -> str | None:
        """Polling runs in one process per bot (a second ``getUpdates`` gets 409 Conflict); a
        webhook needs no election: Telegram posts each update to one of the workers."""
        return f"telegram:{self.bot_id}" if self.poller is not None else None

    async def start_receiving(self) -> None:
        """Poll, in this worker only (the elected one with several). Nothing of it happens in
        `start`: a getUpdates from a worker that was not elected, even the short one that
        subscribes, ends the receiver's long poll with 409 Conflict ("terminated by other
        getUpdates request"). The migrations are read again, since another worker may have
        learnt one while this one was waiting: a message from the supergroup must go to the old
        chat in the core, not start a new one."""
        if self.poller is None or self._task is not None:
            return
        if self._sink is not None:
            await self.migrations.load(self._sink)
        await self.poller.subscribe()
        self._task = asyncio.get_running_loop().create_task(self.poller.run(), name="tg-poll")

    async def stop_receiving(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def stop(self) -> None:
        await self.stop_receiving()
        if self.webhook is not None:
            await self.webhook.stop()
        if self._answers:
            await asyncio.gather(*self._answers, return_exceptions=True)

    async def close(self) -> None:
        await self.bot.session.close()

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        return await self.outgoing.send(chat, reply)

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        return await self.outgoing.send(chat, reply, key)

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        await self.outgoing.edit(chat, message_id, reply)

    async def react(
        self, chat: ChatRef, target_event_id: str, key: str, *, removed: bool = False, txn: str
    ) -> None:
        await self.reactions.react(chat, target_event_id, key, removed=removed)

    async def download(self, attachment: Attachment) -> bytes:
        try:
            file = await self.bot.get_file(attachment.ref)
            if file.file_path is None:
                msg = "the Bot API hands out files up to 20 MB only"
                raise AdapterError(msg)
            data = await self.bot.download_file(file.file_path)
        except AdapterError:
            raise
        except Exception as exc:
            msg = f"telegram: cannot download {attachment.ref}: {description(exc)}"
            raise AdapterError(msg) from exc
        assert data is not None
        return data.read()

    async def direct_chat(self, user: UserRef) -> ChatRef:
        """A private chat's id is the person's user id (they must have pressed Start)."""
        return ChatRef(PLATFORM, user.user_id, ChatKind.DIRECT, user.display_name)

    # -- helpers -------------------------------------------------------------------------------
    async def _people_names(self, keys: Sequence[str]) -> dict[str, str]:
        return await self.people_names(keys)  # set by the application after __init__

    def _named_in_config(self, chat_key: str) -> Sequence[str]:
        return self.named_in_config(chat_key)  # set by the application after __init__

    def _answer(self, query_ids: list[str]) -> None:
        """Stop the spinners of recorded button presses (in the background: the poll goes on)."""
        task = asyncio.get_running_loop().create_task(self._answer_all(query_ids))
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    async def _answer_all(self, query_ids: list[str]) -> None:
        for query_id in query_ids:
            try:
                await self.bot(AnswerCallbackQuery(callback_query_id=query_id))
            except Exception as exc:  # too old (answered before a restart): nothing to stop
                log.debug("event=callback_answer_failed id=%s error=%s", query_id, exc)

    async def _remove_webhook(self) -> None:
        """Polling and a webhook exclude each other: a webhook left from webhook mode goes."""
        try:
            info = await self.bot(GetWebhookInfo())
            if info.url:
                log.warning("event=webhook_removed url=%s reason=mode is polling", info.url)
                await self.bot(DeleteWebhook(drop_pending_updates=False))
        except Exception as exc:
            log.warning("event=webhook_check_failed error=%s", exc)
