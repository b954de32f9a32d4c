"""The overview's chart: new, overdue and reopened tickets by unit, as the numbers of an SVG
drawn on the server (no chart library, no script: it shows on any phone and prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import Org, Person

from .models import Ticket, overdue
from .states import Status
from .web_scope import scope_filter

__all__ = ["Bar", "Chart", "chart"]

#: The three series, their colours (also in the legend) and their order in a row.
SERIES = (("new", "#0969da"), ("overdue", "#b42318"), ("reopened", "#9a6700"))
_LABEL_W, _ROW_H, _BAR_H, _WIDTH = 96, 44, 12, 480
_MAX_UNITS = 12


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    colour: str
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    rows: list[tuple[str, int, list[Bar]]]  # (unit name, label y, bars)
    totals: dict[str, int]


async def counts(
    s: AsyncSession, person: Person, org: Org, now: datetime
) -> dict[str | None, dict[str, int]]:
    """{unit key (None: not routed): {"new": n, "overdue": n, "reopened": n}} in scope: new
    is filed in the last 24 hours, overdue is late now (`overdue`), reopened is reopened now."""
    scope = scope_filter(person, org)
    found: dict[str | None, dict[str, int]] = {}
    queries = {
        "new": Ticket.created_at >= now - timedelta(days=1),
        "overdue": overdue(now),
        "reopened": Ticket.status == Status.REOPENED,
    }
    for series, where in queries.items():
        rows = await s.execute(
            select(Ticket.department, func.count()).where(where, scope).group_by(Ticket.department)
        )
        for unit, n in rows.all():
            found.setdefault(unit, {k: 0 for k, _ in SERIES})[series] = int(n)
    return found


def chart(found: dict[str | None, dict[str, int]], name: dict[str | None, str]) -> Chart:
    """The geometry: the units with the most tickets first, at most 12."""
    units = sorted(found, key=lambda u: (-sum(found[u].values()), name.get(u, "")))[:_MAX_UNITS]
    top = max((v for u in units for v in found[u].values()), default=0) or 1
    span = _WIDTH - _LABEL_W - 40
    rows = []
    for i, unit in enumerate(units):
        y = 8 + i * _ROW_H
        bars = [
            Bar(_LABEL_W, y + j * _BAR_H, max(2, round(span * found[unit][key] / top)), colour,
                found[unit][key])
            for j, (key, colour) in enumerate(SERIES)
        ]  # fmt: skip
        rows.append((name.get(unit, unit or ""), y + _BAR_H + 6, bars))
    totals = {key: sum(v[key] for v in found.values()) for key, _ in SERIES}
    return Chart(_WIDTH, 16 + len(units) * _ROW_H, rows, totals)
