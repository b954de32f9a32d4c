"""A chat platform on loopback, for the crash and multi-worker tests (``tests/crash``).

`LoopbackPlatform` is a tiny HTTP server that behaves like a long-polling bot API:

* ``GET /updates?offset=N&limit=M&timeout=S`` returns updates with ``update_id >= offset``;
* ``POST /send`` delivers a message; the ``key`` makes it idempotent (sending the same key twice
  delivers once, as Matrix transaction ids do);
* ``POST /control/inject`` adds updates, ``GET /control/sent`` lists deliveries.

`LoopbackAdapter` (adapter name ``loopback``) drives it the way a careful Telegram adapter drives
``getUpdates``: its offset lives in the inbox's cursor and moves only in the same commit as the
events it covers, so a bot killed at any moment neither skips nor repeats an update.

It is a test helper, not an installed adapter: the crash tests' bot (``tests/crash/crash_bot.py``)
validates its config with `LoopbackConfig` and hands the adapter to ``App.build``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from qunzhu.core.adapter import Adapter, AdapterConfig, EventSink
from qunzhu.core.clock import Clock
from qunzhu.core.errors import TemporaryFailure
from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.model._reply import Reply

__all__ = ["LoopbackAdapter", "LoopbackConfig", "LoopbackPlatform"]

log = logging.getLogger("qunzhu.loopback")


@dataclass
class _Delivery:
    message_id: str
    chat_id: str
    text: str
    key: str
    repeats: int = 0


@dataclass
class LoopbackPlatform:
    """The server side. ``await platform.start()`` binds 127.0.0.1 on a free port."""

    host: str = "127.0.0.1"
    port: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[str, _Delivery] = field(default_factory=dict)
    fail_sends: bool = False

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._new = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def inject(self, chat_id: str, user_id: str, text: str) -> int:
        update_id = len(self.updates) + 1
        self.updates.append(
            {"update_id": update_id, "chat_id": chat_id, "user_id": user_id, "text": text}
        )
        self._new.set()
        return update_id

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/updates", self._get_updates)
        app.router.add_post("/send", self._send)
        app.router.add_post("/control/inject", self._inject)
        app.router.add_get("/control/sent", self._sent)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _get_updates(self, request: web.Request) -> web.Response:
        offset = int(request.query.get("offset", "1"))
        limit = int(request.query.get("limit", "100"))
        timeout = float(request.query.get("timeout", "0"))
        if offset > len(self.updates) and timeout > 0:
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), timeout)
        start = max(offset, 1) - 1
        return web.json_response(self.updates[start : start + limit])

    async def _send(self, request: web.Request) -> web.Response:
        if self.fail_sends:
            return web.json_response({"ok": False, "error": "down"}, status=502)
        body = await request.json()
        key = str(body.get("key") or f"auto-{next(self._ids)}")
        found = self.deliveries.get(key)
        if found is None:
            found = self.deliveries[key] = _Delivery(
                f"lb{len(self.deliveries) + 1}",
                str(body["chat_id"]),
                str(body.get("text", "")),
                key,
            )
        else:
            found.repeats += 1
        return web.json_response({"ok": True, "message_id": found.message_id})

    async def _inject(self, request: web.Request) -> web.Response:
        body = await request.json()
        ids = [self.inject(u["chat_id"], u["user_id"], u["text"]) for u in body]
        return web.json_response({"ok": True, "ids": ids})

    async def _sent(self, request: web.Request) -> web.Response:
        return web.json_response([vars(d) for d in self.deliveries.values()])


class LoopbackConfig(AdapterConfig):
    enabled: bool = True
    url: str = "http://127.0.0.1:8765"
    poll_timeout: float = 1.0
    batch: int = 100


class LoopbackAdapter(Adapter):
    platform = "loopback"
    Config = LoopbackConfig

    def __init__(self, config: AdapterConfig, *, clock: Clock) -> None:
        super().__init__(config, clock=clock)
        assert isinstance(config, LoopbackConfig)
        self.cfg = config
        self._http: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._sink: EventSink | None = None

    async def start(self, sink: EventSink) -> None:
        self._http = aiohttp.ClientSession()
        self._sink = sink

    def receiver_key(self) -> str | None:
        return f"loopback:{self.cfg.url}"

    async def start_receiving(self) -> None:
        assert self._sink is not None
        self._task = asyncio.get_running_loop().create_task(self._poll(self._sink), name="loopback")

    async def stop_receiving(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def stop(self) -> None:
        await self.stop_receiving()
        if self._http is not None:
            await self._http.close()

    async def _poll(self, sink: EventSink) -> None:
        assert self._http is not None
        offset = int(await sink.cursor() or "1")
        while True:
            try:
                async with self._http.get(
                    f"{self.cfg.url}/updates",
                    params={
                        "offset": offset,
                        "limit": self.cfg.batch,
                        "timeout": self.cfg.poll_timeout,
                    },
                ) as resp:
                    updates = await resp.json()
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("event=poll_failed error=%s", exc)
                await asyncio.sleep(0.5)
                continue
            if not updates:
                continue
            events = [_event(u, self.clock) for u in updates]
            offset = updates[-1]["update_id"] + 1
            await sink.submit(events, cursor=str(offset))

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        return await self.send_keyed(chat, reply, "")

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        assert self._http is not None
        body = {"chat_id": chat.chat_id, "text": reply.text, "key": key}
        try:
            async with self._http.post(f"{self.cfg.url}/send", json=body) as resp:
                data = await resp.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(str(exc)) from exc
        if resp.status >= 500 or not data.get("ok"):
            msg = f"loopback answered {resp.status}"
            raise TemporaryFailure(msg)
        return str(data["message_id"])


def _event(update: dict[str, Any], clock: Clock) -> Message:
    chat = ChatRef("loopback", str(update["chat_id"]), ChatKind.GROUP)
    user = UserRef("loopback", str(update["user_id"]), str(update["user_id"]))
    return Message(str(update["update_id"]), chat, user, str(update["text"]), sent_at=clock.now())
