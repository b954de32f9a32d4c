"""Fixtures for the Telegram tests: a started emulator with a hand-driven clock, an aiogram `Bot`
talking to it over the real wire, and (for the adapter's tests) a qunzhu App whose Telegram
adapter talks to it."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from tests.adapters.telegram.tgapp import TelegramApp, TgTest

TOKEN = "123456:TEST"


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LoopbackSession(AiohttpSession):
    """aiogram's session without the 0.25 s pause its close() makes for TLS connections, which
    loopback HTTP does not have (it would add seconds to this test folder)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)


def jpeg(width: int, height: int) -> bytes:
    """The smallest JPEG header the emulator (and Telegram) can read the size from."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3)
    return b"\xff\xd8" + app0 + sof + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01" + b"\xff\xd9"


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\x00" * 4


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limits() -> Limits:
    """Telegram's limits; tests that are not about limits raise them out of the way."""
    return Limits(scale=1000)


@pytest_asyncio.fixture
async def tg(clock: FakeClock, limits: Limits) -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(TOKEN, bot_username="qunzhu_bot", clock=clock, limits=limits)
    async with emulator:
        yield emulator


def make_bot(tg: TelegramEmulator) -> Bot:
    api = TelegramAPIServer.from_base(tg.api_base)
    return Bot(TOKEN, session=LoopbackSession(api=api))


@pytest_asyncio.fixture
async def bot(tg: TelegramEmulator) -> AsyncIterator[Bot]:
    client = make_bot(tg)
    try:
        yield client
    finally:
        await client.session.close()


@pytest.fixture
def make_jpeg() -> object:
    """``make_jpeg(width, height)`` -> JPEG bytes."""
    return jpeg


@pytest.fixture
def make_png() -> object:
    """``make_png(width, height)`` -> PNG bytes."""
    return png


@pytest.fixture
def plugin(tmp_path: Path) -> TgTest:
    """The adapter tests' plugin, with a photo on disk for its posts."""
    photo = tmp_path / "catfish.jpg"
    photo.write_bytes(jpeg(1600, 1200))
    return TgTest(photo)


@pytest_asyncio.fixture
async def make_app(
    tmp_path: Path, tg: TelegramEmulator, plugin: TgTest
) -> AsyncIterator[Callable[..., Awaitable[TelegramApp]]]:
    """``await make_app(adapter={...}, web_port=...)``: a started qunzhu App whose Telegram
    adapter talks to `tg`; stopped at the end of the test."""
    apps: list[TelegramApp] = []

    async def make(**options: Any) -> TelegramApp:
        app = TelegramApp(tmp_path, tg, plugin, **options)
        apps.append(app)
        return await app.start()

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()
