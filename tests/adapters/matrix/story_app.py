"""A qunzhu App for the plugins' stories over Matrix: the YAML a user would write (a homeserver,
the bot's user and password, the plugins' sections, `people:` and `chats:`), loaded as `qunzhu
run` loads it, with the real built-in plugins, logged in to the test Synapse."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest_asyncio

from qunzhu.core.app import App
from qunzhu.core.testing import start_app
from tests.adapters.matrix.conftest import FIGURES
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account, Synapse

__all__ = ["Stopwatch", "in_room", "start_bot", "started"]


@pytest_asyncio.fixture
async def started() -> AsyncIterator[list[App]]:
    """The Apps a test started, stopped at its end."""
    apps: list[App] = []
    yield apps
    for app in apps:
        await app.stop()


async def start_bot(
    tmp_path: Path,
    synapse: Synapse,
    account: Account,
    *,
    allowed: Sequence[str],
    modules: Sequence[tuple[str, object]],
    **sections: Any,
) -> App:
    """Write the YAML (the adapter's section for the bot's `account`, and `sections`:
    ``plugins=``, ``people=``, ``chats=``, ``bot=``…), load it as ``qunzhu run`` does and start
    the App with the plugins `modules` (name, hooks module)."""
    config: dict[str, Any] = {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"},
        "adapters": {
            "matrix": {
                "homeserver": synapse.url,
                "user_id": account.user_id,
                "password": account.password,
                "sync_timeout": 10,
                "backoff": 0.1,
                "limits": {"messages": 1000, "per_seconds": 1},
                "store_path": str(tmp_path / "matrix-store"),
                "invites": {"allow_users": list(allowed)},
            }
        },
        "outbox": {"backoff": 0.1, "backoff_max": 1.0},
        "logging": {"level": "WARNING"},
    }
    config.update(sections)
    return await start_app(tmp_path, config, modules)


async def in_room(who: Person, room: str, bot: str) -> None:
    """Wait until the bot has joined `room` (as `who` sees its members)."""
    await wait_for(lambda: who.members(room), lambda members: bot in members)


class Stopwatch:
    """How long a story takes end to end, and each of its stages (`lap`: the time since the
    previous lap); kept with the figures printed at the end of the run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = self._last = time.monotonic()
        self.laps: list[str] = []

    def lap(self, what: str) -> None:
        now = time.monotonic()
        self.laps.append(f"{what} {now - self._last:.2f} s")
        self._last = now

    def stop(self) -> float:
        took = time.monotonic() - self.started
        laps = f" ({', '.join(self.laps)})" if self.laps else ""
        FIGURES[self.name] = f"{took:.2f} s{laps}"
        return took
