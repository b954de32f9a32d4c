"""`WorkCalendar`: which days are working days and which hours are working hours.

Deadlines in the civic workflows are counted in working time ("acknowledge within 4 working hours,
resolve within 5 working days"), and weekly check-ins skip public holidays. A working day is a day
of the work week that is not a holiday, or a make-up workday (调休: a Saturday or Sunday worked in
exchange for a longer holiday). With the ``cn`` preset the holidays and make-up workdays of
mainland China come from the `chinesecalendar` package (the State Council's yearly schedule);
the config's own ``holidays`` and ``workdays`` are added on top (and win), and a year the package
does not know yet counts the plain work week.

All times are aware datetimes; the calendar works in the bot's timezone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from qunzhu.core.config.schema import CalendarSettings, expand_dates

__all__ = ["WorkCalendar"]

log = logging.getLogger("qunzhu.workdays")

#: Work periods of a day: (start, end) pairs, sorted, not overlapping.
Periods = tuple[tuple[time, time], ...]


class WorkCalendar:
    """Working days and working hours in one timezone. Build it from the ``calendar:`` config
    (``App.calendar``, ``ctx.calendar``) or directly in tests."""

    def __init__(
        self,
        tz: ZoneInfo,
        *,
        workweek: Iterable[int] = (0, 1, 2, 3, 4),
        hours: Sequence[tuple[time, time]] = ((time(9), time(12)), (time(13, 30), time(18))),
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        preset: str | None = None,
    ) -> None:
        """`workweek`: ``date.weekday()`` numbers; `preset` ``"cn"`` adds mainland China's
        official holidays and make-up workdays."""
        self.tz = tz
        self.workweek = frozenset(workweek)
        self.hours: Periods = tuple(sorted(hours))
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.preset = preset
        if not self.hours or any(start >= end for start, end in self.hours):
            message = "working hours need at least one period, each starting before it ends"
            raise ValueError(message)
        if any(a[1] > b[0] for a, b in zip(self.hours, self.hours[1:], strict=False)):
            message = "working hours periods overlap"
            raise ValueError(message)
        if not self.workweek and not self.workdays:
            message = "the work week has no day"
            raise ValueError(message)
        #: Working time in one working day.
        monday = date(2000, 1, 3)
        self.day_length = sum(
            (_on(monday, end) - _on(monday, start) for start, end in self.hours), timedelta()
        )

    @classmethod
    def from_settings(cls, settings: CalendarSettings, tz: ZoneInfo) -> WorkCalendar:
        """The calendar the ``calendar:`` section describes, in the bot's timezone."""
        return cls(
            tz,
            workweek=settings.weekdays(),
            hours=settings.periods(),
            holidays=expand_dates(settings.holidays),
            workdays=expand_dates(settings.workdays),
            preset=None if settings.preset == "none" else settings.preset,
        )

    # -- days ----------------------------------------------------------------------------------
    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if self.preset == "cn":
            known = _china(day)
            if known is not None:
                return known
        return day.weekday() in self.workweek

    def holiday_name(self, day: date) -> str | None:
        """Why `day` is a day off when a holiday makes it one: the holiday's name as the ``cn``
        preset knows it (``"National Day"``, ``"Spring Festival"``, the weekend inside a holiday
        included), ``""`` for one of the config's ``holidays``; None for a working day and for a
        plain day off of the work week."""
        if self.is_workday(day):
            return None
        if day in self.holidays:
            return ""
        if self.preset == "cn":
            return _china_holiday(day)
        return None

    def next_workday(self, day: date, n: int = 1) -> date:
        """The `n`-th working day after `day` (``n=0``: `day` itself if it is one, else the
        next)."""
        if n == 0 and self.is_workday(day):
            return day
        count = 0
        for _ in range(3660):
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
                if count >= max(n, 1):
                    return day
        message = "no working day within ten years"
        raise ValueError(message)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`): how
        many working days late something due on `start` is on `end`."""
        days = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            days += self.is_workday(day)
        return days

    # -- hours ---------------------------------------------------------------------------------
    def is_working_time(self, moment: datetime) -> bool:
        """Whether `moment` falls in working hours of a working day."""
        local = moment.astimezone(self.tz)
        if not self.is_workday(local.date()):
            return False
        return any(start <= local.time() < end for start, end in self.hours)

    def add_work_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed since `start` (a deadline of
        "4 working hours" from a report made on Friday at 17:00 falls on Monday morning)."""
        if amount < timedelta():
            message = "cannot add a negative working time"
            raise ValueError(message)
        local = start.astimezone(self.tz)
        left = amount
        day = local.date()
        for _ in range(3660 * 2):
            if self.is_workday(day):
                for opens, end in self._periods(day):
                    if end <= local:
                        continue
                    begin = max(opens, local)
                    if begin + left <= end:
                        return (begin + left).astimezone(start.tzinfo)
                    left -= end - begin
            day += timedelta(days=1)
        message = "the working time does not fit in ten years"
        raise ValueError(message)

    def add_workdays(self, start: datetime, days: float) -> datetime:
        """`days` full working days of working time after `start` ("within 5 working days")."""
        return self.add_work_time(start, self.day_length * days)

    def work_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (zero when `end` is not after `start`).
        The first and last days are clipped to them; each working day between counts whole,
        `day_length` (a desk of tickets a year overdue measured every day of it, each time)."""
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        if b <= a:
            return timedelta()
        total = timedelta()
        for day in sorted({a.date(), b.date()}):
            if self.is_workday(day):
                for begin, finish in self._periods(day):
                    lo, hi = max(begin, a), min(finish, b)
                    if hi > lo:
                        total += hi - lo
        day = a.date() + timedelta(days=1)
        while day < b.date():
            if self.is_workday(day):
                total += self.day_length
            day += timedelta(days=1)
        return total

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        return [(_on(day, s, self.tz), _on(day, e, self.tz)) for s, e in self.hours]


def _on(day: date, at: time, tz: ZoneInfo | None = None) -> datetime:
    return datetime.combine(day, at, tzinfo=tz or ZoneInfo("UTC"))


@lru_cache(maxsize=4096)
def _china(day: date) -> bool | None:
    """Mainland China's official answer for `day`, None for a year the package does not know."""
    try:
        import chinese_calendar  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return None


@lru_cache(maxsize=4096)
def _china_holiday(day: date) -> str | None:
    """The name of the official holiday `day` belongs to, None for none or an unknown year."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        return None
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return str(name) if on_holiday and name else None


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    log.warning(
        "event=calendar_unknown_year year=%s: the cn preset does not know this year's holidays "
        "yet; counting Monday to Friday (list them under calendar.holidays/workdays, or "
        "upgrade chinesecalendar)",
        year,
    )
