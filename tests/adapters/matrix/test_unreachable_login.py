"""A login the homeserver could not answer (no connection, a proxy's 502 while Synapse restarts)
is `PlatformUnreachable`, which start-up waits for; a refused password is an `AdapterError`,
which stops the start at once (issue 16, item 2). Over loopback HTTP, without Synapse."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nio
import pytest
from aiohttp import web

from qunzhu.adapters.matrix.config import MatrixConfig
from qunzhu.adapters.matrix.crypto import client_config
from qunzhu.adapters.matrix.session import Session
from qunzhu.core.errors import AdapterError, PlatformUnreachable
from tests.adapters.telegram.test_adapter_webhook import free_port


@pytest.fixture
async def homeserver() -> AsyncIterator[tuple[str, list[int]]]:
    """A homeserver whose login answers each status of the list in turn."""
    answers: list[int] = []

    async def login(request: web.Request) -> web.Response:
        status = answers.pop(0)
        body = {"errcode": "M_FORBIDDEN", "error": "Invalid password"}
        if status >= 500:
            return web.Response(status=status, text="<html>Bad Gateway</html>")
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/_matrix/client/v3/login", login)
    app.router.add_post("/_matrix/client/r0/login", login)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", answers
    await runner.cleanup()


async def _login(url: str) -> None:
    config = MatrixConfig(homeserver=url, user_id="@q:example.org", password="p")
    client = nio.AsyncClient(url, "@q:example.org", config=client_config(config))
    try:
        await Session(client, config).login()
    finally:
        await client.close()


async def test_no_homeserver_at_all_is_waited_for() -> None:
    with pytest.raises(PlatformUnreachable, match="cannot reach"):
        await _login(f"http://127.0.0.1:{free_port()}")


async def test_a_bad_gateway_is_waited_for(homeserver: tuple[str, list[int]]) -> None:
    url, answers = homeserver
    answers.append(502)
    with pytest.raises(PlatformUnreachable, match=r"failed \(502\)"):
        await _login(url)


async def test_a_refused_password_stops_the_start(homeserver: tuple[str, list[int]]) -> None:
    url, answers = homeserver
    answers.append(403)
    with pytest.raises(AdapterError, match=r"failed \(403\)") as caught:
        await _login(url)
    assert not isinstance(caught.value, PlatformUnreachable)
