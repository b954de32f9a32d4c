"""When a campaign's check-ins open and close: pure arithmetic, no clock and no database.

The schedule (an RFC 5545 rule such as ``FREQ=WEEKLY;BYDAY=FR``, or a cron expression such as
``0 9 * * FRI``) says on which days, in the campaign's timezone; ``opens`` and ``closes`` say at
which local times (``opens`` unset: the schedule's own time). The working-day calendar then moves
a check-in that falls on a holiday to the next working day (``on_holiday: move``), drops it
(``skip``) or keeps it (``keep``); ``makeup_workdays`` adds the make-up workdays (调休上班日).

A rule without DTSTART is anchored on Monday 2024-01-01, so ``INTERVAL=2`` weeks is stable
across restarts. Local times become instants with the zone's rules of that day: a check-in at
09:00 in Europe/Berlin opens at 08:00 UTC in winter and 07:00 UTC in summer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from qunzhu.core import WorkCalendar

from .config import Campaign, is_cron

if TYPE_CHECKING:
    from dateutil.rrule import rrule, rruleset

__all__ = ["Window", "current_or_next", "next_opening", "window_on", "windows"]

_ANCHOR = date(2024, 1, 1)
_LOOKBACK = timedelta(days=45)  # a holiday may move a check-in this far at most


@dataclass(frozen=True, slots=True)
class Window:
    """One check-in: it opens and closes at aware UTC instants; `day` is the local day it is held
    on, `planned` the day the schedule named (different when a holiday moved it)."""

    day: date
    opens_at: datetime
    closes_at: datetime
    planned: date
    #: The regular day this moved window stands for too (it would have opened the next day).
    replaces: date | None = None

    @property
    def moved(self) -> bool:
        return self.day != self.planned

    def at_fraction(self, fraction: float) -> datetime:
        return self.opens_at + (self.closes_at - self.opens_at) * fraction


def zone(campaign: Campaign, default: str) -> ZoneInfo:
    return ZoneInfo(campaign.timezone or default)


def windows(
    campaign: Campaign, tz: ZoneInfo, calendar: WorkCalendar, start: datetime
) -> Iterator[Window]:
    """Every window that closes after `start`, in order of opening."""
    local_start = start.astimezone(tz).replace(tzinfo=None)
    pending: dict[date, Window] = {}
    regular: set[date] = set()  # days the schedule names (a moved window may land on one)
    for day, opens in _scheduled(campaign, calendar, local_start - _LOOKBACK):
        held = _held_on(campaign, calendar, day)
        if held == day:
            regular.add(day)
            if _stands_in(pending, regular, calendar, day):
                held = None  # the moved window of the day before is this one
        if held is not None and held not in pending:
            pending[held] = _window(campaign, tz, held, opens, day)
        # a window is final once no later scheduled day can land before it
        for ready in sorted(d for d in pending if d < day):
            window = pending.pop(ready)
            if window.closes_at > start:
                yield window
        if day > local_start.date() + timedelta(days=3660):
            return


def _stands_in(
    pending: dict[date, Window], regular: set[date], calendar: WorkCalendar, day: date
) -> bool:
    """Whether a moved window lands on the working day right before the regular `day` (and on
    no day the schedule names itself): then it stands for `day` too, so that the group does not
    report two days in a row (国庆 2026: Friday 2 October moves to Thursday 8 October, the day
    before the regular Friday 9 October). It is marked so (`Window.replaces`)."""
    for held, window in pending.items():
        beside = window.moved and held < day and held not in regular
        if beside and calendar.next_workday(held) >= day:
            pending[held] = replace(window, replaces=day)
            return True
    return False


def current_or_next(
    campaign: Campaign, tz: ZoneInfo, calendar: WorkCalendar, now: datetime
) -> Window | None:
    """The window open at `now`, else the next one (None when the schedule has ended)."""
    return next(windows(campaign, tz, calendar, now), None)


def next_opening(
    campaign: Campaign, tz: ZoneInfo, calendar: WorkCalendar, after: datetime
) -> Window | None:
    """The first window that opens strictly after `after`."""
    for window in windows(campaign, tz, calendar, after):
        if window.opens_at > after:
            return window
    return None


def window_on(campaign: Campaign, tz: ZoneInfo, calendar: WorkCalendar, day: date) -> Window | None:
    """The window held on local `day`, if the schedule holds one then."""
    start = datetime.combine(day - timedelta(days=1), time(), tzinfo=tz)
    for window in windows(campaign, tz, calendar, start):
        if window.day == day:
            return window
        if window.day > day:
            return None
    return None


def _held_on(campaign: Campaign, calendar: WorkCalendar, day: date) -> date | None:
    if campaign.on_holiday == "keep" or calendar.is_workday(day):
        return day
    if campaign.on_holiday == "skip":
        return None
    return calendar.next_workday(day)


def _window(campaign: Campaign, tz: ZoneInfo, day: date, opens: time, planned: date) -> Window:
    opening = datetime.combine(day, campaign.open_time() or opens, tzinfo=tz)
    closing = datetime.combine(day, campaign.close_time(), tzinfo=tz)
    if closing <= opening:
        closing = datetime.combine(day + timedelta(days=1), campaign.close_time(), tzinfo=tz)
    return Window(day, opening.astimezone(UTC), closing.astimezone(UTC), planned)


def _scheduled(
    campaign: Campaign, calendar: WorkCalendar, after: datetime
) -> Iterator[tuple[date, time]]:
    """(day, local time) of each scheduled occurrence after naive local `after`, one per day,
    with the make-up workdays added when asked."""
    last = after.date()
    for when in _rule_times(campaign.schedule, after):
        day = when.date()
        if day <= last:
            continue
        if campaign.makeup_workdays:
            for extra in makeup_days(calendar, last + timedelta(days=1), day - timedelta(days=1)):
                yield extra, when.time()
        last = day
        yield day, when.time()


def _rule_times(schedule: str, after: datetime) -> Iterator[datetime]:
    if is_cron(schedule):
        from croniter import croniter

        steps = croniter(schedule, after)
        while True:
            yield steps.get_next(datetime)
    rule = _rule(schedule)
    current = after
    while True:
        found = rule.after(current)
        if found is None:
            return
        yield found
        current = found


@lru_cache(maxsize=64)
def _rule(schedule: str) -> rrule | rruleset:
    from dateutil.rrule import rrulestr

    text = schedule if "RRULE:" in schedule.upper() else f"RRULE:{schedule}"
    if "DTSTART" in text.upper():
        return rrulestr(text, ignoretz=True, cache=True)
    return rrulestr(text, dtstart=datetime.combine(_ANCHOR, time()), cache=True)  # noqa: DTZ001 - naive local on purpose


def makeup_days(calendar: WorkCalendar, start: date, end: date) -> list[date]:
    """The make-up workdays (working days outside the work week) from `start` to `end`."""
    days = []
    day = start
    while day <= end:
        if day.weekday() not in calendar.workweek and calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days
