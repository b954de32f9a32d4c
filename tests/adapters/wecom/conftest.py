"""Fixtures for the WeCom tests: a started emulator and a qunzhu App whose WeCom adapter talks
to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.adapters.wecom.emulator import WecomEmulator
from tests.adapters.wecom.wecomapp import WecomApp, WecomTest


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[WecomEmulator]:
    async with WecomEmulator() as emulator:
        yield emulator


@pytest.fixture
def plugin() -> WecomTest:
    return WecomTest()


@pytest_asyncio.fixture
async def make_app(
    tmp_path: Path, emu: WecomEmulator, plugin: WecomTest
) -> AsyncIterator[Callable[..., Awaitable[WecomApp]]]:
    """``await make_app(plugins=..., config=..., adapter=...)``: a started App on `emu`."""
    apps: list[WecomApp] = []

    async def make(**options: Any) -> WecomApp:
        plugins = options.pop("plugins", [("wecomtest", plugin)])
        app = WecomApp(tmp_path, emu, plugins, **options)
        apps.append(app)
        return await app.start()

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()
