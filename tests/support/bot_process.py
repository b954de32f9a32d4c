"""A bot in a process of its own, for the crash tests: started from the repository root with
a config file (`start_bot`, or several workers on one config: `start_workers`), waited on
(`wait_for`), and, once it is gone, its database checked: every message handled exactly once
(`assert_each_handled_once`)."""

from __future__ import annotations

import asyncio
import collections
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

__all__ = ["assert_each_handled_once", "start_bot", "start_workers", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(
    config: Path, module: str = "tests.crash.crash_bot"
) -> asyncio.subprocess.Process:
    """Start the bot (`module`: the loopback crash bot, or ``tests.crash.installed_bot`` for an
    installed adapter); its log goes to a file beside the config (a pipe nobody reads would fill
    up and stop the bot)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}
    log = config.with_name(f"{config.stem}-{len(list(config.parent.glob('*.log')))}.log")
    with log.open("w") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,  # from the repository root: it imports tests.support
            str(config),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if line.strip() != b"ready":
        pytest.fail(f"the bot did not start: {line!r} {log.read_text()[-2000:]}")
    return proc


async def start_workers(
    config: Path, count: int, module: str = "tests.crash.installed_bot"
) -> list[asyncio.subprocess.Process]:
    """`count` workers on one config, as ``--workers`` starts them: the first alone (it creates
    the tables), the others together. If one fails to start, the others are stopped."""
    started = [await start_bot(config, module)]
    more = await asyncio.gather(
        *(start_bot(config, module) for _ in range(count - 1)), return_exceptions=True
    )
    started += [p for p in more if isinstance(p, asyncio.subprocess.Process)]
    problems = [p for p in more if isinstance(p, BaseException)]
    if problems:
        for proc in started:
            proc.kill()
            await proc.wait()
        raise problems[0]
    return started


async def wait_for(condition: object, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("timed out")
        await asyncio.sleep(0.01)


def assert_each_handled_once(db: Path, expected: Iterable[str]) -> None:
    """The crash plugin's rows of the SQLite file `db` are `expected`, each once, and the inbox
    has nothing left unhandled."""
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = collections.Counter(r[0] for r in conn.execute(text("SELECT text FROM crash_row")))
        unhandled = conn.execute(
            text("SELECT count(*) FROM core_inbox WHERE handled_at IS NULL")
        ).scalar()
    engine.dispose()
    assert set(rows) == set(expected), "a message was lost"
    assert max(rows.values()) == 1, "a message was handled twice"
    assert unhandled == 0
