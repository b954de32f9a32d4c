"""The web server: off by default, /healthz, /metrics, and routes from plugins."""

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
        assert body == {"status": "ok"}  # nothing about the bot's insides
        async with http.get(f"http://127.0.0.1:{port}/hotline/count") as resp:
            assert (await resp.json())["plugins"] >= 5


async def test_web_server_is_off_unless_enabled(tmp_path: Any) -> None:
    bot = await BotHarness.create(workdir=tmp_path)
    try:
        assert bot.app.web is None
    finally:
        await bot.close()


async def test_healthz_says_unavailable_without_the_reason(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Down:
        def connect(self) -> Any:
            raise OSError("connection to server at 10.0.0.7, port 5432 failed: password=hunter2")

    monkeypatch.setattr(bot.app.db, "engine", Down())
    url = f"http://127.0.0.1:{bot.app.web.port}/healthz"
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 503
        assert await resp.json() == {"status": "unavailable"}
    assert "event=healthz_failed" in caplog.text  # the reason is for the operator's log


async def test_metrics_count_events_handlers_and_the_outbox(bot: BotHarness) -> None:
    await bot.send("/help", user="ana", chat="village-3")
    await bot.send("/whoami", user="bo", chat="village-3")
    url = f"http://127.0.0.1:{bot.app.web.port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await resp.text()
    lines = set(text.splitlines())
    assert 'qunzhu_events_recorded_total{platform="memory"} 2.0' in lines
    assert 'qunzhu_events_handled_total{platform="memory"} 2.0' in lines
    assert "qunzhu_inbox_lag_seconds 0.0" in lines
    assert any(line.startswith("qunzhu_outbox_messages{") for line in lines) or (
        "# TYPE qunzhu_outbox_messages gauge" in lines
    )
    assert "ana" not in text and "village-3" not in text  # counts, no people or chats
