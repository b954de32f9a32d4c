"""``checkins_pages``: the check-ins' console pages with 5,000 groups of 12 participants, each
with its last rounds (default 4, every participant but one reporting, one on leave): the data
of the list's first page (the last 4 rounds of 50 campaigns and their statuses), of a
campaign's page (its last 12 rounds) and of the overview's panel (the ten campaigns that need
a look, their last 4 rounds), each beside the same figures read naively, a round at a time
with `expected` (what the panel did before).

    python -m benchmarks.checkins_pages [--groups 5000] [--rounds 4] [--url postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.storage._database import Database
from qunzhu.plugins.checkins.expected import expected
from qunzhu.plugins.checkins.models import Leave, Report, Round
from qunzhu.plugins.checkins.web_data import (
    campaigns_to_show,
    last_rounds,
    last_rounds_of,
    statuses_of,
)

NOW = datetime(2026, 1, 30, 10, tzinfo=UTC)
PEOPLE = 12


def _name(g: int) -> str:
    return f"第{g:04d}组周报"


async def fill(db: Database, groups: int, rounds: int) -> None:
    await db.create_all()
    async with db.session() as s:
        if await s.scalar(select(Round.id).limit(1)) is not None:
            return
        first = date(2026, 1, 30) - timedelta(weeks=rounds - 1)
        round_id = report_id = 0
        for start in range(0, groups, 500):
            round_rows: list[dict[str, Any]] = []
            report_rows: list[dict[str, Any]] = []
            for g in range(start, min(groups, start + 500)):
                people = [g * PEOPLE + p + 1 for p in range(PEOPLE)]
                roster = [{"id": p, "name": f"镇长{p}", "identities": []} for p in people]
                for w in range(rounds):
                    round_id += 1
                    day = first + timedelta(weeks=w)
                    opens = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
                    round_rows.append({
                        "id": round_id, "campaign": _name(g), "chat": f"telegram:-{g}",
                        "day": day, "opens_at": opens, "closes_at": opens + timedelta(hours=9),
                        "state": "closed", "roster": roster, "messages": [],
                    })  # fmt: skip
                    for p in people[1:]:
                        report_id += 1
                        report_rows.append({
                            "id": report_id, "round_id": round_id, "person_id": p,
                            "name": f"镇长{p}", "text": "本周完成巡查", "attachments": [],
                            "source": "tag", "events": [], "history": [], "late": False,
                            "created_at": opens, "updated_at": opens,
                        })  # fmt: skip
            await s.execute(insert(Round), round_rows)
            await s.execute(insert(Report), report_rows)
        leave = [{"person_id": g * PEOPLE + 2, "name": "请假的人", "first": first,
                  "last": first + timedelta(days=2), "reason": "leave", "chat": "",
                  "by": "", "created_at": NOW} for g in range(0, groups, 10)]  # fmt: skip
        await s.execute(insert(Leave), leave)
        await s.commit()


async def list_page(s: AsyncSession, names: list[str]) -> int:
    """The list's reading: the last four rounds of 50 campaigns (the latest, and who missed the
    last three closed ones)."""
    return len(await statuses_of(s, await last_rounds_of(s, names[:50], 4)))


async def list_page_naive(s: AsyncSession, names: list[str]) -> int:
    found = 0
    for name in names[:50]:
        rnd = await s.scalar(
            select(Round).where(Round.campaign == name).order_by(Round.day.desc()).limit(1)
        )
        found += rnd is not None and bool(await expected(s, rnd))
    return found


async def campaign_page(s: AsyncSession, names: list[str]) -> int:
    return len(await statuses_of(s, await last_rounds(s, names[len(names) // 2], 12)))


async def campaign_page_naive(s: AsyncSession, names: list[str]) -> int:
    rounds = await last_rounds(s, names[len(names) // 2], 12)
    return len([await expected(s, r) for r in rounds])


async def panel(s: AsyncSession, names: list[str]) -> int:
    """The panel's reading: the ten campaigns that need a look, their last four rounds."""
    shown, _ = await campaigns_to_show(s, 10)
    return len(await statuses_of(s, await last_rounds_of(s, shown, 4)))


async def panel_naive(s: AsyncSession, names: list[str]) -> int:
    """What the panel did before: every round, newest first, `expected` for four of each."""
    seen: dict[str, int] = {}
    for rnd in await s.scalars(select(Round).order_by(Round.day.desc(), Round.id.desc())):
        if seen.get(rnd.campaign, 0) < 4:
            seen[rnd.campaign] = seen.get(rnd.campaign, 0) + 1
            await expected(s, rnd)
    return sum(seen.values())


Case = Callable[[AsyncSession, list[str]], Awaitable[int]]


async def _ms(db: Database, case: Case, names: list[str], runs: int) -> tuple[int, float]:
    times, rows = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        async with db.session() as s:
            rows = await case(s, names)
        times.append((time.perf_counter() - began) * 1000)
    return rows, statistics.median(times)


async def measure(
    url: str, groups: int, rounds: int, runs: int = 3, *, naive: bool = True
) -> list[tuple[str, int, float, float]]:
    """(case, rounds read, ms, naive ms), medians of `runs` (the naive panel: one run)."""
    db = Database(url)
    try:
        await fill(db, groups, rounds)
        names = sorted(_name(g) for g in range(groups))
        found = []
        for label, mine, theirs, naive_runs in (
            ("list, first page", list_page, list_page_naive, runs),
            ("a campaign's page", campaign_page, campaign_page_naive, runs),
            ("overview panel", panel, panel_naive, 1),
        ):
            rows, ms = await _ms(db, mine, names, runs)
            naive_ms = (await _ms(db, theirs, names, naive_runs))[1] if naive else float("nan")
            found.append((label, rows, ms, naive_ms))
        return found
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--url", default="")
    parser.add_argument("--naive", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'checkins.db'}"
        figures = asyncio.run(measure(url, args.groups, args.rounds, naive=args.naive))
    print(f"{args.groups} groups × {PEOPLE} participants, {args.rounds} rounds each, "
          f"on {url.split(':')[0]}")  # fmt: skip
    for label, rows, ms, naive_ms in figures:
        print(f"  {label:20} {rows:6} rounds  {ms:8.1f} ms   naive {naive_ms:8.1f} ms")


if __name__ == "__main__":
    main()
