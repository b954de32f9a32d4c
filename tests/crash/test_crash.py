"""Crash safety, proven with a real process: 1,000 messages, each creating a row and a reply,
a SIGKILL in the middle, a restart: every message has exactly one row and one delivered reply."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.loopback import LoopbackPlatform

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 1000
IN_FLIGHT = 4

pytestmark = pytest.mark.slow


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


async def test_sigkill_in_the_middle_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    platform = LoopbackPlatform()
    await platform.start()
    db = tmp_path / "crash.db"
    config = tmp_path / "bot.yaml"
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{db}\n"
        f"adapters:\n  loopback:\n    url: {platform.url}\n    poll_timeout: 0.2\n"
        f"outbox:\n  max_in_flight: {IN_FLIGHT}\n"
        "logging:\n  level: WARNING\n",
        encoding="utf-8",
    )
    for i in range(MESSAGES):
        platform.inject(f"chat{i % 25}", f"user{i % 40}", f"msg {i}")
    try:
        first = await start_bot(config)
        await wait_for(lambda: len(platform.deliveries) >= 300, 120)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        killed_at = len(platform.deliveries)
        assert killed_at < MESSAGES, "the bot finished before it could be killed"

        second = await start_bot(config)
        await wait_for(lambda: len(platform.deliveries) >= MESSAGES, 180)
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    finally:
        await platform.stop()

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = collections.Counter(r[0] for r in conn.execute(text("SELECT text FROM crash_row")))
        unhandled = conn.execute(
            text("SELECT count(*) FROM core_inbox WHERE handled_at IS NULL")
        ).scalar()
    engine.dispose()
    expected = {f"msg {i}" for i in range(MESSAGES)}
    assert set(rows) == expected
    assert max(rows.values()) == 1, "a message was handled twice"
    assert unhandled == 0
    replies = collections.Counter(d.text for d in platform.deliveries.values())
    assert set(replies) == {f"ok {t}" for t in expected}
    assert max(replies.values()) == 1, "a reply was delivered twice"
    repeats = sum(d.repeats for d in platform.deliveries.values())
    print(f"killed after {killed_at} deliveries; idempotent repeats absorbed: {repeats}")
    # what the killed process sent and had not recorded is sent again (the loopback platform's
    # keys absorb it, as Matrix's transaction ids do; Telegram would show it twice): only the
    # messages holding a slot, whose outcome was not committed (docs/delivery.md)
    assert repeats <= IN_FLIGHT, "more was sent again than a sender holds in flight"
