"""``people_cache``: memory and speed with many different senders, the people cache bounded by
``dispatcher.people_cache`` beside it unbounded, measured in the same run.

Every message comes from a sender never seen before (a city: 300,000 people), through the whole
pipeline (inbox, dispatcher, a keyword plugin that writes a row and replies, outbox, a null
platform) on SQLite. Each setting runs in a fresh process, so that the resident set size (RSS,
``VmRSS``) is that setting's alone; it is read after each quarter of the messages. A bounded
cache should level off once it is full; an unbounded one keeps growing (about 1 KB a person).

    python -m benchmarks.people_cache [--n 150000] [--bound 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._pipeline import KEYWORD, BenchPlugin, NullAdapter, build
from qunzhu.core import ChatKind, ChatRef, Message, UserRef

UNBOUNDED = 10**9  # more people than any run meets: the cache never forgets
QUARTERS = 4


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def distinct_senders(start: int, n: int) -> list[Message]:
    """`n` messages, each from a person not seen before, over 5,000 groups."""
    out = []
    for i in range(start, start + n):
        chat = ChatRef("bench", f"group{i % 5000}", ChatKind.GROUP)
        text = f"第{i}号 {KEYWORD}没人收" if i % 2 == 0 else f"第{i}号 今天天气不错"
        out.append(Message(f"m{i}", chat, UserRef("bench", f"p{i}", f"居民{i}"), text))
    return out


async def child(n: int, size: int) -> dict[str, object]:
    """One setting, in this process: RSS and msgs/s after each quarter of `n` messages."""
    adapter = NullAdapter()
    app, _ = await build(None, adapter, [("bench", BenchPlugin())],
                         dispatcher={"people_cache": size})  # fmt: skip
    intake = app.inbox.intake("bench")
    start_rss = rss_mb()
    quarters = []
    sent = 0
    quarter = n // QUARTERS
    for q in range(QUARTERS):
        events = distinct_senders(q * quarter, quarter)
        adapter.expect = adapter.count + sum(1 for e in events if KEYWORD in e.text)
        adapter.done.clear()
        started = time.perf_counter()
        await asyncio.gather(*(intake.submit(events[i : i + 100]) for i in range(0, quarter, 100)))
        await adapter.done.wait()
        await app.dispatcher.join()
        sent += quarter
        rate = quarter / (time.perf_counter() - started)
        quarters.append({"messages": sent, "rss": rss_mb(), "rate": rate})
    cached = len(app.people._cache)
    await app.stop()
    return {"start_rss": start_rss, "quarters": quarters, "cached": cached}


def run_child(n: int, size: int) -> dict[str, object]:
    argv = [sys.executable, "-m", "benchmarks.people_cache", "--child", "--n", str(n),
            "--bound", str(size)]  # fmt: skip
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def report(name: str, figures: dict[str, object]) -> None:
    quarters = figures["quarters"]
    assert isinstance(quarters, list)
    cells = ", ".join(f"{q['messages']:,}: {q['rss']:.0f} MB {q['rate']:,.0f}/s" for q in quarters)
    print(f"  {name:<28} start {figures['start_rss']:.0f} MB; {cells}; "
          f"{figures['cached']:,} identities cached")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=150_000)
    parser.add_argument("--bound", type=int, default=50_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.n, args.bound))))
        return
    print(f"people_cache: {args.n:,} messages, each from a new sender, SQLite, one process each;")
    print("  after each quarter: RSS, msgs/s in that quarter")
    report(f"people_cache {args.bound:,}", run_child(args.n, args.bound))
    report("unbounded (baseline)", run_child(args.n, UNBOUNDED))


if __name__ == "__main__":
    main()
