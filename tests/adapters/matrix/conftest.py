"""Fixtures for the Matrix tests: one real Synapse for the session (skipped with the reason when
it is not installed, except in CI, where that is a failure), a fresh bot account and fresh people
for each test, and qunzhu Apps whose Matrix adapter logs in there.

The figures the tests measure (Synapse's start, the round trip) are printed at the end of the
run."""

from __future__ import annotations

import os
import struct
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.adapters.matrix.mxapp import MatrixApp, MxTest
from tests.adapters.matrix.person import Person
from tests.adapters.matrix.proxy import Proxy
from tests.adapters.matrix.synapse import Account, Synapse, find_synapse

#: Figures measured by the tests, printed in the terminal summary.
FIGURES: dict[str, str] = {}

MakeApp = Callable[..., Awaitable[MatrixApp]]
Register = Callable[[str], Awaitable[Account]]
MakePerson = Callable[[str], Awaitable[Person]]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("Matrix adapter against Synapse")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    python = find_synapse()
    if python is None:
        reason = (
            "Synapse is not installed (python3 -m venv .venv-synapse && "
            ".venv-synapse/bin/pip install matrix-synapse; .ci/run does it), "
            "or set QUNZHU_SYNAPSE_PYTHON"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Matrix tests: {reason}")
        pytest.skip(reason)
    server = Synapse(python, tmp_path_factory.mktemp("synapse"))
    server.start()
    FIGURES["Synapse start (config, keys, SQLite schema, ready)"] = f"{server.start_seconds:.2f} s"
    try:
        yield server
    finally:
        FIGURES["Synapse stop"] = f"{server.stop():.2f} s"


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + b"\x80\x20\x10" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def register(synapse: Synapse) -> Register:
    """``await register("ana")``: a new account with a unique name (``@ana-1a2b3c:…``)."""

    async def make(name: str) -> Account:
        return await synapse.register(f"{name}-{uuid.uuid4().hex[:6]}")

    return make


@pytest.fixture
def person(synapse: Synapse, http: aiohttp.ClientSession, register: Register) -> MakePerson:
    """``await person("ana")``: a new account, as a `Person` talking to Synapse directly."""

    async def make(name: str) -> Person:
        return Person(http, synapse.url, await register(name))

    return make


@pytest_asyncio.fixture
async def bot_account(register: Register) -> Account:
    return await register("qunzhu")


@pytest.fixture
def bot_person(synapse: Synapse, http: aiohttp.ClientSession, bot_account: Account) -> Person:
    """The bot's account, used by hand (as an earlier deployment or another client would)."""
    return Person(http, synapse.url, bot_account)


@pytest.fixture
def plugin(tmp_path: Path) -> MxTest:
    photo = tmp_path / "catfish.png"
    photo.write_bytes(png(8, 6))
    return MxTest(photo)


@pytest_asyncio.fixture
async def proxy(synapse: Synapse) -> AsyncIterator[Proxy]:
    """A proxy in front of Synapse that the test can cut or make answer 429."""
    front = Proxy(synapse.url)
    await front.start()
    try:
        yield front
    finally:
        await front.close()


@pytest_asyncio.fixture
async def make_app(
    tmp_path: Path, synapse: Synapse, bot_account: Account, plugin: MxTest
) -> AsyncIterator[MakeApp]:
    """``await make_app(adapter={...}, homeserver=...)``: a started qunzhu App logged in as
    `bot_account`; stopped at the end of the test."""
    apps: list[MatrixApp] = []

    async def make(*, homeserver: str | None = None, **options: Any) -> MatrixApp:
        app = MatrixApp(
            tmp_path,
            plugin,
            homeserver=homeserver or synapse.url,
            user_id=bot_account.user_id,
            password=bot_account.password,
            **options,
        )
        apps.append(app)
        return await app.start()

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()
