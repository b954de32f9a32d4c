"""The long connection: subscribe, heartbeat, requests and their answers, reconnect.

Frames are JSON ``{cmd, headers: {req_id}, body}``; an answer has no ``cmd`` and carries the
request's ``req_id`` with ``errcode``/``errmsg``. After connecting, the bot subscribes
(``aibot_subscribe`` with ``bot_id`` and ``secret``), then sends ``ping`` every `heartbeat`
seconds; two unanswered pings close the connection. It reconnects with backoff (1, 2, 4 … up to
`max_backoff` seconds) until stopped; a ``disconnected_event`` (another connection of the same
bot took over) stops it for good, as two receivers of one bot would steal each other's messages.

Why not the SDK's ``WSClient``: it hands each callback to its listeners without waiting for them
(pyee), while the inbox rule wants a callback recorded before anything answers it (`on_frame` is
awaited before the next frame is read); it always connects with TLS and certifi's bundle (no
``ws://`` on loopback for the emulator, no intranet CA of a 政务微信 deployment); and it gives up
after ten reconnects. The SDK's frame names (``WsCmd``) and request ids are used here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from qunzhu.core.adapter import PermanentFailure, RetryLater, TemporaryFailure, keep_connected

from .sdk import WsCmd, generate_req_id

__all__ = ["Connection", "FrameHandler", "verdict"]

log = logging.getLogger("qunzhu.adapters.wecom")

FrameHandler = Callable[[dict[str, Any]], Awaitable[None]]

#: errcodes: 45009 too many calls (wait), 40058/93006 bad request or unknown chat (never again).
RETRY = frozenset({45009, 45033, -1})


def verdict(answer: dict[str, Any], what: str) -> None:
    """Raise the outbox's exception for an answer with a non-zero ``errcode``."""
    code = answer.get("errcode", 0)
    if code == 0:
        return
    msg = f"wecom: {what}: {code} {answer.get('errmsg', '')}"
    if code == 45009:
        raise RetryLater(60.0, chat_only=True, detail=msg)
    if code in RETRY:
        raise TemporaryFailure(msg)
    raise PermanentFailure(msg)


class Connection:
    """One bot's long connection; `on_frame` gets every callback frame, awaited in order."""

    def __init__(
        self,
        url: str,
        bot_id: str,
        secret: str,
        on_frame: FrameHandler,
        *,
        heartbeat: float = 30.0,
        max_backoff: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        self.url, self.bot_id, self.secret = url, bot_id, secret
        self.on_frame = on_frame
        self.heartbeat, self.max_backoff, self.timeout = heartbeat, max_backoff, timeout
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ready = asyncio.Event()
        #: Set once the first subscription was answered, accepted or `refused`.
        self.settled = asyncio.Event()
        self.refused: str | None = None
        self.stopped = False
        #: Answers awaited, by req_id.
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._missed = 0
        #: How many connections were made (a reconnect makes one more).
        self.connections = 0

    def start(self) -> None:
        self.stopped = False
        self._task = asyncio.create_task(self._run(), name="wecom-connection")

    async def stop(self) -> None:
        self.stopped = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()
            self.session = None
        self.ready.clear()

    async def request(
        self, cmd: str, body: dict[str, Any], req_id: str | None = None
    ) -> dict[str, Any]:
        """Send a frame and return its answer (``errcode`` 0 or not); `TemporaryFailure` when
        the connection is down or no answer comes in time."""
        try:
            await asyncio.wait_for(self.ready.wait(), self.timeout)
        except TimeoutError:
            msg = "wecom: not connected"
            raise TemporaryFailure(msg) from None
        rid = req_id or generate_req_id(cmd)
        # answers carry only the req_id: several answers to one message go one at a time
        lock = self._locks.setdefault(rid, asyncio.Lock())
        async with lock:
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._waiting[rid] = future
            try:
                await self._send({"cmd": cmd, "headers": {"req_id": rid}, "body": body})
                return await asyncio.wait_for(future, self.timeout)
            except (TimeoutError, ConnectionError, aiohttp.ClientError) as exc:
                msg = f"wecom: {cmd}: no answer ({type(exc).__name__})"
                raise TemporaryFailure(msg) from None
            finally:
                self._waiting.pop(rid, None)
                if len(self._locks) > 1000:  # bounded: the idle ones go
                    for idle in [k for k, v in self._locks.items() if not v.locked()]:
                        del self._locks[idle]

    async def _send(self, frame: dict[str, Any]) -> None:
        if self.ws is None or self.ws.closed:
            msg = "wecom: not connected"
            raise ConnectionError(msg)
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def _run(self) -> None:
        await keep_connected(
            self._connect_once,
            lambda: self.stopped,
            name="wecom",
            max_backoff=self.max_backoff,
            log=log,
        )

    async def _connect_once(self) -> bool:
        """One connection's life; True if it got subscribed (the backoff starts over)."""
        if self.session is None:
            self.session = aiohttp.ClientSession()
        async with self.session.ws_connect(self.url, heartbeat=None, autoping=True) as ws:
            self.ws = ws
            self.connections += 1
            self._missed = 0
            rid = generate_req_id(WsCmd.SUBSCRIBE)
            body = {"bot_id": self.bot_id, "secret": self.secret}
            await self._send({"cmd": WsCmd.SUBSCRIBE, "headers": {"req_id": rid}, "body": body})
            beat = asyncio.create_task(self._beat(ws))
            subscribed = False
            try:
                async for raw in ws:
                    if raw.type != aiohttp.WSMsgType.TEXT:
                        break
                    frame = json.loads(raw.data)
                    if frame.get("cmd") is None and str(
                        frame.get("headers", {}).get("req_id", "")
                    ).startswith(WsCmd.SUBSCRIBE):
                        if frame.get("errcode", 0) != 0:
                            self.refused = f"{frame.get('errcode')} {frame.get('errmsg', '')}"
                            log.error("event=wecom_subscribe_refused errcode=%s", self.refused)
                            self.stopped = True  # the same bot_id and secret would fail again
                            self.settled.set()
                            break
                        subscribed = True
                        self.ready.set()
                        self.settled.set()
                        continue
                    await self._frame(frame)
            finally:
                beat.cancel()
                self.ready.clear()
                self.ws = None
                for future in self._waiting.values():
                    if not future.done():
                        future.set_exception(ConnectionError("connection closed"))
            return subscribed

    async def _frame(self, frame: dict[str, Any]) -> None:
        cmd = frame.get("cmd")
        rid = str(frame.get("headers", {}).get("req_id", ""))
        if cmd in (WsCmd.CALLBACK, WsCmd.EVENT_CALLBACK):
            event = (frame.get("body") or {}).get("event") or {}
            if event.get("eventtype") == "disconnected_event":
                log.error("event=wecom_taken_over: another connection of this bot took over")
                self.stopped = True
                return
            await self.on_frame(frame)  # recorded before the next frame is read
            return
        if rid.startswith(WsCmd.HEARTBEAT):
            self._missed = 0
            return
        future = self._waiting.get(rid)
        if future is not None and not future.done():
            future.set_result(frame)

    async def _beat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while not ws.closed:
            await asyncio.sleep(self.heartbeat)
            if self._missed >= 2:
                log.warning("event=wecom_heartbeat_lost")
                await ws.close()
                return
            self._missed += 1
            rid = generate_req_id(WsCmd.HEARTBEAT)
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self._send({"cmd": WsCmd.HEARTBEAT, "headers": {"req_id": rid}})
