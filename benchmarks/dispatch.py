"""``dispatch``: messages per second and latency through qunzhu's whole durable pipeline, beside
aiogram 3's own in-memory ``Dispatcher.feed_update`` measured in the same run.

qunzhu: a platform adapter hands messages to the SQL inbox (group commit) → the dispatcher (one
transaction per batch) → a plugin that matches a keyword, writes a row and replies → the SQL
outbox → the sender → the (null) platform. A message counts when its row is committed and its
reply delivered. aiogram: the same keyword handler appending to a list and answering through a
canned session: no storage, no network (see ``benchmarks/aiogram_baseline.py``).

Both run pinned to one CPU core. Latency is measured separately at an offered load of
1,000 msgs/s, from the adapter's hand-over to the reply's delivery.

    python -m benchmarks.dispatch [--n 20000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass

from benchmarks._pipeline import BenchPlugin, NullAdapter, build, messages, percentile
from benchmarks.aiogram_baseline import run_aiogram

PG_DSN = os.environ.get("QUNZHU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Figures:
    name: str
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds


async def throughput(url: str | None, n: int, *, orm: bool = False) -> Figures:
    adapter = NullAdapter()
    app, _ = await build(url, adapter, [("bench", BenchPlugin(orm=orm))])
    events = messages(n)
    adapter.expect = sum(1 for e in events if "垃圾" in e.text)
    intake = app.inbox.intake("bench")
    started = time.perf_counter()
    # an adapter hands over what each poll (or each webhook) brought: 100 updates at a time
    await asyncio.gather(*(intake.submit(events[i : i + 100]) for i in range(0, n, 100)))
    await adapter.done.wait()
    await app.dispatcher.join()
    elapsed = time.perf_counter() - started
    assert app.dispatcher.handled == n, (app.dispatcher.handled, n)
    await app.stop()
    name = f"qunzhu {'PostgreSQL' if url else 'SQLite'}{', ORM row' if orm else ''}"
    return Figures(name, n, elapsed)


async def latency(url: str | None, n: int, rate: float) -> tuple[float, float, float]:
    """p50, p99 (ms) and achieved rate at `rate` msgs/s offered, one hand-over per message."""
    adapter = NullAdapter()
    app, _ = await build(url, adapter, [("bench", BenchPlugin())])
    events = messages(n, prefix="lat")
    adapter.expect = sum(1 for e in events if "垃圾" in e.text)
    intake = app.inbox.intake("bench")
    handed: dict[str, float] = {}
    tasks = []
    start = time.perf_counter()
    for i, event in enumerate(events):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        handed[event.event_id] = time.perf_counter()
        tasks.append(asyncio.ensure_future(intake(event)))
    await asyncio.gather(*tasks)
    await adapter.done.wait()
    achieved = n / (time.perf_counter() - start)
    lat = [(adapter.sent_at[k] - handed[k]) * 1000 for k in adapter.sent_at]
    await app.stop()
    return percentile(lat, 50), percentile(lat, 99), achieved


async def pg_url() -> str | None:
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_DSN, timeout=5)
    except Exception as exc:
        print(f"  (PostgreSQL skipped: {exc})")
        return None
    name = _bench_database()
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def drop_pg() -> None:
    """Drop the database `pg_url` made for this process, if there is one (a benchmark leaves
    nothing on the server)."""
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_DSN, timeout=5)
    except Exception:  # no server: nothing was made
        return
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_bench_database()}" WITH (FORCE)')
    finally:
        await conn.close()


def _bench_database() -> str:
    return f"qunzhu_bench_{os.getpid()}"


async def main(n: int, with_pg: bool) -> None:
    try:
        await _measure(n, with_pg)
    finally:
        if with_pg:
            await drop_pg()


async def _measure(n: int, with_pg: bool) -> None:
    print(f"dispatch: n={n:,}, half the messages match the keyword, pinned to one core")
    aio_f = await run_aiogram(n, magic_filter=True)
    aio_a = await run_aiogram(n, magic_filter=False)
    await throughput(None, min(n, 2000))  # warm up: imports, first statements compiled
    ours = [await throughput(None, n), await throughput(None, n, orm=True)]
    url = await pg_url() if with_pg else None
    if url:
        ours.append(await throughput(url, n))
    base = max(aio_a.per_second, aio_f.per_second)
    print(f"  aiogram feed_update, F.text filter (thread hop): {aio_f.per_second:>9,.0f} msgs/s")
    print(f"  aiogram feed_update, async filter:               {aio_a.per_second:>9,.0f} msgs/s")
    for f in ours:
        print(
            f"  {f.name + ', durable pipeline:':<48}{f.per_second:>9,.0f} msgs/s   "
            f"ratio vs the faster aiogram: {f.per_second / base:.2f}"
        )
    p50, p99, achieved = await latency(None, min(n, 5000), 1000.0)
    print(
        f"  SQLite latency at 1,000 msgs/s offered ({achieved:,.0f} achieved): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 < 20 ms)"
    )
    if url:
        p50, p99, achieved = await latency(url, min(n, 5000), 1000.0)
        print(
            f"  PostgreSQL latency at 1,000 msgs/s offered ({achieved:,.0f} achieved): "
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--cores", default="0", help="CPU core(s) to pin to, e.g. 0 or 0,1")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(c) for c in args.cores.split(",")})
    asyncio.run(main(args.n, not args.no_postgres))
