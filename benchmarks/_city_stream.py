"""The city benchmark's message parts: a stream of messages from random senders through the whole
pipeline (msgs/s per slice, RSS after every 50,000), and a queued inbox drained by 1 or 2 worker
processes on one PostgreSQL database (``dispatcher.shared``), beside one worker in single mode."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks._pipeline import KEYWORD, BenchPlugin, NullAdapter, build
from qunzhu.core import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.delivery._outbox import OUTBOX
from qunzhu.core.delivery._serialize import event_kind, event_to_json
from qunzhu.core.storage._tables import InboxRow

__all__ = ["Stream", "drain", "stream", "worker_main"]

SLICE = 10_000  # msgs/s is measured over slices of this many messages
RSS_EVERY = 50_000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def city_messages(start: int, n: int, people: int, groups: int, seed: int) -> Iterator[Message]:
    """`n` messages from senders drawn at random among `people`, in `groups` groups; half
    carry the keyword (a row and a reply each)."""
    rnd = random.Random(seed * 1_000_003 + start)
    for i in range(start, start + n):
        who = rnd.randrange(people)
        chat = ChatRef("bench", f"g{rnd.randrange(groups)}", ChatKind.GROUP)
        text = f"第{i}号 {KEYWORD}没人收" if i % 2 == 0 else f"第{i}号 今天天气不错"
        yield Message(f"m{i}", chat, UserRef("bench", f"p{who}", f"居民{who}"), text)


@dataclass
class Stream:
    name: str
    rates: list[float] = field(default_factory=list)  # msgs/s per slice
    rss: list[tuple[int, float]] = field(default_factory=list)
    start_rss: float = 0.0
    seconds: float = 0.0
    people: int = 0
    cached: int = 0
    slice: int = SLICE

    def line(self) -> str:
        first, last = self.rates[0], self.rates[-1]
        total = sum(n for n, _ in self.rss[-1:]) / self.seconds if self.seconds else 0.0
        rss = ", ".join(f"{n // 1000}k: {mb:.0f} MB" for n, mb in self.rss)
        return (
            f"  {self.name:<22} first {self.slice:,}: {first:>6,.0f} msgs/s, last {self.slice:,}: "
            f"{last:>6,.0f} msgs/s (last/first {last / first:.2f}), average {total:,.0f}; "
            f"RSS start {self.start_rss:.0f} MB, {rss}; {self.people:,} people, "
            f"{self.cached:,} cached"
        )


async def stream(url: str | None, name: str, n: int, people: int, groups: int) -> Stream:
    """`n` messages handed over 100 at a time (one poll's worth), a slice at a time."""
    adapter = NullAdapter()
    app, _ = await build(url, adapter, [("bench", BenchPlugin())])
    intake = app.inbox.intake("bench")
    out = Stream(name, start_rss=rss_mb(), slice=min(SLICE, n))
    began = time.perf_counter()
    for start in range(0, n, SLICE):
        size = min(SLICE, n - start)
        events = list(city_messages(start, size, people, groups, seed=1))
        adapter.expect = adapter.count + sum(1 for e in events if KEYWORD in e.text)
        adapter.done.clear()
        t0 = time.perf_counter()
        await asyncio.gather(*(intake.submit(events[i : i + 100]) for i in range(0, size, 100)))
        await adapter.done.wait()
        await app.dispatcher.join()
        out.rates.append(size / (time.perf_counter() - t0))
        if (start + size) % RSS_EVERY == 0 or start + size == n:
            out.rss.append((start + size, rss_mb()))
    out.seconds = time.perf_counter() - began
    async with app.db.session() as s:
        from qunzhu.core.storage._tables import PersonRow

        out.people = int(await s.scalar(select(func.count()).select_from(PersonRow)) or 0)
    out.cached = len(app.people._cache)
    await app.stop()
    return out


# -- several workers on one PostgreSQL --------------------------------------------------------
def _worker_argv(url: str, shared: bool) -> list[str]:
    argv = [sys.executable, "-m", "benchmarks.city", "--worker", url]
    return [*argv, "--shared"] if shared else argv


async def worker_main(url: str, shared: bool) -> None:
    """A worker process: start, say ``ready``, work until stdin closes, print what it handled."""
    adapter = NullAdapter()
    adapter.expect = 10**12
    app, _ = await build(url, adapter, [("bench", BenchPlugin())],
                         dispatcher={"shared": shared})  # fmt: skip
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    done = {"handled": app.dispatcher.handled, "batches": app.dispatcher.batches,
            "sent": adapter.count, "cpu": time.process_time()}  # fmt: skip
    print(json.dumps(done), flush=True)
    await app.stop()


async def _queue(url: str, n: int, chats: int) -> None:
    """`n` events recorded in the inbox at once, over `chats` chats, as adapters would."""
    engine = create_async_engine(url)
    now = datetime.now(UTC)
    rows = []
    for i, event in enumerate(city_messages(0, n, 330_000, chats, seed=2)):
        rows.append({"platform": "bench", "chat_id": event.chat.chat_id, "event_id": f"q{i}",
                     "kind": event_kind(event), "payload": event_to_json(event),
                     "received_at": now})  # fmt: skip
    async with engine.begin() as conn:
        for i in range(0, n, 5000):
            await conn.execute(insert(InboxRow), rows[i : i + 5000])
    await engine.dispose()


async def _left(url: str) -> tuple[int, int]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        unhandled = await conn.scalar(
            select(func.count()).select_from(InboxRow).where(InboxRow.handled_at.is_(None))
        )
        pending = await conn.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == "pending")
        )
    await engine.dispose()
    return int(unhandled or 0), int(pending or 0)


async def drain(url: str, n: int, chats: int, workers: int, *, shared: bool,
                timeout: float) -> dict[str, Any]:  # fmt: skip
    """`n` queued events drained by `workers` processes: seconds, msgs/s, each worker's share.
    Shared workers are started first and the events queued at once; a single-mode worker reads
    what is queued at start-up (its clock starts at its ``ready``)."""
    app, _ = await build(url, NullAdapter(), [("bench", BenchPlugin())])  # the tables first
    await app.stop()
    if not shared:
        await _queue(url, n, chats)
    procs = [
        subprocess.Popen(
            _worker_argv(url, shared), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )  # fmt: skip
        for _ in range(workers)
    ]
    for p in procs:
        assert p.stdout is not None
        line = await asyncio.to_thread(p.stdout.readline)
        assert line.strip() == "ready", line
    if shared:
        await _queue(url, n, chats)
    started = time.perf_counter()
    left = (n, 0)
    while time.perf_counter() - started < timeout:
        left = await _left(url)
        if left == (0, 0):
            break
        await asyncio.sleep(0.2)
    seconds = time.perf_counter() - started
    shares, batches, cpu = [], 0, 0.0
    for p in procs:
        out, _ = await asyncio.to_thread(p.communicate, "")
        done = json.loads(out.strip().splitlines()[-1])
        shares.append(done["handled"])
        batches += done["batches"]
        cpu += done["cpu"]
    return {"seconds": seconds, "rate": (n - left[0]) / seconds, "shares": shares,
            "batches": batches, "cpu": cpu, "unhandled": left[0], "pending": left[1]}  # fmt: skip
