"""qunzhu's pytest plugin (entry point ``pytest11``): the `bot` fixture and its override points.

Override in your own tests:

* ``bot_plugins``: the plugins to load (modules or objects), default none beyond the built-ins;
* ``bot_config``: the YAML config as a dict (``{"plugins": {"mine": {...}}}``);
* ``bot_clock``: the `FakeClock` (default: Monday 2026-01-05 09:00 Asia/Shanghai);
* ``bot_entry_points``: also load installed plugins (default False, for repeatable tests).

pytest imports this module in every test run of an environment where qunzhu is installed, so it
imports nothing heavy: the harness (the App, SQLAlchemy, aiohttp) and the clock are imported when
a test asks for one of these fixtures, and a project that uses none of them pays nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

try:
    import pytest_asyncio as _pytest_asyncio
except ImportError:  # pragma: no cover - qunzhu installed without its test extra
    _pytest_asyncio = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from qunzhu.core.clock import FakeClock
    from qunzhu.core.testing.harness import BotHarness


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return ()


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def bot_clock() -> FakeClock:
    from qunzhu.core.clock import FakeClock

    return FakeClock()


@pytest.fixture
def bot_entry_points() -> bool:
    return False


async def _bot(
    tmp_path: Path,
    bot_plugins: Sequence[object],
    bot_config: dict[str, Any],
    bot_clock: FakeClock,
    bot_entry_points: bool,
) -> AsyncIterator[BotHarness]:
    """A running bot: real plugins and dispatcher, an in-memory adapter, a fresh SQLite database
    in `tmp_path`, and a clock that moves only with ``await bot.advance(...)``."""
    from qunzhu.core.testing.harness import BotHarness

    harness = await BotHarness.create(
        workdir=tmp_path,
        config=bot_config,
        plugins=bot_plugins,
        clock=bot_clock,
        entry_points=bot_entry_points,
    )
    try:
        yield harness
    finally:
        await harness.close()


if _pytest_asyncio is not None:
    bot = _pytest_asyncio.fixture(_bot, name="bot")
else:  # pragma: no cover

    @pytest.fixture(name="bot")
    def _missing() -> None:
        pytest.fail("the bot fixture needs pytest-asyncio: pip install 'qunzhu[test]'")
