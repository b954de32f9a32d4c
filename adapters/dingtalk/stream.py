"""Stream mode: open a connection, read its frames in order, acknowledge, reconnect.

``POST /v1.0/gateway/connections/open`` with the app's ``clientId`` and ``clientSecret`` and the
topics subscribed answers an ``endpoint`` and a one-time ``ticket``; the WebSocket at
``endpoint?ticket=…`` then carries frames ``{specVersion, type, headers: {messageId, topic, …},
data}`` of three types: ``SYSTEM`` (``ping``, answered by acknowledging it with its own data;
``disconnect``: the server is about to close, the client opens a new connection at once),
``EVENT`` and ``CALLBACK`` (robot messages, card clicks). Each is acknowledged with ``{code,
headers: {messageId, contentType}, message, data}`` (the SDK's `AckMessage`).

The inbox rule: `on_frame` is awaited, and the event recorded, before the frame is
acknowledged; a frame not acknowledged is pushed again by DingTalk (the inbox drops the
duplicate). A failure to record leaves the frame unacknowledged.

Why not the SDK's ``DingTalkStreamClient``: it handles each frame in a task of its own (no order
within a chat) and acknowledges when its handler returns, which holds the inbox rule only if the
handler records; it opens the connection with ``requests``, blocking the event loop; it reads
the open API's address once, from an environment variable at import; and it reconnects after a
fixed 10 seconds. The SDK's frame types and `AckMessage` are used here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote_plus

import aiohttp

from qunzhu.core.adapter import keep_connected

from .sdk import AckMessage, CallbackMessage, SystemMessage

__all__ = ["FrameHandler", "StreamConnection"]

log = logging.getLogger("qunzhu.adapters.dingtalk")

#: ``(topic, data, messageId)`` of a CALLBACK frame; returns once the event is recorded.
FrameHandler = Callable[[str, dict[str, Any], str], Awaitable[None]]

OPEN_PATH = "/v1.0/gateway/connections/open"
#: Seconds between the client's WebSocket pings.
PING_EVERY = 60.0
USER_AGENT = "qunzhu (dingtalk-stream frames)"


class StreamConnection:
    """One app's Stream connection; `on_frame` gets every callback, awaited in order."""

    def __init__(
        self,
        api_url: str,
        client_id: str,
        client_secret: str,
        topics: tuple[str, ...],
        on_frame: FrameHandler,
        *,
        max_backoff: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        self.api_url, self.client_id, self.client_secret = api_url, client_id, client_secret
        self.topics, self.on_frame = topics, on_frame
        self.max_backoff, self.timeout = max_backoff, timeout
        self.session: aiohttp.ClientSession | None = None
        #: Set once the first ``connections/open`` was answered, accepted or `refused`.
        self.settled = asyncio.Event()
        self.connected = asyncio.Event()
        self.refused: str | None = None
        self.stopped = False
        #: How many WebSocket connections were made (a reconnect makes one more).
        self.connections = 0
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    def start(self) -> None:
        self.stopped = False
        self._task = asyncio.create_task(self._run(), name="dingtalk-stream")

    async def stop(self) -> None:
        self.stopped = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._ws is not None:
            await self._ws.close()
        if self.session is not None:
            await self.session.close()
            self.session = None
        self.connected.clear()

    async def _run(self) -> None:
        # told to go (``disconnect``) or closed after a good run: the next connection at once
        await keep_connected(
            self._connect_once,
            lambda: self.stopped,
            name="dingtalk",
            max_backoff=self.max_backoff,
            log=log,
            again_at_once=True,
        )

    async def _open(self) -> dict[str, Any] | None:
        """The endpoint and ticket of a new connection; None when refused for good."""
        if self.session is None:
            self.session = aiohttp.ClientSession()
        body = {
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": t} for t in self.topics],
            "ua": USER_AGENT,
            "localIp": "",
        }
        async with self.session.post(
            self.api_url + OPEN_PATH,
            json=body,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as response:
            answer = await response.json(content_type=None)
            if response.status in (400, 401, 403):
                self.refused = f"{response.status} {answer.get('code', '')}".strip()
                log.error("event=dingtalk_open_refused status=%s", self.refused)
                self.stopped = True  # the same client id and secret would fail again
                self.settled.set()
                return None
            response.raise_for_status()
            return dict(answer)

    async def _connect_once(self) -> bool:
        """One connection's life; True when it ended well (reconnect at once)."""
        opened = await self._open()
        if opened is None:
            return False
        assert self.session is not None
        url = f"{opened['endpoint']}?ticket={quote_plus(str(opened['ticket']))}"
        # WebSocket pings every minute, as the SDK does; an unanswered one closes the connection
        async with self.session.ws_connect(url, heartbeat=PING_EVERY, autoping=True) as ws:
            self._ws = ws
            self.connections += 1
            self.connected.set()
            self.settled.set()
            try:
                async for raw in ws:
                    if raw.type != aiohttp.WSMsgType.TEXT:
                        break
                    if await self._frame(ws, json.loads(raw.data)):
                        return True
            finally:
                self.connected.clear()
                self._ws = None
        return True

    async def _frame(self, ws: aiohttp.ClientWebSocketResponse, frame: dict[str, Any]) -> bool:
        """Handle one frame; True when the server asked the client to go."""
        kind = frame.get("type")
        headers = frame.get("headers") or {}
        topic = str(headers.get("topic", ""))
        if kind == SystemMessage.TYPE:
            if topic == SystemMessage.TOPIC_DISCONNECT:
                log.info("event=dingtalk_disconnect_asked")
                await ws.close()
                return True
            await self._ack(ws, headers, raw_data=frame.get("data"))  # ping: its data back
            return False
        if kind == CallbackMessage.TYPE:
            data = json.loads(frame.get("data") or "{}")
            try:
                # recorded before it is acknowledged
                await self.on_frame(topic, data, str(headers.get("messageId", "")))
            except Exception:  # noqa: BLE001 - not recorded: not acknowledged, pushed again
                log.exception("event=dingtalk_frame_not_recorded topic=%s", topic)
                return False
            await self._ack(ws, headers, data={"response": None})
            return False
        # an EVENT (none subscribed) or a type of the future: acknowledged, nothing to record
        await self._ack(ws, headers, raw_data=frame.get("data"))
        return False

    async def _ack(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        headers: dict[str, Any],
        *,
        data: dict[str, Any] | None = None,
        raw_data: Any = None,
    ) -> None:
        ack = AckMessage()
        ack.code = AckMessage.STATUS_OK
        ack.message = "OK"
        ack.headers.message_id = headers.get("messageId")
        ack.headers.content_type = "application/json"
        answer = ack.to_dict()
        answer["data"] = raw_data if data is None else json.dumps(data)
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            await ws.send_str(json.dumps(answer, ensure_ascii=False))
