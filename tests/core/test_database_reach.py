"""Start-up waits for a database it cannot reach, and says so; a database that answers "no"
(a wrong user, a missing database) stops the start at once with one line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from asyncio import StreamReader, StreamWriter
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.engine import make_url

from qunzhu.core.clock import SystemClock
from qunzhu.core.errors import StorageError
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._reach import wait_until_reachable
from tests.conftest import create_pg_database, drop_pg_database

pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def forwarder(host: str, port: int) -> Callable[[StreamReader, StreamWriter], Awaitable[None]]:
    """A TCP forwarder to the real PostgreSQL: the database "comes back" when it starts."""

    async def forward(reader: StreamReader, writer: StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, port)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    return forward


async def _pipe(src: StreamReader, dst: StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
    dst.close()


async def test_start_up_waits_for_a_database_that_comes_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = make_url(await create_pg_database())
    port = free_port()
    db = Database(url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False))
    caplog.set_level(logging.WARNING, logger="qunzhu.storage")
    waiting = asyncio.create_task(wait_until_reachable(db, SystemClock()))
    try:
        while "event=database_unreachable" not in caplog.text:
            await asyncio.sleep(0.05)
        assert not waiting.done()
        real = forwarder(url.host or "127.0.0.1", url.port or 5432)
        server = await asyncio.start_server(real, "127.0.0.1", port)
        async with server:
            failures = await asyncio.wait_for(waiting, 15)
            assert failures >= 1
            assert "event=database_reachable" in caplog.text
            assert "ConnectionRefusedError" in caplog.text
    finally:
        waiting.cancel()
        await db.dispose()
        await drop_pg_database(url.render_as_string(hide_password=False))


async def test_a_database_that_refuses_the_user_stops_the_start_at_once() -> None:
    url = await create_pg_database()
    db = Database(make_url(url).set(username="no_such_user_qunzhu").render_as_string(False))
    try:
        with pytest.raises(StorageError) as caught:
            await asyncio.wait_for(wait_until_reachable(db, SystemClock()), 10)
    finally:
        await db.dispose()
        await drop_pg_database(url)
    assert "no_such_user_qunzhu" in str(caught.value)
    assert "\n" not in str(caught.value)
