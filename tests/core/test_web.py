"""The web server: off by default, /healthz, and routes from plugins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest

from qunzhu.core import hookimpl
from qunzhu.core.testing import BotHarness
from qunzhu.core.web import APP_KEY, Request, Response, RouteDef, get, json_response


class Hotline:
    @hookimpl
    def register_routes(self) -> Sequence[RouteDef]:
        async def count(request: Request) -> Response:
            app = request.app[APP_KEY]
            return json_response({"plugins": len(app.plugins.names)})

        return [get("/hotline/count", count)]


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("hotline", Hotline())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {"web": {"enabled": True, "host": "127.0.0.1", "port": 0}}


async def test_healthz_and_a_plugin_route(bot: BotHarness) -> None:
    port = bot.app.web.port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            assert resp.status == 200
            body = await resp.json()
        assert body["status"] == "ok" and body["adapters"] == ["memory"]
        async with http.get(f"http://127.0.0.1:{port}/hotline/count") as resp:
            assert (await resp.json())["plugins"] >= 5


async def test_web_server_is_off_unless_enabled(tmp_path: Any) -> None:
    bot = await BotHarness.create(workdir=tmp_path)
    try:
        assert bot.app.web is None
    finally:
        await bot.close()
