"""The bot's one web server (aiohttp). Off unless ``web.enabled``; plugins add routes through
`register_routes` (hotline imports), adapters through `Adapter.routes` (Telegram's webhook), and
console pages under ``/web`` through `register_pages` (`Page`, `Panel`, `Template`, `Visit`: see
docs/web.md; the console itself is `qunzhu.core.webui`).
``GET /healthz`` answers whether the bot and its database are up (``ok`` or ``unavailable``, and
nothing else: the reason is in the bot's log, not in the answer to whoever asks), and ``GET
/metrics`` gives its figures to Prometheus (`qunzhu.core._metrics`).

    from qunzhu.core.web import APP_KEY, get, json_response

    @hookimpl
    def register_routes():
        return [get("/hello", hello)]

    async def hello(request):
        app = request.app[APP_KEY]          # the running qunzhu App
        return json_response({"plugins": len(app.plugins.names)})
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp.web import Request, Response, RouteDef, get, json_response, post
from sqlalchemy import text

from qunzhu.core.webui._pages import Page, Panel, Template, Visit

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = [
    "APP_KEY",
    "Page",
    "Panel",
    "Request",
    "Response",
    "RouteDef",
    "Template",
    "Visit",
    "WebServer",
    "get",
    "json_response",
    "post",
]

APP_KEY: web.AppKey[App] = web.AppKey("qunzhu_app")
log = logging.getLogger("qunzhu.web")


class WebServer:
    def __init__(self, app: App, host: str, port: int) -> None:
        self._app = app
        self.host = host
        self.port = port
        self.web = web.Application()
        self.web[APP_KEY] = app
        self.web.router.add_get("/healthz", _healthz)
        self.web.router.add_get("/metrics", _metrics)
        self.web.router.add_routes(app.plugins.routes)
        for adapter in app.adapters.values():  # a Telegram webhook
            self.web.router.add_routes(adapter.routes())
        from qunzhu.core.webui._server import Console

        self.console = Console(app, app.plugins.pages, app.plugins.panels)
        self.console.mount(self.web)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0 and site._server is not None:  # an ephemeral port, for tests
            sockets = getattr(site._server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]
        log.info("event=web_started host=%s port=%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def _healthz(request: Request) -> Response:
    app = request.app[APP_KEY]
    try:
        async with app.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("event=healthz_failed error=%s: %s", type(exc).__name__, exc)
        return json_response({"status": "unavailable"}, status=503)
    return json_response({"status": "ok"})


async def _metrics(request: Request) -> Response:
    from qunzhu.core._metrics import CONTENT_TYPE, metrics_text

    body = await metrics_text(request.app[APP_KEY])
    return Response(body=body, headers={"Content-Type": CONTENT_TYPE})
