"""The check-ins' panel on the web console's overview: each campaign's participation in its
latest rounds, counted as the summary counts it (`expected`: the excused are not due), newest
first, so that a leader sees this week's rate and its trend at a glance. Rates only: who did
not report is named in the group's summary, not here. For supervisors and admins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from qunzhu.core import N_
from qunzhu.core.web import Panel, Template, Visit

from .expected import expected
from .models import Round

__all__ = ["PANEL"]

ROUNDS = 4


@dataclass(frozen=True, slots=True)
class Rate:
    day: str
    done: int
    due: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.due) if self.due else 0


async def panel(visit: Visit) -> Template | None:
    rows: dict[str, list[Rate]] = {}
    async with visit.session() as s:
        rounds = (await s.scalars(select(Round).order_by(Round.day.desc(), Round.id.desc()))).all()
        for rnd in rounds:
            rates = rows.setdefault(rnd.campaign, [])
            if len(rates) >= ROUNDS:
                continue
            found = await expected(s, rnd)
            rates.append(Rate(rnd.day.strftime("%m-%d"), len(found.done), len(found.due)))
    if not rows:
        return None
    return Template("checkins/panel.html", {"campaigns": sorted(rows.items())})


PANEL = Panel(
    N_("Check-in participation"),
    panel,
    roles=("supervisor",),
    order=20,
    templates=Path(__file__).parent / "web",
)
