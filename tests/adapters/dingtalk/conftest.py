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
from tests.support.emulated_app import started_apps


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

    def new(plugins: Any = (("dingtalktest", plugin),), **options: Any) -> DingtalkApp:
        return DingtalkApp(tmp_path, emu, list(plugins), **options)

    async with started_apps(new) as make:
        yield make
