"""Leave: ``/leave 2026-12-01..2026-12-05`` excuses the sender (when the campaign allows it),
``/leave 张市长 2026-12-01..2026-12-05`` lets an owner excuse a participant. Someone excused is
not reminded and counts as on leave in the summary. Leaving the group excuses too, until the
person comes back."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from qunzhu.core import Context, MemberChange, UsageError

from .campaigns import every
from .models import Leave
from .roster import is_owner, people
from .texts import span_label

__all__ = ["FOREVER", "member_changed", "parse_dates", "record_leave"]

FOREVER = date(9999, 12, 31)
_DATE = r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_RANGE = re.compile(rf"{_DATE}\s*(?:\.\.|~|～|至|到|—|–|to)?\s*(?:{_DATE})?\s*$")


def parse_dates(text: str, today: date) -> tuple[date, date] | None:
    """``2026-12-01..2026-12-05``, ``12月1日至12月5日``, ``2026-12-01`` → the first and last day
    (a date without a year is the next such date from `today`)."""
    match = _RANGE.fullmatch(text.strip())
    if match is None:
        return None
    y1, m1, d1, y2, m2, d2 = match.groups()
    try:
        first = _day(y1, m1, d1, today)
        last = _day(y2, m2, d2, first) if m2 else first  # no year: the next such day
    except ValueError:
        return None
    if last < first:
        return None
    return first, last


def _day(year: str | None, month: str, day: str, today: date) -> date:
    if year:
        return date(int(year), int(month), int(day))
    found = date(today.year, int(month), int(day))
    return (
        found
        if found >= today - timedelta(days=31)
        else date(today.year + 1, found.month, found.day)
    )


async def record_leave(ctx: Context, who: str, dates: str) -> None:
    """The /leave command."""
    campaigns = await every(ctx.app, ctx.db)
    today = ctx.now().astimezone(ctx.calendar.tz).date()
    span = parse_dates(dates, today)
    if span is None:
        raise UsageError(
            ctx.t("Write the days as 2026-12-01..2026-12-05 (or one day: 2026-12-01).")
        )
    if who:
        owned = [c for c in campaigns if await is_owner(ctx.app, c, ctx.person)]
        if not owned:
            raise UsageError(ctx.t("Only the owners of a check-in can record leave for others."))
        found = await people(ctx.app, [who])
        if not found:
            raise UsageError(ctx.t("I do not know anyone called {name}.", name=who))
        target = found[0]
    else:
        if not any(c.self_leave for c in campaigns):
            raise UsageError(ctx.t("Ask an owner of the check-in to record your leave."))
        target = ctx.person
    ctx.db.add(
        Leave(
            person_id=target.id,
            name=target.name,
            first=span[0],
            last=span[1],
            reason="leave",
            chat="",
            by=ctx.person.name,
            created_at=ctx.now(),
        )
    )
    days = span_label(ctx.t, *span)
    if span[0] == span[1]:
        text = ctx.t(
            "Recorded: {name} is on leave on {days} and need not report that day.",
            name=target.name,
            days=days,
        )
    else:
        text = ctx.t(
            "Recorded: {name} is on leave {days} and need not report then.",
            name=target.name,
            days=days,
        )
    await ctx.reply(text)


async def member_changed(ctx: Context) -> None:
    """A participant left the group (excused from then on) or came back."""
    event = ctx.event
    if not isinstance(event, MemberChange) or event.user.is_bot:
        return  # a bot (the bot itself, added to the group) is never a participant
    here = await every(ctx.app, ctx.db, chat=ctx.chat.key)
    if not here:
        return
    # looked up, never created: someone the bot has never known cannot be on a list (and a
    # Person created here would wait for the write lock this handler's batch holds)
    person = await ctx.app.people.find(event.user.key)
    if person is None:
        return
    listed = False
    for campaign in here:
        members = await people(ctx.app, campaign.participants, campaign.participant_roles)
        listed = listed or any(p.id == person.id for p in members)
    if not listed:
        return
    today = ctx.now().astimezone(ctx.calendar.tz).date()
    if event.change == "left":
        ctx.db.add(
            Leave(
                person_id=person.id,
                name=person.name,
                first=today,
                last=FOREVER,
                reason="left",
                chat=ctx.chat.key,
                by="",
                created_at=ctx.now(),
            )
        )
        return
    open_ended = await ctx.db.scalars(
        select(Leave.id).where(
            Leave.person_id == person.id,
            Leave.chat == ctx.chat.key,
            Leave.reason == "left",
            Leave.last == FOREVER,
        )
    )
    ids = list(open_ended)
    if ids:
        await ctx.db.execute(
            update(Leave).where(Leave.id.in_(ids)).values(last=today - timedelta(days=1))
        )
