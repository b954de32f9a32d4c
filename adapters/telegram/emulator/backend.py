"""What every Bot API method handler gets: the world, the rate limiter, the clocks and an HTTP
client for fetching files by URL. Handlers are ``async def handler(backend, params) -> result``;
each ``api_*`` module lists its own in a ``HANDLERS`` dict keyed by lower-case method name
(Telegram method names are case-insensitive)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .chats import Chat, Stored
from .errors import bad_request
from .forms import Params
from .limits import RateLimiter
from .world import World

__all__ = ["Backend", "Handler", "is_loopback"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback(url: str) -> bool:
    """Whether `url` is http(s) on this machine (the only URLs the emulator ever fetches)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and (host in _LOOPBACK or host.startswith("127."))


@dataclass
class Backend:
    """Shared by all handlers of one emulator."""

    world: World
    limiter: RateLimiter
    clock: Callable[[], float]
    callback_timeout: float = 15.0
    http: aiohttp.ClientSession | None = None
    closing: bool = False
    poll_generation: int = 0

    async def fetch(self, url: str) -> tuple[bytes, str]:
        """Download a file the bot named by URL: (bytes, content type). Only loopback URLs;
        anything else is Telegram's 400 for a URL it cannot use."""
        if not is_loopback(url):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if self.http is None:
            self.http = aiohttp.ClientSession()
        try:
            async with self.http.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                if resp.status != 200:
                    raise bad_request("failed to get HTTP URL content")
                return await resp.read(), resp.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise bad_request("failed to get HTTP URL content") from None

    def deliver(
        self,
        method: str,
        chat: Chat,
        fields: dict[str, Any],
        *,
        markup: dict[str, Any] | None = None,
        reply: dict[str, Any] | None = None,
        params: Params | None = None,
        count: int = 1,
        admitted: bool = False,
    ) -> Stored:
        """Count the send against the limits (429 if over) and store the bot's message."""
        if not admitted:
            self.limiter.admit(method, chat.id, chat.is_private, count)
        head: dict[str, Any] = {}
        if reply is not None:
            head["reply_to_message"] = reply
        body = {**head, **fields}
        if params is not None and params.flag("protect_content"):
            body["has_protected_content"] = True
        if markup is not None and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        stored = self.world.store(chat, self.world.bot, body)
        stored.markup = markup
        stored.silent = params.flag("disable_notification") if params is not None else False
        return stored


Handler = Callable[[Backend, Params], Awaitable[Any]]
