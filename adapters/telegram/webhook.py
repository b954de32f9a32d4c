"""Webhook mode: Telegram posts each update to the bot's web server (``core/web.py``, which
mounts `Webhook.route`).

A post is answered 200 only after its events are recorded in the inbox, so whatever was not
recorded (a crash, a database error: 500) Telegram delivers again. Requests without the secret
header Telegram was given in setWebhook are refused with 401 and nothing is recorded. A callback
query is answered in the response itself (Telegram carries out a method returned that way), again
only after the press is recorded. The parts of an album are recorded one by one like any
message, by whichever worker they reach; the dispatcher joins them (`qunzhu.core.dispatch._albums`).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiogram import Bot
from aiogram import types as tg
from aiogram.methods import SetWebhook
from aiohttp import web

from qunzhu.core.adapter import EventSink

from .receive import Receiver

__all__ = ["SECRET_HEADER", "Webhook"]

log = logging.getLogger("qunzhu.adapters.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Webhook:
    def __init__(self, bot: Bot, *, url: str, path: str, secret: str) -> None:
        self.bot = bot
        self.url = url
        self.path = path
        self._secret = secret
        self._receiver: Receiver | None = None
        self._sink: EventSink | None = None
        self.refused = 0

    def route(self) -> web.RouteDef:
        return web.post(self.path, self.handle)

    async def start(self, receiver: Receiver, sink: EventSink, allowed: list[str]) -> None:
        """Tell Telegram where to post, and start taking posts."""
        await self.bot(SetWebhook(url=self.url, secret_token=self._secret, allowed_updates=allowed))
        self._receiver, self._sink = receiver, sink
        log.info("event=webhook_set url=%s", self.url)

    async def stop(self) -> None:
        """Stop taking posts (they get 503 and come again); the webhook stays set, so Telegram
        keeps what arrives meanwhile for the next start."""
        self._receiver = self._sink = None

    async def handle(self, request: web.Request) -> web.Response:
        receiver, sink = self._receiver, self._sink
        if receiver is None or sink is None:
            return web.Response(status=503, text="not running")
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            self.refused += 1
            log.warning("event=webhook_refused remote=%s", request.remote)
            return web.Response(status=401, text="wrong secret token")
        try:
            data: Any = await request.json()
            update = tg.Update.model_validate(data, context={"bot": self.bot})
        except Exception as exc:
            log.warning("event=webhook_unreadable error=%s", exc)
            return web.Response(status=400, text="not an update")
        try:
            received = await receiver.convert([update])
            if received.events:
                await sink.submit(received.events)
        except Exception as exc:  # not recorded: Telegram posts it again later
            log.warning("event=webhook_record_failed update_id=%s error=%s", update.update_id, exc)
            return web.Response(status=500, text="not recorded")
        if received.callbacks:
            answer = {"method": "answerCallbackQuery", "callback_query_id": received.callbacks[0]}
            return web.json_response(answer)
        return web.Response(status=200)
