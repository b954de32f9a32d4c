"""Fixtures for the DingTalk tests: a started emulator and a qunzhu App whose DingTalk adapter
talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.adapters.dingtalk.dingtalkapp import DingtalkApp, DingtalkTest
from tests.adapters.dingtalk.emulator import DingtalkEmulator


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[DingtalkEmulator]:
    async with DingtalkEmulator() as emulator:
        yield emulator


@pytest.fixture
def plugin() -> DingtalkTest:
    return DingtalkTest()


@pytest_asyncio.fixture
async def make_app(
    tmp_path: Path, emu: DingtalkEmulator, plugin: DingtalkTest
) -> AsyncIterator[Callable[..., Awaitable[DingtalkApp]]]:
    """``await make_app(plugins=..., config=..., adapter=...)``: a started App on `emu`."""
    apps: list[DingtalkApp] = []

    async def make(**options: Any) -> DingtalkApp:
        plugins = options.pop("plugins", [("dingtalktest", plugin)])
        app = DingtalkApp(tmp_path, emu, plugins, **options)
        apps.append(app)
        return await app.start()

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()
