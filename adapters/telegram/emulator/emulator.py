"""`TelegramEmulator`: the Bot API server on loopback, and the handle tests hold.

    async with TelegramEmulator(token="123456:TEST", bot_username="qunzhu_bot") as tg:
        ana = tg.user("Ana", language_code="zh-hans")
        group = tg.group("Residents")
        tg.say(ana, group, "/report@qunzhu_bot 路灯坏了")
        ...  # the bot, pointed at tg.api_base, answers
        await tg.wait_sent(group, count=1)
        assert tg.sent(group)[0]["text"] == "..."

What simulated people do comes from `People` (people.py, members.py); this module adds the server's
life cycle and what a test reads back: what the bot sent, the reactions it chose, the limit
violations, scheduled failures, callback answers, command lists and the raw call log.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .backend import Backend
from .chats import Chat, User
from .control import add_control_routes
from .failures import Failure, Failures
from .limits import Limits, RateLimiter, Violation
from .page import PAGE
from .people import People
from .server import ApiServer, Call
from .webhook import WebhookSender
from .world import World

__all__ = ["TelegramEmulator"]

_TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")


class TelegramEmulator(People):
    """A Telegram Bot API server for one bot, bound to 127.0.0.1.

    `limits` are Telegram's flood limits (`Limits`; ``Limits(scale=10)`` for benchmarks). `clock`
    is the monotonic clock the limits and callback timeouts use; `now` the wall clock for message
    dates. `privacy_mode` makes the bot see only commands, mentions and replies in groups where it
    is not an administrator. `strict_html` also rejects a bare ``&`` (Telegram keeps it).
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "qunzhu_bot",
        bot_name: str = "Qunzhu",
        port: int = 0,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        privacy_mode: bool = False,
        strict_html: bool = False,
        callback_timeout: float = 15.0,
        webhook_retry: tuple[float, float] = (0.05, 2.0),
    ) -> None:
        match = _TOKEN.fullmatch(token)
        if match is None:
            msg = f"a bot token looks like 123456:ABC-def, not {token!r}"
            raise ValueError(msg)
        bot = User(int(match.group(1)), bot_name, username=bot_username, is_bot=True)
        self.token = token
        self.port = port
        self.clock = clock
        self.world: World = World(bot, now=now, privacy_mode=privacy_mode, strict_html=strict_html)
        self.limiter: RateLimiter = RateLimiter(limits or Limits(), clock)
        self.backend: Backend = Backend(self.world, self.limiter, clock, callback_timeout)
        self.failures: Failures = Failures()
        self.server: ApiServer = ApiServer(self.backend, token, self.failures)
        self.webhook = WebhookSender(
            self.backend, self.server.call, first_retry=webhook_retry[0], max_retry=webhook_retry[1]
        )
        self._runner: web.AppRunner | None = None
        self._task: asyncio.Task[None] | None = None

    # -- life cycle --------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        """``http://127.0.0.1:PORT``: give it to aiogram as ``TelegramAPIServer.from_base``."""
        if self._runner is None:
            msg = "the emulator is not started"
            raise RuntimeError(msg)
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot(self) -> User:
        return self.world.bot

    def application(self) -> web.Application:
        """The aiohttp application: Bot API, file downloads, control routes and the demo page."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self.server.add_routes(app)
        add_control_routes(app, self)

        async def page(request: web.Request) -> web.Response:
            return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

        app.router.add_get("/", page)
        return app

    async def start(self) -> None:
        """Bind 127.0.0.1 (on a free port unless `port` was given) and start serving."""
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.backend.closing = False
        self._task = asyncio.get_running_loop().create_task(self.webhook.run(), name="webhook")

    async def stop(self) -> None:
        """End long polls, stop webhook delivery and close the server."""
        self.backend.closing = True
        self.world.arrived.fire()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        if self.backend.http is not None:
            await self.backend.http.close()
            self.backend.http = None

    async def __aenter__(self) -> TelegramEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what the bot did ----------------------------------------------------------------------

    def sent(self, chat: Chat | int) -> list[dict[str, Any]]:
        """The bot's messages in `chat`, oldest first: Message JSON with edits applied, plus
        ``edit_count`` (and ``reply_keyboard``/``disable_notification`` when used). Deleted
        messages are gone."""
        target = self._chat(chat)
        bot_id = self.world.bot.id
        return [s.view() for s in target.messages.values() if s.sender_id == bot_id]

    def messages(self, chat: Chat | int) -> list[dict[str, Any]]:
        """Every message in `chat` (people's and the bot's), oldest first."""
        return [s.view() for s in self._chat(chat).messages.values()]

    def reactions(self, chat: Chat | int) -> dict[int, dict[int, list[str]]]:
        """The reactions now on `chat`'s messages: message id → user id (the bot's too) → emoji,
        for the messages that have any."""
        out: dict[int, dict[int, list[str]]] = {}
        for message_id, stored in self._chat(chat).messages.items():
            chosen = {
                user: [r["emoji"] for r in reactions]
                for user, reactions in stored.reactions.items()
                if reactions
            }
            if chosen:
                out[message_id] = chosen
        return out

    def bot_reactions(self, chat: Chat | int) -> dict[int, list[str]]:
        """The bot's reactions (setMessageReaction) now on `chat`'s messages, by message id."""
        bot_id = self.world.bot.id
        return {m: by[bot_id] for m, by in self.reactions(chat).items() if bot_id in by}

    async def wait_sent(
        self, chat: Chat | int, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has `count` messages in `chat` (in total); returns `sent`.
        Raises TimeoutError naming what did arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(chat)) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                texts = [m.get("text", m.get("caption")) for m in found]
                msg = f"the bot sent {len(found)} of {count} messages: {texts}"
                raise TimeoutError(msg)
            await self.world.changed.wait(remaining)
        return found

    async def wait_delivered(self, timeout: float = 5.0) -> None:
        """Wait until no update is pending (all fetched or delivered to the webhook)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.world.updates:
            remaining = deadline - loop.time()
            if remaining <= 0:
                msg = f"{len(self.world.updates)} updates still pending"
                raise TimeoutError(msg)
            await self.world.changed.wait(min(remaining, 0.05))

    @property
    def violations(self) -> list[Violation]:
        """Every send refused with 429 for breaking a flood limit."""
        return self.limiter.violations

    def delivered(self, chat: Chat | int | None = None) -> int:
        """Sends delivered (counted against the limits) in `chat`, or in all chats."""
        if chat is None:
            return self.limiter.total
        return self.limiter.delivered[self._chat(chat).id]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued for the bot and not yet confirmed."""
        return self.world.updates

    @property
    def calls(self) -> list[Call]:
        """Every Bot API request, in order, with its HTTP status."""
        return self.server.calls

    def fail_next(
        self,
        method: str,
        *,
        error_code: int | None = 429,
        retry_after: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> Failure:
        """Make the next `times` calls of `method` (``"*"``: any) fail with `error_code`, after
        `delay` seconds; ``error_code=None`` with a delay only slows the call down."""
        rule = Failure(method, error_code, retry_after, description, chat_id, times, delay)
        return self.failures.add(rule)

    def unanswered_callbacks(self) -> list[dict[str, Any]]:
        """Callback queries the bot has not answered with answerCallbackQuery."""
        return [c.query for c in self.world.callbacks.values() if c.answer is None]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a callback query (text, show_alert, url, cache_time)."""
        callback = self.world.callbacks.get(query_id)
        return callback.answer if callback is not None else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command list set for exactly this scope and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return list(self.world.commands.get((key, language_code), []))

    def chat_actions(self, chat: Chat | int) -> list[str]:
        """The sendChatAction actions the bot sent to `chat`, in order."""
        target = self._chat(chat).id
        return [action for chat_id, action in self.world.chat_actions if chat_id == target]

    def reset(self) -> None:
        """Back to an empty world: no users, chats, updates, failures or violations."""
        self.world.reset()
        self.limiter.reset()
        self.failures.clear()
        self.server.calls.clear()
