"""Gathering what a summary shows: reports, acknowledgements, who is excused, streaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .expected import expected, reports_of
from .models import Ack, Leave, Round
from .roster import Member
from .texts import ReportLine, SummaryData, first_line

__all__ = ["acks_of", "gather", "streaks"]

_STREAK_ROUNDS = 104  # two years of weekly check-ins


async def acks_of(db: AsyncSession, report_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if report_ids:
        rows = await db.scalars(
            select(Ack).where(Ack.report_id.in_(report_ids)).order_by(Ack.at, Ack.id)
        )
        for ack in rows:
            out[ack.report_id].append(ack.name)
    return out


async def streaks(db: AsyncSession, rnd: Round, members: Sequence[Member]) -> dict[int, int]:
    """Consecutive rounds up to `rnd` in which each member reported; rounds they were excused
    from do not break a streak."""
    rounds = list(
        await db.scalars(
            select(Round)
            .where(Round.campaign == rnd.campaign, Round.day <= rnd.day)
            .order_by(Round.day.desc())
            .limit(_STREAK_ROUNDS)
        )
    )
    reported: set[tuple[int, int]] = {
        (r.round_id, r.person_id) for r in await reports_of(db, [x.id for x in rounds])
    }
    leaves = list(
        await db.scalars(select(Leave).where(Leave.person_id.in_([m.id for m in members])))
    )

    def away(person_id: int, past: Round) -> bool:
        return any(
            leave.person_id == person_id
            and leave.first <= past.day <= leave.last
            and leave.chat in ("", past.chat)
            for leave in leaves
        )

    out: dict[int, int] = {}
    for m in members:
        count = 0
        for past in rounds:
            if (past.id, m.id) in reported:
                count += 1
            elif not away(m.id, past):
                break
        out[m.id] = count
    return out


async def gather(db: AsyncSession, rnd: Round, tag: str, *, final: bool) -> SummaryData:
    found = await expected(db, rnd)
    members = list(found.members)
    reports = await reports_of(db, [rnd.id])
    acks = await acks_of(db, [r.id for r in reports])
    runs = await streaks(db, rnd, members)
    lines: list[ReportLine] = []
    for m in found.done:
        report = found.reports[m.id]
        lines.append(
            ReportLine(
                m.name,
                first_line(report.text, tag),
                report.late,
                tuple(acks.get(report.id, ())),
                runs.get(m.id, 0),
                len(report.attachments),
            )
        )
    roster_ids = {m.id for m in members}
    for report in reports:  # reported, then taken off the roster: still shown
        if report.person_id not in roster_ids:
            lines.append(ReportLine(report.name, first_line(report.text, tag), report.late))
    lines.sort(key=lambda r: r.late)
    return SummaryData(
        rnd.campaign,
        rnd.day,
        lines,
        [m.name for m in found.missing],
        [m.name for m in found.having("leave")],
        [m.name for m in found.having("left")],
        final,
    )
