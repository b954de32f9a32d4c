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

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .expected import DONE, DUE
from .models import Leave, Report, Round
from .roster import Member

__all__ = [
    "Rate",
    "last_rounds",
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
    rows = await db.execute(
        select(Report.round_id, Report.person_id, Report.late).where(Report.round_id.in_(ids))
    )
    for round_id, person_id, late in rows.all():
        reported.setdefault(round_id, {})[person_id] = bool(late)
    people = sorted({int(m["id"]) for r in rounds for m in r.roster})
    chats = sorted({r.chat for r in rounds})
    leave: list[tuple[int, object, object, str, str]] = []
    if people:
        found = await db.execute(
            select(Leave.person_id, Leave.first, Leave.last, Leave.reason, Leave.chat).where(
                Leave.person_id.in_(people),
                Leave.first <= max(r.day for r in rounds),
                Leave.last >= min(r.day for r in rounds),
                or_(Leave.chat == "", Leave.chat.in_(chats)),
            )
        )
        leave = [tuple(row) for row in found.all()]  # type: ignore[misc]
    out: dict[int, dict[int, str]] = {}
    for rnd in rounds:
        away: dict[int, str] = {}
        for person_id, first, last, reason, chat in leave:
            here = first <= rnd.day <= last and chat in ("", rnd.chat)  # type: ignore[operator]
            if here and away.get(person_id) != "left":
                away[person_id] = reason
        done = reported.get(rnd.id, {})
        status: dict[int, str] = {}
        for m in rnd.roster:
            pid = int(m["id"])
            if pid in done:
                status[pid] = "late" if done[pid] else "reported"
            else:
                status[pid] = away.get(pid, "missed")
        out[rnd.id] = status
    return out


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
