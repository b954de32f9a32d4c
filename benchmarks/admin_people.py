"""``admin_people``: the console's people page (``/web/admin/people``) among a city's 300,000
people, each with an account: the first page, a page far in (by keyset), a search by name, a
search by account and a search that finds no one, the page's own query (`people_query`) beside
the same search done naively (``OFFSET`` paging, accounts matched by a substring as well).

    python -m benchmarks.admin_people [--n 300000] [--url postgresql+asyncpg://…/test]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Select, insert, or_, select

from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import IdentityRow, PersonRow
from qunzhu.core.webui._admin_people import PAGE_SIZE, people_query

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def fill(db: Database, n: int) -> None:
    """`n` people 居民000000…, each with the account telegram:10000000+i."""
    await db.create_all()
    async with db.session() as s:
        if await s.scalar(select(PersonRow.id).limit(1)) is not None:
            return
        for start in range(0, n, 20_000):
            ids = range(start, min(n, start + 20_000))
            people = [{"id": i + 1, "real_name": f"居民{i:06d}", "display_name": "",
                       "created_at": NOW} for i in ids]  # fmt: skip
            accounts = [{"person_id": i + 1, "platform": "telegram", "user_id": str(10**7 + i),
                         "display_name": ""} for i in ids]  # fmt: skip
            await s.execute(insert(PersonRow), people)
            await s.execute(insert(IdentityRow), accounts)
        await s.commit()


def naive(q: str, page: int) -> Select[PersonRow]:
    """The same page the obvious way: OFFSET, and every account compared by substring."""
    query = select(PersonRow).order_by(PersonRow.id)
    if q:
        accounts = select(IdentityRow.person_id).where(
            (IdentityRow.platform + ":" + IdentityRow.user_id).contains(q)
        )
        query = query.where(
            or_(PersonRow.real_name.contains(q), PersonRow.display_name.contains(q),
                PersonRow.id.in_(accounts))
        )  # fmt: skip
    return query.offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1)


async def _ms(db: Database, query: Select[PersonRow], runs: int) -> tuple[int, float]:
    times, rows = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        async with db.session() as s:
            rows = len((await s.scalars(query)).all())  # with their accounts and roles
        times.append((time.perf_counter() - began) * 1000)
    return rows, statistics.median(times)


async def measure(url: str, n: int, runs: int = 5) -> list[tuple[str, int, float, float]]:
    """(case, rows, the page's ms, naive ms), medians of `runs`."""
    db = Database(url)
    try:
        await fill(db, n)
        far = (n * 5 // 6) // PAGE_SIZE
        last = f"telegram:{10**7 + n - 1}"
        cases = [
            ("first page", people_query("", 0), naive("", 0)),
            (f"page {far}", people_query("", far * PAGE_SIZE), naive("", far)),
            ("name 居民00012", people_query("居民00012", 0), naive("居民00012", 0)),
            (f"account {last}", people_query(last, 0), naive(last, 0)),
            ("no one", people_query("没有这个人", 0), naive("没有这个人", 0)),
        ]
        found = []
        for label, mine, theirs in cases:
            rows, ms = await _ms(db, mine, runs)
            _, naive_ms = await _ms(db, theirs, runs)
            found.append((label, rows, ms, naive_ms))
        return found
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{Path(folder) / 'people.db'}"
        figures = asyncio.run(measure(url, args.n))
    print(f"{args.n} people on {url.split(':')[0]}")
    for label, rows, ms, naive_ms in figures:
        print(f"  {label:28} {rows:3} rows  {ms:7.1f} ms   naive {naive_ms:7.1f} ms")


if __name__ == "__main__":
    main()
