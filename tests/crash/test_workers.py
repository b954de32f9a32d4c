"""Two worker processes on one PostgreSQL database share a stream of events and jobs: no event
is handled twice, each chat stays in order, no job slot runs twice, no reply is sent twice."""

from __future__ import annotations

import asyncio
import collections
import signal
from pathlib import Path

import pytest

from tests.conftest import create_pg_database, drop_pg_database
from tests.support.bot_process import start_bot, wait_for
from tests.support.loopback import LoopbackPlatform

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
MESSAGES = 1000


async def test_two_workers_share_events_and_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each message holds its worker 3 ms, as real handlers do: one worker alone (3,000 msgs/s in
    # shared mode) kept up with the whole stream, and the other had nothing left to take
    monkeypatch.setenv("CRASH_HANDLER_BUSY_MS", "3")
    url = await create_pg_database()
    platform = LoopbackPlatform()
    await platform.start()
    config = tmp_path / "worker.yaml"
    config.write_text(
        f"database:\n  url: {url}\n  auto_upgrade: true\n"
        "dispatcher:\n  shared: true\n  batch_size: 20\n  poll_interval: 0.05\n"
        f"adapters:\n  loopback:\n    url: {platform.url}\n    poll_timeout: 0.2\n"
        "logging:\n  level: WARNING\n",
        encoding="utf-8",
    )
    workers = []
    try:
        workers.append(await start_bot(config))  # creates the tables
        workers.append(await start_bot(config))  # both poll the platform: every update twice
        # the stream comes once both are up: queued before, the first worker (one shared worker
        # handles ~3,000 msgs/s since the dialog look-up is per batch) was done before the second
        # had started, and the test saw one worker only
        for i in range(MESSAGES):
            platform.inject(f"chat{i % 25}", f"user{i % 40}", f"msg {i}")
        started = asyncio.get_running_loop().time()
        try:
            await wait_for(lambda: len(platform.deliveries) >= MESSAGES, 120)
        except BaseException:
            pytest.fail(
                f"stuck at {len(platform.deliveries)} deliveries: {await _state(url)}; "
                f"logs: {[p.read_text()[-1500:] for p in tmp_path.glob('*.log')]}"
            )
        remaining = 5.0 - (asyncio.get_running_loop().time() - started)
        await asyncio.sleep(max(remaining, 0) + 0.5)  # a few job slots; late duplicates arrive
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            await asyncio.wait_for(proc.wait(), 30)
        await platform.stop()

    try:
        rows, ticks = await _read(url)
    finally:
        await drop_pg_database(url)

    texts = collections.Counter(t for _, t, _, _ in rows)
    assert set(texts) == {f"msg {i}" for i in range(MESSAGES)}
    assert max(texts.values()) == 1, "an event was handled twice"
    assert len({w for _, _, _, w in rows}) == 2, "both workers should have handled events"
    by_chat: dict[str, list[int]] = collections.defaultdict(list)
    for _, t, chat, _ in sorted(rows):
        by_chat[chat].append(int(t.split()[1]))
    for chat, numbers in by_chat.items():
        assert numbers == sorted(numbers), f"{chat} was handled out of order"
    replies = collections.Counter(d.text for d in platform.deliveries.values())
    assert max(replies.values()) == 1 and len(replies) == MESSAGES
    assert sum(d.repeats for d in platform.deliveries.values()) == 0
    slots = collections.Counter(slot for slot, _ in ticks)
    assert len(slots) >= 3
    assert max(slots.values()) == 1, "a job slot ran twice"


async def _state(url: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        inbox = await conn.fetch(
            "SELECT handled_at IS NULL AS open, count(*) FROM core_inbox GROUP BY 1"
        )
        outbox = await conn.fetch("SELECT status, count(*) FROM core_outbox GROUP BY 1")
        locks = await conn.fetch(
            "SELECT locktype, mode, granted FROM pg_locks WHERE locktype = 'advisory'"
        )
    finally:
        await conn.close()
    rows = {"inbox": inbox, "outbox": outbox, "advisory locks": locks}
    return "; ".join(f"{name} {[tuple(r) for r in found]}" for name, found in rows.items())


async def _read(url: str) -> tuple[list[tuple[int, str, str, int]], list[tuple[str, int]]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = [tuple(r) for r in await conn.fetch("SELECT id, text, chat, worker FROM crash_row")]
        ticks = [tuple(r) for r in await conn.fetch("SELECT slot, worker FROM crash_tick")]
    finally:
        await conn.close()
    return rows, ticks  # type: ignore[return-value]
