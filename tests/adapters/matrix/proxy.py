"""A loopback HTTP proxy in front of Synapse that a test can cut (the homeserver is down: the
connection is refused, requests in flight are dropped) and restore, or make answer the next sends
with 429 ``M_LIMIT_EXCEEDED``. It counts the requests it sees, by kind."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import aiohttp
from aiohttp import web

from tests.adapters.matrix.synapse import free_port

_HOP = {"transfer-encoding", "connection", "keep-alive", "content-encoding", "content-length"}
_SEND = re.compile(r"/rooms/[^/]+/send/")
_NEW_MEDIA = "/_matrix/client/v1/media/"
_OLD_DOWNLOAD = "/_matrix/media/v3/download/"
_NEW_DOWNLOAD = "/_matrix/client/v1/media/download/"


class Proxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: Counter[str] = Counter()
        self.limited: list[tuple[str, float]] = []  # (kind, loop time) of each 429 answered
        self._limits: dict[str, tuple[int, int]] = {}
        #: Play a homeserver older than Matrix 1.11: no authenticated media API (404
        #: M_UNRECOGNIZED), downloads from the legacy /_matrix/media/v3 only.
        self.old_media = False
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._inflight: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        self._http = self._http or aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()

    async def cut(self) -> None:
        """The homeserver goes away: refuse connections, drop the requests in flight."""
        runner, self._runner = self._runner, None
        for task in list(self._inflight):
            task.cancel()
        if runner is not None:
            await runner.cleanup()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()
        if self._http is not None:
            await self._http.close()

    def limit(self, kind: str, count: int, retry_after_ms: int) -> None:
        """Answer the next `count` requests of `kind` (``send``, ``sync``) with 429
        M_LIMIT_EXCEEDED and `retry_after_ms`."""
        self._limits[kind] = (count, retry_after_ms)

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        kind = "sync" if path.endswith("/sync") else "send" if _SEND.search(path) else "other"
        self.seen[kind] += 1
        upstream_path = request.path_qs
        if self.old_media and path.startswith(_NEW_MEDIA):
            body = {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}
            return web.json_response(body, status=404)
        if self.old_media and path.startswith(_OLD_DOWNLOAD):  # the same media store
            upstream_path = _NEW_DOWNLOAD + upstream_path[len(_OLD_DOWNLOAD) :]
        count, retry_after_ms = self._limits.get(kind, (0, 0))
        if count > 0:
            self._limits[kind] = (count - 1, retry_after_ms)
            self.limited.append((kind, asyncio.get_running_loop().time()))
            body = {
                "errcode": "M_LIMIT_EXCEEDED",
                "error": "Too Many Requests",
                "retry_after_ms": retry_after_ms,
            }
            return web.json_response(body, status=429)
        task = asyncio.current_task()
        assert task is not None and self._http is not None
        self._inflight.add(task)  # type: ignore[arg-type]
        try:
            data = await request.read()
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
            headers.pop("Host", None)
            async with self._http.request(
                request.method,
                self.upstream + upstream_path,
                data=data or None,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=None),
            ) as upstream:
                payload = await upstream.read()
                out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
                return web.Response(status=upstream.status, body=payload, headers=out)
        finally:
            self._inflight.discard(task)  # type: ignore[arg-type]
