"""Webhook delivery: while a webhook is set, POST each pending update to it, one at a time and in
order, with the ``X-Telegram-Bot-Api-Secret-Token`` header, retrying with growing pauses until the
webhook answers 2xx (then the update is gone). Failures show in getWebhookInfo's
``last_error_message`` the way Telegram words them.

Like Telegram, a 2xx answer may carry a Bot API call (aiogram's webhook handlers reply with a
multipart form, others with JSON ``{"method": ...}``); it is carried out and its result dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .backend import Backend
from .forms import Params, read_multipart

__all__ = ["WebhookSender"]

log = logging.getLogger("qunzhu.telegram.emulator")

Call = Callable[[str, Params], Awaitable[Any]]


class WebhookSender:
    """The background delivery loop of one emulator."""

    def __init__(
        self, backend: Backend, call: Call, *, first_retry: float, max_retry: float
    ) -> None:
        self.backend = backend
        self.call = call
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.delivered = 0

    async def run(self) -> None:
        """Deliver until the emulator closes."""
        world = self.backend.world
        pause = self.first_retry
        async with aiohttp.ClientSession() as http:
            while not self.backend.closing:
                hook = world.webhook
                if not hook.url or not world.updates:
                    await world.arrived.wait(1.0)
                    continue
                update = world.updates[0]
                error = await self._post(http, hook.url, hook.secret_token, update)
                if error is None:
                    if world.updates and world.updates[0] is update:
                        world.updates.pop(0)
                    self.delivered += 1
                    world.changed.fire()
                    pause = self.first_retry
                    continue
                hook.last_error_date = world.date()
                hook.last_error_message = error
                log.info("event=webhook_failed url=%s error=%s", hook.url, error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.max_retry)

    async def _post(
        self, http: aiohttp.ClientSession, url: str, secret: str | None, update: dict[str, Any]
    ) -> str | None:
        """POST one update; None when the webhook took it, else the error text."""
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with http.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
            ) as resp:
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                await self._answer(resp)
        except TimeoutError:
            return "Connection timed out"
        except aiohttp.ClientConnectionError:
            return "Connection refused"
        return None

    async def _answer(self, resp: aiohttp.ClientResponse) -> None:
        """Carry out a Bot API call returned in the webhook's answer, if there is one."""
        try:
            if resp.content_type == "multipart/form-data":
                params = await read_multipart(
                    aiohttp.MultipartReader(resp.headers, resp.content), {}
                )
            elif resp.content_type == "application/json":
                body = await resp.json()
                params = Params(body if isinstance(body, dict) else {})
            else:
                return
            method = params.values.pop("method", None)
            if isinstance(method, str) and method:
                await self.call(method, params)
        except Exception as exc:  # Telegram ignores whatever the answer did
            log.info("event=webhook_answer_failed error=%s", exc)
