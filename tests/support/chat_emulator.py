"""`ChatEmulator`: what the WeCom and DingTalk emulators share: an aiohttp server on loopback
(`_serve`, closed on leaving the ``async with``), the log of what the bot made appear in each
chat (`sent`, `in_chat`, `wait_sent`), and the platform's per-chat limit of messages a minute
(`_limited`). Each emulator adds its platform's protocol, people and groups."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web

__all__ = ["ChatEmulator"]


class _InChat(Protocol):
    chat: str
    kind: str
    text: str


S = TypeVar("S", bound=_InChat)


class ChatEmulator(Generic[S]):
    def __init__(self, clock: Callable[[], float], per_chat_minute: int) -> None:
        self.clock, self.per_chat_minute = clock, per_chat_minute
        #: What the bot made appear, in every chat, in order.
        self.sent: list[S] = []
        self.port = 0
        self._ws: web.WebSocketResponse | None = None
        self._sends: dict[str, list[float]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def _serve(self, app: web.Application, ssl_context: ssl.SSLContext | None = None) -> None:
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the bot did ----------------------------------------------------------------------

    def in_chat(self, chat: Any) -> list[S]:
        """`chat`: a group (its ``chatid``) or a person (their private chat, ``userid``)."""
        key = chat.chatid if hasattr(chat, "chatid") else chat.userid
        return [s for s in self.sent if s.chat == key]

    async def wait_sent(self, chat: Any, count: int, timeout: float = 5.0) -> list[S]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.in_chat(chat)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            got = [(s.kind, s.text) for s in self.in_chat(chat)]
            msg = f"expected {count} messages in {chat}, got {got}"
            raise AssertionError(msg) from None
        return self.in_chat(chat)

    async def _add(self, sent: S) -> None:
        self.sent.append(sent)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _limited(self, chat: str) -> bool:
        """True when `chat` had its minute's messages already (this one is not counted)."""
        now = self.clock()
        recent = [t for t in self._sends.get(chat, []) if now - t < 60.0]
        if len(recent) >= self.per_chat_minute:
            self._sends[chat] = recent
            return True
        self._sends[chat] = [*recent, now]
        return False
