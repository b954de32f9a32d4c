"""The console's reading of check-ins, a page at a time and in grouped queries: many rounds'
statuses from one query of reports and one of leave (`expected` does one round with two), the
latest round of each campaign on a page, a campaign's last rounds. With 5,000 groups of 12
participants a page reads the rounds it shows and their reports' ids, never the whole table.

The statuses are `expected`'s: a roster member who reported is ``reported`` or ``late``; one
who did not is ``leave`` or ``left`` when excused that day, else ``missed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .expected import DONE, DUE
from .models import Leave, Report, Round
from .roster import Member

#: Ids in one ``IN (…)`` (SQLite allows 32,766 parameters; PostgreSQL's driver 32,767).
_CHUNK = 10_000

__all__ = [
    "Rate",
    "campaigns_to_show",
    "last_rounds",
    "last_rounds_of",
    "latest_rounds",
    "members_of",
    "missed_in_a_row",
    "rate",
    "statuses_of",
]


@dataclass(frozen=True, slots=True)
class Rate:
    done: int
    due: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None


def rate(status: dict[int, str]) -> Rate:
    values = status.values()
    return Rate(sum(s in DONE for s in values), sum(s in DUE for s in values))


async def statuses_of(db: AsyncSession, rounds: Sequence[Round]) -> dict[int, dict[int, str]]:
    """round id → {person id: reported | late | missed | leave | left}, for every roster member."""
    if not rounds:
        return {}
    ids = [r.id for r in rounds]
    reported: dict[int, dict[int, bool]] = {}
    for chunk in range(0, len(ids), _CHUNK):
        rows = await db.execute(
            select(Report.round_id, Report.person_id, Report.late).where(
                Report.round_id.in_(ids[chunk : chunk + _CHUNK])
            )
        )
        for round_id, person_id, late in rows.all():
            reported.setdefault(round_id, {})[person_id] = bool(late)
    people = sorted({int(m["id"]) for r in rounds for m in r.roster})
    chats = sorted({r.chat for r in rounds})
    leave: dict[int, list[tuple[date, date, str, str]]] = {}
    for chunk in range(0, len(people), _CHUNK):
        found = await db.execute(
            select(Leave.person_id, Leave.first, Leave.last, Leave.reason, Leave.chat).where(
                Leave.person_id.in_(people[chunk : chunk + _CHUNK]),
                Leave.first <= max(r.day for r in rounds),
                Leave.last >= min(r.day for r in rounds),
                or_(Leave.chat == "", Leave.chat.in_(chats)),
            )
        )
        for person_id, first, last, reason, chat in found.all():
            leave.setdefault(person_id, []).append((first, last, reason, chat))
    out: dict[int, dict[int, str]] = {}
    for rnd in rounds:
        done = reported.get(rnd.id, {})
        status: dict[int, str] = {}
        for m in rnd.roster:
            pid = int(m["id"])
            if pid in done:
                status[pid] = "late" if done[pid] else "reported"
            else:
                status[pid] = _away(leave.get(pid, ()), rnd)
        out[rnd.id] = status
    return out


def _away(leave: Sequence[tuple[date, date, str, str]], rnd: Round) -> str:
    """``left``, ``leave`` or ``missed``: a roster member who did not report in `rnd`."""
    found = "missed"
    for first, last, reason, chat in leave:
        if first <= rnd.day <= last and chat in ("", rnd.chat):
            if reason == "left":
                return "left"
            found = reason
    return found


async def latest_rounds(db: AsyncSession, campaigns: Sequence[str]) -> dict[str, Round]:
    """campaign name → its latest round, for the campaigns of one page."""
    if not campaigns:
        return {}
    latest = (
        select(Round.campaign, func.max(Round.day).label("day"))
        .where(Round.campaign.in_(campaigns))
        .group_by(Round.campaign)
        .subquery()
    )
    rows = await db.scalars(
        select(Round).join(
            latest, (Round.campaign == latest.c.campaign) & (Round.day == latest.c.day)
        )
    )
    return {r.campaign: r for r in rows}


async def last_rounds_of(db: AsyncSession, campaigns: Sequence[str], count: int) -> list[Round]:
    """The last `count` rounds of each of `campaigns` (the database picks them: a window
    function), newest first by campaign."""
    if not campaigns:
        return []
    ranked = (
        select(
            Round.id,
            func.row_number()
            .over(partition_by=Round.campaign, order_by=(Round.day.desc(), Round.id.desc()))
            .label("n"),
        )
        .where(Round.campaign.in_(campaigns))
        .subquery()
    )
    rows = await db.scalars(
        select(Round)
        .join(ranked, ranked.c.id == Round.id)
        .where(ranked.c.n <= count)
        .order_by(Round.campaign, Round.day.desc(), Round.id.desc())
    )
    return list(rows)


async def campaigns_to_show(db: AsyncSession, count: int) -> tuple[list[str], int]:
    """(the campaigns with rounds, at most `count`, total): all of them when they are few; else
    those whose latest round had the smallest share of reports to its roster, counted in the
    database (leave is not subtracted here: the pages count it for those shown)."""
    total = await db.scalar(select(func.count(func.distinct(Round.campaign)))) or 0
    if total <= count:
        names = await db.scalars(select(Round.campaign).distinct())
        return sorted(names), total
    latest = (
        select(Round.campaign, func.max(Round.day).label("day")).group_by(Round.campaign).subquery()
    )
    reports = select(Report.round_id, func.count().label("n")).group_by(Report.round_id).subquery()
    size = func.nullif(func.json_array_length(Round.roster), 0)  # SQLite and PostgreSQL
    share = func.coalesce(func.coalesce(reports.c.n, 0) * 1.0 / size, 1.0)
    rows = await db.scalars(
        select(Round.campaign)
        .join(latest, (Round.campaign == latest.c.campaign) & (Round.day == latest.c.day))
        .outerjoin(reports, reports.c.round_id == Round.id)
        .order_by(share, Round.campaign)
        .limit(count)
    )
    return sorted(rows), total


async def last_rounds(db: AsyncSession, campaign: str, count: int) -> list[Round]:
    """The campaign's last `count` rounds, oldest first."""
    rows = await db.scalars(
        select(Round).where(Round.campaign == campaign).order_by(Round.day.desc()).limit(count)
    )
    return list(reversed(list(rows)))


def members_of(rounds: Sequence[Round]) -> list[Member]:
    """Everyone on any of the rosters, in the latest roster's order, then the others."""
    found: dict[int, Member] = {}
    for rnd in reversed(rounds):
        for m in rnd.roster:
            member = Member.from_json(m)
            found.setdefault(member.id, member)
    return list(found.values())


def missed_in_a_row(cells: Sequence[str], closed: Sequence[bool]) -> int:
    """How many of the latest closed rounds in a row a person missed (leave does not break the
    run, nor count in it; a round still open is not missed yet)."""
    run = 0
    for cell, done in zip(reversed(cells), reversed(closed), strict=True):
        if not done or cell in ("leave", "left", "none"):
            continue
        if cell != "missed":
            break
        run += 1
    return run
