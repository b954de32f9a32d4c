"""Three workers on one PostgreSQL and one polling platform account: exactly one worker polls (the
elected receiver); when it is killed mid-stream, another takes over within seconds, from the cursor
the inbox stored: every message is handled once and answered (issue 19, "one poller per
platform account among workers")."""

from __future__ import annotations

import asyncio
import collections
import signal
from pathlib import Path

import pytest

from tests.conftest import create_pg_database, drop_pg_database
from tests.crash.test_workers import _read
from tests.support.bot_process import start_bot, wait_for
from tests.support.loopback import LoopbackPlatform

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
MESSAGES = 600
ELECTED = "event=receiver_elected key=loopback:"


async def test_the_receiver_dies_and_another_worker_takes_over(tmp_path: Path) -> None:
    url = await create_pg_database()
    platform = LoopbackPlatform()
    await platform.start()
    config = tmp_path / "worker.yaml"
    config.write_text(
        f"database:\n  url: {url}\n  auto_upgrade: true\n"
        "dispatcher:\n  shared: true\n  batch_size: 20\n  poll_interval: 0.05\n"
        f"adapters:\n  loopback:\n    url: {platform.url}\n    poll_timeout: 0.2\n"
        "logging:\n  level: INFO\n",
        encoding="utf-8",
    )
    workers: list[tuple[asyncio.subprocess.Process, Path]] = []
    try:
        for n in range(3):
            log = tmp_path / f"worker-{n}.log"
            workers.append((await start_bot(config), log))

        def receivers() -> list[int]:
            return [n for n, (_, log) in enumerate(workers) if ELECTED in log.read_text()]

        await wait_for(lambda: len(receivers()) == 1, 30)
        [first] = receivers()
        for i in range(MESSAGES // 2):
            platform.inject(f"chat{i % 25}", f"user{i % 40}", f"msg {i}")
        await wait_for(lambda: len(platform.deliveries) >= MESSAGES // 6, 60)
        workers[first][0].send_signal(signal.SIGKILL)  # mid-stream, no goodbye
        killed_at = asyncio.get_running_loop().time()
        for i in range(MESSAGES // 2, MESSAGES):
            platform.inject(f"chat{i % 25}", f"user{i % 40}", f"msg {i}")
        await wait_for(lambda: len(receivers()) == 2, 30)
        takeover = asyncio.get_running_loop().time() - killed_at
        await wait_for(lambda: len(platform.deliveries) >= MESSAGES, 120)
        await asyncio.sleep(1.0)  # late duplicates would arrive now
    finally:
        for proc, _ in workers:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in workers:
            await asyncio.wait_for(proc.wait(), 30)
        await platform.stop()
    try:
        rows, _ = await _read(url)
    finally:
        await drop_pg_database(url)
    print(f"\nreceiver takeover after the kill: {takeover:.2f} s")  # noqa: T201
    assert takeover < 15
    texts = collections.Counter(t for _, t, _, _ in rows)
    assert set(texts) == {f"msg {i}" for i in range(MESSAGES)}, "a message was lost"
    assert max(texts.values()) == 1, "a message was handled twice"
    replies = collections.Counter(d.text for d in platform.deliveries.values())
    assert set(replies) == {f"ok msg {i}" for i in range(MESSAGES)}
    assert max(replies.values()) == 1
