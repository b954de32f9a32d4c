"""Who is expected to report in a round: one answer for the receipts, the reminder, the summary,
the history and the export.

A round's roster is fixed at its opening. Of its members, someone on leave that day or who has
left the group is excused, unless they reported anyway (then they count as any reporter). The
count "1/11" of a receipt and the "应报 11 人" of the summary are both `Expected.due`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Report, Round
from .roster import Member, excused

__all__ = ["DUE", "DONE", "Expected", "expected", "reports_of", "statuses"]

#: Statuses of someone who had to report, and of someone who did.
DUE = frozenset({"reported", "late", "missed"})
DONE = frozenset({"reported", "late"})


async def reports_of(db: AsyncSession, round_ids: Sequence[int]) -> list[Report]:
    if not round_ids:
        return []
    rows = await db.scalars(
        select(Report).where(Report.round_id.in_(round_ids)).order_by(Report.created_at)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class Expected:
    """A round's roster sorted by what each member owes: `status` maps person id to
    reported | late | missed | leave | left."""

    members: tuple[Member, ...]
    status: dict[int, str]
    reports: dict[int, Report]

    def having(self, *wanted: str) -> list[Member]:
        return [m for m in self.members if self.status[m.id] in wanted]

    @property
    def due(self) -> list[Member]:
        """Who had to report: reported, late or missing (not the excused)."""
        return [m for m in self.members if self.status[m.id] in DUE]

    @property
    def done(self) -> list[Member]:
        return [m for m in self.members if self.status[m.id] in DONE]

    @property
    def missing(self) -> list[Member]:
        return self.having("missed")

    @property
    def excused(self) -> list[tuple[Member, str]]:
        """(member, ``leave`` or ``left``) of those excused who did not report."""
        return [(m, self.status[m.id]) for m in self.members if self.status[m.id] not in DUE]


async def expected(db: AsyncSession, rnd: Round) -> Expected:
    """Each roster member's status in `rnd`, with the reports."""
    members = tuple(Member.from_json(m) for m in rnd.roster)
    reports = {r.person_id: r for r in await reports_of(db, [rnd.id])}
    away = await excused(db, [m.id for m in members], rnd.chat, rnd.day)
    status: dict[int, str] = {}
    for m in members:
        report = reports.get(m.id)
        if report is not None:
            status[m.id] = "late" if report.late else "reported"
        else:
            status[m.id] = away.get(m.id, "missed")
    return Expected(members, status, reports)


async def statuses(db: AsyncSession, rnd: Round) -> dict[int, str]:
    """Each roster member's status in `rnd`: reported | late | missed | leave | left."""
    return (await expected(db, rnd)).status
