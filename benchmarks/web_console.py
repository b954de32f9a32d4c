"""``web_console``: the web console at city scale (issue 17, item 5): 100,000 tickets, 5,000 units
each with its group, 300,000 people, 2,000 problems detected and not filed; the overview and the
problem desk requested over HTTP by a supervisor (who sees everything), p50 and p95, beside the
same questions asked naively (every ticket read as an object and counted or ranked in Python);
and the first page load's size (the overview's HTML with the CSS and scripts it names). The
machine's load average is printed beside each figure (the figures are noisy on a shared one).

On SQLite (a fresh file) and, when it answers, on PostgreSQL (``--pg``, default the local
``test`` server; a database ``qunzhu_bench_web`` is made and dropped).

    python -m benchmarks.web_console [--tickets 100000] [--units 5000] [--people 300000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import insert, select, text

from benchmarks._pipeline import NullAdapter, build, percentile
from qunzhu.core.storage._tables import IdentityRow, PersonRow
from qunzhu.core.webui import _sessions as sessions
from qunzhu.core.webui._server import COOKIE
from qunzhu.plugins.complaints import hooks as complaints
from qunzhu.plugins.complaints.models import Pending, Ticket

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_DB = "qunzhu_bench_web"
STATUSES = ["new", "assigned", "acknowledged", "resolved", "closed", "reopened"]
WEIGHTS = [5, 15, 20, 10, 45, 5]
ROUNDS = 30
BUDGET_MS, BUDGET_KB = 200, 300


def settings(units: int) -> dict[str, Any]:
    """5,000 units: a district, 50 towns, the rest villages under them, each with its group."""
    towns = 50
    org: dict[str, Any] = {"d": {"name": "区委", "chats": ["bench:g0"]}}
    for n in range(1, units):
        parent = "d" if n <= towns else f"u{1 + n % towns}"
        org[f"u{n}"] = {"name": f"单位{n}", "parent": parent, "chats": [f"bench:g{n}"]}
    return {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "web": {"enabled": True, "port": 0, "public_url": "http://console.test"},
        "people": [{"name": "市委书记", "identities": ["bench:sec"], "roles": ["supervisor"]}],
        "org": org,
        "plugins": {"complaints": {"categories": {
            "sanitation": {"name": "环境卫生", "keywords": ["垃圾"]},
            "construction": {"name": "工程质量", "keywords": ["混凝土"]},
            "other": {"name": "其他"}}}},
    }  # fmt: skip


async def fill(app: Any, *, tickets: int, units: int, people: int) -> None:
    rng = random.Random(17)
    now = app.clock.now()
    batch = 5000
    async with app.db.session() as s:
        for start in range(0, people, batch):
            rows = [{"display_name": f"居民{i}", "real_name": f"居民{i}", "created_at": now}
                    for i in range(start, min(people, start + batch))]  # fmt: skip
            await s.execute(insert(PersonRow), rows)
        for start in range(0, tickets, batch):
            rows = []
            for i in range(start, min(tickets, start + batch)):
                created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
                status = rng.choices(STATUSES, WEIGHTS)[0]
                unit = rng.randrange(units)
                rows.append({
                    "number": f"Q-2026-{i + 1:06d}", "year": 2026, "seq": i + 1,
                    "category": rng.choice(["sanitation", "construction", "other"]),
                    "description": f"第{i}号 村口垃圾堆了一个星期没人管，污水横流",
                    "source": "group", "source_chat": f"bench:g{unit}",
                    "source_title": f"单位{unit}群",
                    "department": None if status == "new" else ("d" if unit == 0 else f"u{unit}"),
                    "status": status, "created_at": created, "updated_at": created,
                    "acknowledge_due": created + timedelta(hours=4),
                    "resolve_due": created + timedelta(days=rng.choice([3, 5, 30, 400])),
                    "priority": "urgent" if i % 97 == 0 else "normal",
                    "metoo": i % 7, "reopened": 1 if status == "reopened" else 0,
                })  # fmt: skip
            await s.execute(insert(Ticket), rows)
        offers = [{"kind": "offer", "created_at": now - timedelta(hours=i % 500),
                   "chat": f"bench:g{i % units}", "source": f"bench:g{i} m{i}",
                   "report": {"description": f"第{i}号 路灯坏了好几天", "category": "other",
                              "source": "group", "source_chat": f"bench:g{i % units}",
                              "source_title": f"单位{i % units}群",
                              "reporter_key": f"bench:r{i}"}}
                  for i in range(2000)]  # fmt: skip
        await s.execute(insert(Pending), offers)
        await s.commit()
    # As a live database would be: statistics, and on PostgreSQL the visibility map that its
    # autovacuum keeps (it would have run after 100,000 inserts; this test server runs without
    # it), without which a count read from an index alone still visits every row.
    if app.db.engine.dialect.name == "postgresql":
        async with app.db.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE"))
    else:
        async with app.db.session() as s:
            await s.execute(text("ANALYZE"))
            await s.commit()


async def login(app: Any) -> str:
    async with app.db.session() as s:
        person_id = await s.scalar(
            select(IdentityRow.person_id).where(IdentityRow.user_id == "sec")
        )
        assert person_id is not None
        session_id = await sessions.open_session(s, person_id, app.clock.now(), 12)
        await s.commit()
    return session_id


async def timed(http: aiohttp.ClientSession, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    async with http.get(url) as r:
        body = await r.read()
        assert r.status == 200, (url, r.status)
    return (time.perf_counter() - started) * 1000, body


async def naive_overview(app: Any) -> None:
    """Every ticket read as an object, counted by unit in Python."""
    now = datetime.now(UTC)
    async with app.db.session() as s:
        found: dict[str | None, list[int]] = {}
        for t in await s.scalars(select(Ticket)):
            row = found.setdefault(t.department, [0, 0, 0])
            created = t.created_at if t.created_at.tzinfo else t.created_at.replace(tzinfo=UTC)
            row[0] += created >= now - timedelta(days=1)
            row[2] += t.status == "reopened"


async def naive_desk(app: Any) -> None:
    """Every open ticket and offer read as an object, all of them ranked."""
    from qunzhu.plugins.complaints.desk_items import _offer_item, rank, ticket_item
    from qunzhu.plugins.complaints.states import OPEN

    now = datetime.now(UTC)
    async with app.db.session() as s:
        items = [ticket_item(t, now) for t in await s.scalars(
            select(Ticket).where(Ticket.status.in_(OPEN)))]  # fmt: skip
        items += [_offer_item([p]) for p in await s.scalars(select(Pending))]
        rank(items)


async def measure(url: str | None, label: str, args: argparse.Namespace) -> None:
    app, _ = await build(url, NullAdapter(), [("complaints", complaints)], **settings(args.units))
    try:
        started = time.perf_counter()
        await fill(app, tickets=args.tickets, units=args.units, people=args.people)
        print(f"{label}: filled in {time.perf_counter() - started:.0f} s")
        base = f"http://127.0.0.1:{app.web.port}"
        cookies = {COOKIE: await login(app)}
        async with aiohttp.ClientSession(cookies=cookies) as http:
            for name, path, naive in (("overview", "/web/", naive_overview),
                                      ("desk", "/web/complaints", naive_desk)):  # fmt: skip
                await timed(http, base + path)  # warm
                times = [(await timed(http, base + path))[0] for _ in range(args.rounds)]
                weight = len((await timed(http, base + path))[1]) / 1024
                slow = []
                for _ in range(max(3, args.rounds // 5)):
                    t0 = time.perf_counter()
                    await naive(app)
                    slow.append((time.perf_counter() - t0) * 1000)
                p95 = percentile(times, 95)
                verdict = "ok" if p95 < BUDGET_MS else f"OVER {BUDGET_MS} ms"
                print(f"{label} {name:8}: p50 {percentile(times, 50):6.0f} ms  p95 {p95:6.0f} ms"
                      f"  ({verdict});  naive p50 {percentile(slow, 50):6.0f} ms"
                      f"  p95 {percentile(slow, 95):6.0f} ms;  page {weight:.0f} KB;"
                      f"  load {os.getloadavg()[0]:.1f}")  # fmt: skip
            _, html = await timed(http, base + "/web/")
            size = len(html)
            for asset in re.findall(rb'(?:href|src)="(/web/static/[^"]+)"', html):
                size += len((await timed(http, base + asset.decode()))[1])
            verdict = "ok" if size < BUDGET_KB * 1024 else f"OVER {BUDGET_KB} KB"
            print(f"{label} first load: {size / 1024:.1f} KB (HTML+CSS+JS; {verdict})")
    finally:
        await app.stop()


async def pg_url(server: str) -> str | None:
    """A fresh database on the PostgreSQL `server`, or None when it does not answer."""
    try:
        import asyncpg

        conn = await asyncpg.connect(server.replace("+asyncpg", ""), timeout=3)
    except Exception as exc:  # no server here: SQLite only
        print(f"PostgreSQL: not measured ({type(exc).__name__})")
        return None
    await conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    await conn.execute(f"CREATE DATABASE {PG_DB}")
    await conn.close()
    return server.rsplit("/", 1)[0] + "/" + PG_DB


async def drop_pg(server: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("+asyncpg", ""))
    await conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    await conn.close()


async def main(args: argparse.Namespace) -> None:
    print(f"{args.tickets} tickets, {args.units} units and groups, {args.people} people; "
          f"{args.rounds} requests each; budget p95 < {BUDGET_MS} ms")  # fmt: skip
    if not args.no_sqlite:
        await measure(None, "SQLite", args)
    if args.pg and (url := await pg_url(args.pg)) is not None:
        try:
            await measure(url, "PostgreSQL", args)
        finally:
            await drop_pg(args.pg)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--pg", default=PG, help="a PostgreSQL server, '' for none")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    asyncio.run(main(parser.parse_args()))
