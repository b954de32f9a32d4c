"""The dates of a recurring post: from its first send, by its `Repeat`, until its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .recurrence import Repeat, rrule_times

__all__ = ["occurrences"]


def occurrences(
    rep: Repeat, first: datetime, tz: ZoneInfo, is_workday: Callable[[date], bool]
) -> Iterator[datetime]:
    """The times (aware, in `tz`) the series posts at, from its first send `first` on."""
    start = first.astimezone(tz).replace(second=0, microsecond=0)
    hh, mm = rep.at or (start.hour, start.minute)
    end = _end(rep, start, tz)
    n = 0
    for at in _times(rep, start, time(hh, mm), tz, is_workday):
        if at < start:
            continue
        if (end is not None and at >= end) or (rep.count is not None and n >= rep.count):
            return
        n += 1
        yield at


def _end(rep: Repeat, start: datetime, tz: ZoneInfo) -> datetime | None:
    ends = []
    if rep.until:
        ends.append(datetime.combine(date.fromisoformat(rep.until) + timedelta(days=1), time(), tz))
    if rep.span_days:
        ends.append(start + timedelta(days=rep.span_days))
    if rep.span_months:
        from dateutil.relativedelta import relativedelta

        ends.append(start + relativedelta(months=rep.span_months))
    return min(ends) if ends else None


def _times(
    rep: Repeat, start: datetime, at: time, tz: ZoneInfo, is_workday: Callable[[date], bool]
) -> Iterator[datetime]:
    if rep.freq == "rrule":
        for moment in rrule_times(rep.rule, start.replace(hour=at.hour, minute=at.minute)):
            yield moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)
    elif rep.freq == "cron":
        from qunzhu.core import next_fire

        moment = start - timedelta(minutes=1)
        while True:
            moment = next_fire(cron=rep.rule, tz=tz.key, after=moment).astimezone(tz)
            yield moment
    else:
        for day in _days(rep, start.date(), is_workday):
            yield datetime.combine(day, at, tz)


def _days(rep: Repeat, first: date, is_workday: Callable[[date], bool]) -> Iterator[date]:
    """The days a daily, working-day, weekly or monthly series posts on, from `first`'s week
    or month on."""
    if rep.freq == "monthly":
        for k in range(0, 100_000, rep.interval):
            year, month = divmod(first.month - 1 + k, 12)
            for md in sorted(rep.days or (first.day,)):
                try:
                    yield date(first.year + year, month + 1, md)
                except ValueError:  # the 31st of a shorter month
                    continue
    elif rep.freq == "weekly":
        monday = first - timedelta(days=first.weekday())
        for week in range(0, 100_000, rep.interval):
            for wd in sorted(rep.days or (first.weekday(),)):
                yield monday + timedelta(days=7 * week + wd)
    else:
        day = first
        while True:
            if rep.freq == "daily" or is_workday(day):
                yield day
            day += timedelta(days=rep.interval if rep.freq == "daily" else 1)
