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
from tests.support.emulated_app import started_apps


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

    def new(plugins: Any = (("wecomtest", plugin),), **options: Any) -> WecomApp:
        return WecomApp(tmp_path, emu, list(plugins), **options)

    async with started_apps(new) as make:
        yield make
