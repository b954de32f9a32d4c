"""``overdue_scan``: the complaints plugin's periodic work at a city's size, on SQLite.

100,000 open tickets over 50 units (a district, 4 townships, 45 bureaus), every one past its
deadlines, as after a 12345 backlog import or a long stop. Figures, each beside a baseline
measured in the same run:

* the first scan: every ticket named and escalated, in batches of `deadlines.BATCH` (each its own
  transaction; the longest batch is how long a person's message may wait for the write lock),
  the RSS it added, and the notices queued (one per unit per scan), against reading the open
  tickets as the scan did before issue 19 (every open ticket, every ten minutes);
* a later scan with nothing new due, and one with 1,000 tickets newly overdue;
* the morning digest for 10 supervisors, against loading the overdue tickets once, which the
  digest did before for every supervisor.

    python -m benchmarks.overdue_scan [--tickets 100000] [--units 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import and_, delete, func, insert, or_, select

from benchmarks._pipeline import NullAdapter
from qunzhu.core.app import App
from qunzhu.core.config import load_config
from qunzhu.core.context import Context
from qunzhu.core.delivery._outbox import OUTBOX
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._tables import JobRow
from qunzhu.plugins.complaints import deadlines, hooks
from qunzhu.plugins.complaints.digest import digest
from qunzhu.plugins.complaints.models import Ticket, overdue
from qunzhu.plugins.complaints.states import WITH_DEPARTMENT, Status

TOWNSHIPS = 4
SUPERVISORS = 10


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def org(units: int) -> dict[str, Any]:
    """A district, `TOWNSHIPS` townships under it and the bureaus under those."""
    out: dict[str, Any] = {"district": {"name": "区政府", "chats": ["bench:district"]}}
    for k in range(TOWNSHIPS):
        out[f"town{k}"] = {"name": f"镇{k}", "parent": "district", "chats": [f"bench:town{k}"]}
    for k in range(units - 1 - TOWNSHIPS):
        out[f"unit{k}"] = {
            "name": f"局{k}",
            "parent": f"town{k % TOWNSHIPS}",
            "chats": [f"bench:unit{k}"],
        }
    return out


def settings(units: int) -> dict[str, Any]:
    people = [
        {"name": f"督查{i}", "identities": [f"bench:sup{i}"], "roles": ["supervisor"]}
        for i in range(SUPERVISORS)
    ]
    complaints = {"supervision_chat": "bench:督查组", "digest": {"workdays_only": False}}
    return {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "people": people,
        "org": org(units),
        "plugins": {"complaints": complaints},
    }


def rows(start: int, n: int, bureaus: int, now: datetime, late: timedelta) -> list[dict[str, Any]]:
    """`n` open tickets of the bureaus, all `late` past their deadline to resolve."""
    out = []
    for i in range(start, start + n):
        created = now - late - timedelta(days=7)
        resolve = now - late
        out.append({
            "number": f"Q-2026-{i + 1:06d}", "year": 2026, "seq": i + 1, "category": "other",
            "description": f"第{i}号 小区垃圾堆放无人清运，居民反映多次", "photos": [],
            "address": "", "reporter_key": "", "reporter_name": "", "reporter_phone": "",
            "anonymous": False, "source": "group", "source_chat": f"bench:g{i % 500}",
            "source_title": f"群{i % 500}", "source_event": f"e{i}",
            "department": f"unit{i % bureaus}", "assignee_name": "", "priority": "normal",
            "status": Status.ASSIGNED if i % 3 else Status.IN_PROGRESS, "created_at": created,
            "updated_at": created, "acknowledge_due": created + timedelta(hours=4),
            "resolve_due": resolve, "notified_ack": False, "notified_resolve": False,
            "escalation": 0, "metoo": 0, "reopened": 0, "card_chat": "", "resolution": "",
            "resolution_photos": [], "reason": "", "escalation_cards": [],
            "next_check_at": created + timedelta(hours=4),
        })  # fmt: skip
    return out


async def build(
    units: int, adapter: NullAdapter | None = None, config: dict[str, Any] | None = None
) -> App:
    """A started app on a fresh SQLite file with the complaints plugin (the pipeline's `build`
    takes no ``plugins:`` section); `config` instead of `settings(units)` when given."""
    workdir = Path(tempfile.mkdtemp(prefix="qunzhu-bench-"))
    raw = {"database": {"url": f"sqlite+aiosqlite:///{workdir / 'b.db'}"}, "adapters": {},
           "logging": {"level": "WARNING"}, **(config or settings(units))}  # fmt: skip
    path = workdir / "bench.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    ps = PluginSet.collect(load_plugins([("complaints", hooks)], entry_points_enabled=False))
    app = App.build(load_config(path, plugin_models=ps.section_models()), ps,
                    adapters={"bench": adapter or NullAdapter()})  # fmt: skip
    await app.start(create_tables=True)
    return app


async def add_tickets(app: App, rows_: list[dict[str, Any]]) -> None:
    async with app.db.writing(), app.db.session() as s, s.begin():
        for i in range(0, len(rows_), 5000):
            await s.execute(insert(Ticket), rows_[i : i + 5000])


async def outbox_count(app: App) -> int:
    async with app.db.session() as s:
        found = await s.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.plugin == "complaints")
        )
    return int(found or 0)


async def full_scan(app: App) -> tuple[float, float, int]:
    """One scan, batch after batch as the scheduler would run them: (seconds, longest batch
    in seconds, batches)."""
    started, longest, batch = time.perf_counter(), 0.0, 0
    while True:
        t0 = time.perf_counter()

        async def one(ctx: Context, batch: int = batch) -> int:
            return await deadlines.scan(ctx, ctx.now(), batch)

        n = await app.as_plugin("complaints", one, what="bench")
        longest = max(longest, time.perf_counter() - t0)
        batch += 1
        if n < deadlines.BATCH:
            break
    async with app.db.writing(), app.db.session() as s, s.begin():  # we ran them ourselves
        await s.execute(delete(JobRow).where(JobRow.name == "overdue_scan_more"))
    return time.perf_counter() - started, longest, batch


async def old_read(app: App, now: datetime) -> float:
    """What the scan read every ten minutes before: every open ticket, as ORM objects."""
    started = time.perf_counter()
    async with app.db.session() as s:
        found = (
            await s.scalars(
                select(Ticket).where(
                    or_(
                        Ticket.status.in_(WITH_DEPARTMENT),
                        and_(Ticket.status == Status.NEW, Ticket.priority == "urgent"),
                    ),
                    Ticket.acknowledge_due <= now,
                )
            )
        ).all()
    assert found
    return time.perf_counter() - started


async def old_digest_read(app: App, now: datetime) -> float:
    started = time.perf_counter()
    async with app.db.session() as s:
        (await s.scalars(select(Ticket).where(overdue(now)))).all()
    return time.perf_counter() - started


async def run(n: int, units: int) -> None:
    app = await build(units)
    await app.scheduler.stop()  # the benchmark runs the scans itself, one after the other
    bureaus = units - 1 - TOWNSHIPS
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    await add_tickets(app, rows(0, n, bureaus, now, timedelta(days=6)))
    inserted = time.perf_counter() - t0
    print(f"overdue_scan: {n:,} open tickets over {units} units, SQLite "
          f"(inserted in {inserted:.1f} s); batches of {deadlines.BATCH}")  # fmt: skip

    baseline = await old_read(app, now)
    before_rss, before_out = rss_mb(), await outbox_count(app)
    took, longest, batches = await full_scan(app)
    queued = await outbox_count(app) - before_out
    print(f"  first scan (all overdue)      {took:7.2f} s in {batches} batches, longest batch "
          f"{longest * 1000:.0f} ms, +{rss_mb() - before_rss:.0f} MB RSS; {queued:,} notices "
          f"queued (one per unit; before: one line per ticket, a card per escalation)")  # fmt: skip
    print(f"  baseline: reading every open ticket as the old scan did, every 10 min: "
          f"{baseline:.2f} s (then checking each)")  # fmt: skip

    took, longest, _ = await full_scan(app)
    print(f"  later scan, nothing new due   {took * 1000:7.1f} ms")
    before_out = await outbox_count(app)
    await add_tickets(app, rows(n, 1000, bureaus, now, timedelta(hours=1)))
    took, longest, batches = await full_scan(app)
    queued = await outbox_count(app) - before_out
    print(f"  later scan, 1,000 newly due   {took * 1000:7.1f} ms in {batches} batches, "
          f"{queued} notices queued")  # fmt: skip

    started = time.perf_counter()
    await app.as_plugin("complaints", digest.handler, what="bench")
    took = time.perf_counter() - started
    baseline = await old_digest_read(app, now)
    print(f"  digest for {SUPERVISORS} supervisors    {took * 1000:7.1f} ms")
    print(f"  baseline: loading the overdue tickets once (the old digest did it per supervisor, "
          f"x{SUPERVISORS}): {baseline * 1000:.0f} ms")  # fmt: skip
    await app.stop()


def city_args(doc: str | None) -> argparse.Namespace:
    """``--tickets`` and ``--units``, for this benchmark and those built on its city."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=50)
    return parser.parse_args()


def main() -> None:
    args = city_args(__doc__)
    asyncio.run(run(args.tickets, args.units))


if __name__ == "__main__":
    main()
