"""The check-ins' panel on the web console's overview: each campaign's participation in its
latest rounds, counted as the summary counts it (`expected`: the excused are not due), newest
first, so that a leader sees this week's rate and its trend at a glance. Rates only: who did
not report is named in the group's summary, not here. For supervisors and admins.

With more than ten campaigns the panel shows the ten whose latest round had the fewest reports
for its roster (the database ranks them) and links to the list of all; their last four rounds
are picked by the database too and counted in grouped queries (`web_data`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qunzhu.core import N_
from qunzhu.core.web import Panel, Template, Visit

from .web_data import campaigns_to_show, last_rounds_of, rate, statuses_of

__all__ = ["PANEL"]

ROUNDS = 4
#: At most this many campaigns on the panel: those that need a look most.
CAMPAIGNS = 10


@dataclass(frozen=True, slots=True)
class Rate:
    day: str
    done: int
    due: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.due) if self.due else 0


async def panel(visit: Visit) -> Template | None:
    async with visit.session() as s:
        names, total = await campaigns_to_show(s, CAMPAIGNS)
        rounds = await last_rounds_of(s, names, ROUNDS)
        status = await statuses_of(s, rounds)
    rows: dict[str, list[Rate]] = {}
    for rnd in rounds:
        found = rate(status[rnd.id])
        rows.setdefault(rnd.campaign, []).append(
            Rate(rnd.day.strftime("%m-%d"), found.done, found.due)
        )
    if not rows:
        return None
    values = {"campaigns": sorted(rows.items()), "more": total - len(rows), "total": total}
    return Template("checkins/panel.html", values)


PANEL = Panel(
    N_("Check-in participation"),
    panel,
    roles=("supervisor",),
    order=20,
    templates=Path(__file__).parent / "web",
)
