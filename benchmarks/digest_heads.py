"""``digest_heads``: the complaints plugin's morning digest with ``digest.heads: true`` at a
city's size, on SQLite: every unit of ``org:`` has a head, and each head's digest is read for
his units and those below (one reading per distinct scope). Beside it, measured in the same run
on the same tickets, the digest for the supervisors alone (``digest.heads`` off, as before).

    python -m benchmarks.digest_heads [--tickets 100000] [--units 50]
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from benchmarks._pipeline import NullAdapter
from benchmarks.overdue_scan import (
    SUPERVISORS,
    TOWNSHIPS,
    add_tickets,
    build,
    city_args,
    org,
    rows,
    settings,
)
from qunzhu.core.delivery._outbox import OUTBOX
from qunzhu.plugins.complaints.digest import digest


def with_heads(units: int) -> dict[str, Any]:
    """`overdue_scan`'s district, each unit with a head (a person of his own)."""
    raw = settings(units)
    units_ = org(units)
    for key, unit in units_.items():
        unit["head"] = f"bench:head_{key}"
        raw["people"].append({"name": f"{unit['name']}长", "identities": [unit["head"]]})
    raw["org"] = units_
    raw["plugins"]["complaints"]["digest"]["heads"] = True
    return raw


async def timed_digest(raw: dict[str, Any], n: int, units: int, now: datetime) -> tuple[float, int]:
    """(seconds of one digest, messages it queued)."""
    app = await build(units, NullAdapter(), raw)
    await app.scheduler.stop()  # the digest is run by hand, once
    await add_tickets(app, rows(0, n, units - 1 - TOWNSHIPS, now, timedelta(days=6)))
    started = time.perf_counter()
    await app.as_plugin("complaints", digest.handler, what="bench")
    took = time.perf_counter() - started
    async with app.db.session() as s:
        queued = int(await s.scalar(select(func.count()).select_from(OUTBOX)) or 0)
    await app.stop()
    return took, queued


async def run(n: int, units: int) -> None:
    now = datetime.now(UTC)
    print(f"digest_heads: {n:,} open tickets over {units} units, SQLite; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    base, base_sent = await timed_digest(settings(units), n, units, now)
    took, sent = await timed_digest(with_heads(units), n, units, now)
    print(f"  digest, {SUPERVISORS} supervisors and {units} unit heads  {took * 1000:8.1f} ms, "
          f"{sent} messages")  # fmt: skip
    print(f"  baseline: {SUPERVISORS} supervisors alone (digest.heads off) {base * 1000:8.1f} ms, "
          f"{base_sent} messages")  # fmt: skip
    print(f"  load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    args = city_args(__doc__)
    asyncio.run(run(args.tickets, args.units))


if __name__ == "__main__":
    main()
