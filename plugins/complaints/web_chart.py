"""The overview's chart: new, overdue and reopened tickets by unit, as the numbers of an SVG
drawn on the server (no chart library, no script: it shows on any phone and prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import Org, Person

from .models import Ticket, late_to_acknowledge, late_to_resolve
from .states import Status
from .web_scope import scope_filter

__all__ = ["Bar", "Chart", "chart", "counts", "leading"]

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
    is filed in the last 24 hours, overdue is late now (`overdue`, counted in its two disjoint
    halves), reopened is reopened now. Counted by status and unit, the order of the index
    (status, department, deadlines): a city's tens of thousands of overdue tickets are counted
    from the index alone, with no sort."""
    scope = scope_filter(person, org)
    found: dict[str | None, dict[str, int]] = {}
    by_unit = (Ticket.department,)  # the day's few, found by the creation time's index
    by_status = (Ticket.status, Ticket.department)  # the order of (status, department, ...)
    queries = (
        ("new", Ticket.created_at >= now - timedelta(days=1), by_unit),
        ("overdue", late_to_resolve(now), by_status),
        ("overdue", late_to_acknowledge(now), by_status),
        ("reopened", Ticket.status == Status.REOPENED, by_status),
    )
    for series, where, grouping in queries:
        rows = await s.execute(
            select(Ticket.department, func.count()).where(where, scope).group_by(*grouping)
        )
        for unit, n in rows.all():
            row = found.setdefault(unit, {k: 0 for k, _ in SERIES})
            row[series] += int(n)
    return found


def leading(found: dict[str | None, dict[str, int]]) -> list[str | None]:
    """The units `chart` may show: the 12 with the most tickets and any as many as the 12th
    (it orders those by name). Only their names are needed, of a city's thousands."""
    totals = {u: sum(v.values()) for u, v in found.items()}
    ranked = sorted(totals, key=lambda u: -totals[u])
    if len(ranked) <= _MAX_UNITS:
        return ranked
    least = totals[ranked[_MAX_UNITS - 1]]
    return [u for u in ranked if totals[u] >= least]


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
