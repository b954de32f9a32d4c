"""Deadlines as people write them, on the working calendar: ``明天下班以前``, ``今晚12点前``,
``节后第一天``, ``国庆节后第一天下班前``, ``周五前``, ``下周一上午``, ``月底前``, ``三个工作日内``,
``两天内``, ``本周内``, ``后天中午``, ``12月10日17点``, ``10号前``, ``tomorrow 6pm``,
``by Friday``, ``within 2 hours`` (the words: `_deadline_words`).

In the core because every plugin that takes a deadline from a person reads it the same way: a
task's (check-ins), the leader's when he routes a problem (complaints).

`find_deadline` looks for such a phrase anywhere in a task's text and returns the moment, the text
without it, and how sure the reading is. A day without a time means the end of work that day
("下班": the end of the calendar's working hours, or ``tasks.end_of_work``). Working days count
where people mean them:

* a day said relative to today (明天, 两天内, 周五, 节后…) that is a day off moves to the next
  working day's close, and `Deadline.said` keeps the day said, so that the bot can say why;
* ``月底前`` and ``本周内`` mean the last working day of the month or week;
* a date written out (``10月3日``) on a day off is not moved silently: it is a `Deadline.doubt`,
  with the next working day's close as the suggestion, and so is any other reading that could be
  wrong (``3点`` in the morning or the afternoon, ``周五`` said on a Friday evening, a date that has
  passed this year, a holiday more than a month away).

Spans of hours (``两小时内``) are exact: urgent work is urgent on a holiday too.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from qunzhu.core.scheduling._deadline_days import after_holiday
from qunzhu.core.scheduling._deadline_words import DAYS, PREFIX, RELATIVE, SUFFIX, TIMES, to_number
from qunzhu.core.scheduling._workdays import WorkCalendar

__all__ = ["Deadline", "find_deadline"]

_CN_WEEKDAY = dict(
    zip("一二三四五六日天1234567", (0, 1, 2, 3, 4, 5, 6, 6, 0, 1, 2, 3, 4, 5, 6), strict=True)
)
_EN_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EVENING = ("下午", "傍晚", "晚上", "夜里")
_SOON = 62  # days: a date without its year that is next year's is in doubt beyond this
_AMBIGUOUS_HOURS = range(1, 7)  # "3点" with no 上午/下午: 15:00, but ask


@dataclass(frozen=True, slots=True)
class Deadline:
    """`due`: the moment; `phrase`: the words that said it; `rest`: the text without them;
    `said`: the day the words named when it is a day off (`due` is then on a working day);
    `doubt`: why the reading must be confirmed before it is used (None: it is clear)."""

    due: datetime
    phrase: str
    rest: str
    said: date | None = None
    doubt: str | None = None

    def to_json(self) -> dict[str, Any]:
        """What a dialog keeps of it while the person is asked (`read_deadline`)."""
        said = self.said.isoformat() if self.said else None
        return {
            "due": self.due.isoformat(),
            "phrase": self.phrase,
            "said": said,
            "doubt": self.doubt,
        }


@dataclass(slots=True)
class _Reading:
    start: int
    end: int
    day: date
    at: time | None = None  # None: the end of work
    midnight: bool = False  # 24:00 of `day`
    kind: str = "relative"  # relative | explicit (a date written out) | month | week | counted
    doubt: str | None = None
    exact: datetime | None = None
    period_start: date | None = None  # 月底前, 本周内: the first day of the month or week


def find_deadline(
    text: str, now: datetime, tz: ZoneInfo, calendar: WorkCalendar, end_of_work: time
) -> Deadline | None:
    """The first deadline phrase in `text`, or None when there is none."""
    local = now.astimezone(tz)
    reading = _relative(text, local, calendar) or _absolute(text, local, calendar, end_of_work)
    if reading is None:
        return None
    start, end = reading.start, reading.end
    suffix = SUFFIX.match(text[end:])
    if suffix:
        end += suffix.end()
    prefix = PREFIX.search(text[:start])
    if prefix:
        start = prefix.start()
    rest = (text[:start] + " " + text[end:]).strip(" ，,。:：")
    due, said, doubt = _settle(reading, local, calendar, end_of_work)
    phrase = text[start:end].strip()
    return Deadline(due.astimezone(now.tzinfo), phrase, " ".join(rest.split()), said, doubt)


def _settle(
    reading: _Reading, local: datetime, calendar: WorkCalendar, end_of_work: time
) -> tuple[datetime, date | None, str | None]:
    """The moment of a reading, moved off days off; the day said when it moved; the doubt."""
    if reading.exact is not None:
        return reading.exact, None, reading.doubt
    if reading.period_start is not None:
        return _in_period(reading, local, calendar, end_of_work)
    day, at, midnight, doubt, said = reading.day, reading.at, reading.midnight, reading.doubt, None
    if not calendar.is_workday(day):
        said, at, midnight = day, end_of_work, False
        day = calendar.next_workday(day)
        if reading.kind == "explicit":
            doubt = doubt or "day_off"
    return _moment(day, at or end_of_work, local, midnight=midnight), said, doubt


def _in_period(
    reading: _Reading, local: datetime, calendar: WorkCalendar, end_of_work: time
) -> tuple[datetime, date | None, str | None]:
    """月底前, 本周内: the close of the period's last working day (a make-up Saturday counts);
    when that has passed, the next working day's, in doubt."""
    assert reading.period_start is not None
    last = _last_workday(calendar, reading.day, max(reading.period_start, local.date()))
    at = reading.at or end_of_work
    if last is not None and _moment(last, at, local, midnight=reading.midnight) > local:
        said = reading.day if reading.kind == "month" and last != reading.day else None
        return _moment(last, at, local, midnight=reading.midnight), said, reading.doubt
    day = calendar.next_workday(local.date())
    return _moment(day, end_of_work, local), None, reading.doubt or "period_over"


def _last_workday(calendar: WorkCalendar, day: date, first: date) -> date | None:
    while day >= first:
        if calendar.is_workday(day):
            return day
        day -= timedelta(days=1)
    return None


def _relative(text: str, local: datetime, calendar: WorkCalendar) -> _Reading | None:
    for pattern, kind in RELATIVE:
        match = pattern.search(text)
        if match is None:
            continue
        try:
            n = to_number(match.group(1))
        except ValueError:
            continue
        found = _Reading(match.start(), match.end(), local.date())
        if kind in ("hours", "minutes"):
            found.exact = local + timedelta(**{kind: n})
        elif kind == "workdays":
            found.day, found.kind = calendar.next_workday(local.date(), n), "counted"
        else:
            found.day += timedelta(days=n * 7 if kind == "weeks" else n)
        return found
    return None


def _first(
    patterns: list[tuple[re.Pattern[str], str]], text: str, pos: int = 0
) -> tuple[re.Match[str], str] | None:
    best: tuple[re.Match[str], str] | None = None
    for pattern, kind in patterns:
        match = pattern.search(text, pos)
        if match and (best is None or match.start() < best[0].start()):
            best = (match, kind)
    return best


def _absolute(
    text: str, local: datetime, calendar: WorkCalendar, end_of_work: time
) -> _Reading | None:
    day_match = _first(DAYS, text)
    after = day_match[0].end() if day_match else 0
    time_match = _first(TIMES, text, after)
    if time_match and day_match and text[after : time_match[0].start()].strip():
        time_match = None  # a time belongs to the day right before it
    if day_match is None and time_match is None:
        return None
    said = day_match[0][0] if day_match else ""
    evening = "晚" in said or said.lower() == "tonight"
    at: time | None = calendar.hours[0][0] if "早" in said else None
    midnight, doubt = evening, None
    if time_match:
        timed = _time(time_match, calendar, end_of_work, evening=evening)
        if timed is None:
            time_match = None
        else:
            at, midnight, doubt = timed
    if day_match is None:
        if time_match is None:
            return None
        found = _Reading(time_match[0].start(), time_match[0].end(), local.date(), at, midnight)
        found.doubt = doubt
        moment = _moment(found.day, at or end_of_work, local, midnight=midnight)
        if moment <= local and time_match[1] != "off":
            found.day += timedelta(days=1)  # "6pm" said at 19:00: tomorrow's, if they say so
            found.doubt = found.doubt or "passed"
        return found
    end = time_match[0].end() if time_match else day_match[0].end()
    found = _Reading(day_match[0].start(), end, local.date(), at, midnight, doubt=doubt)
    return found if _day(found, day_match, local, calendar, end_of_work) else None


def _day(  # noqa: PLR0911, PLR0912 - one branch per kind of day
    found: _Reading,
    day_match: tuple[re.Match[str], str],
    local: datetime,
    calendar: WorkCalendar,
    end_of_work: time,
) -> bool:
    """Set the reading's day from the day words; False when they name no real day."""
    match, kind = day_match
    today = local.date()
    try:
        if kind == "ymd":
            found.day, found.kind = date(int(match[1]), int(match[2]), int(match[3])), "explicit"
        elif kind == "md":
            day = date(today.year, to_number(match[1]), to_number(match[2]))
            if day < today:  # next year's; in doubt unless it is only weeks away (1月5日 in Dec)
                day = day.replace(year=today.year + 1)
                found.doubt = "next_year" if (day - today).days > _SOON else None
            found.day, found.kind = day, "explicit"
        elif kind == "dom":
            n = to_number(match[1])
            month = date(today.year, today.month, 1)
            if n < today.day:
                month = (month + timedelta(days=31)).replace(day=1)
            found.day, found.kind = month.replace(day=n), "explicit"
    except ValueError:
        return False
    if kind in ("ymd", "md", "dom"):
        return True
    if kind == "festival":
        nth = to_number(match[2]) if match[2] else 1
        back = after_holiday(calendar, today, match[1], nth)
        if back is None:
            return False
        found.day, found.kind = back[0], "counted"
        found.doubt = found.doubt or ("far" if back[1] else None)
    elif kind.startswith("+"):
        found.day = today + timedelta(days=int(kind[1:]))
    elif kind == "month_end":
        found.day = date(today.year, today.month, monthrange(today.year, today.month)[1])
        found.kind, found.period_start = "month", today.replace(day=1)
    elif kind == "week_end":
        found.period_start = today - timedelta(days=today.weekday())
        found.day, found.kind = found.period_start + timedelta(days=6), "week"
    else:
        table, nxt = (
            (_CN_WEEKDAY, bool(match[1] and match[1].startswith("下")))
            if kind == "cnweek"
            else (_EN_WEEKDAY, bool(match[1] and match[1].lower().startswith("next")))
        )
        weekday = table[match[2] if kind == "cnweek" else match[2].lower()[:3]]
        _weekday(found, weekday, next_week=nxt, local=local, end_of_work=end_of_work)
    return True


def _weekday(
    found: _Reading, weekday: int, *, next_week: bool, local: datetime, end_of_work: time
) -> None:
    today = local.date()
    if next_week:
        found.day = today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
        return
    found.day = today + timedelta(days=(weekday - today.weekday()) % 7)
    moment = _moment(found.day, found.at or end_of_work, local, midnight=found.midnight)
    if found.day == today and moment <= local:
        found.day += timedelta(days=7)  # "周五前" said on a Friday evening: next Friday?
        found.doubt = found.doubt or "next_week"


def _time(  # noqa: PLR0911, PLR0912 - one branch per way of saying a time
    found: tuple[re.Match[str], str], calendar: WorkCalendar, end_of_work: time, *, evening: bool
) -> tuple[time, bool, str | None] | None:
    """(time, 24:00?, doubt) of the time words; None when they are not a time after all."""
    match, kind = found
    if kind == "off":
        return end_of_work, False, None
    if kind == "on":
        return calendar.hours[0][0], False, None
    if kind == "part":
        word = match[0].lower()
        if word == "晚上":
            return time(0), True, None
        return (end_of_work if word == "下午" else time(12)), False, None
    if kind == "hm":
        groups = match.groups()
        hour = int(groups[0])
        minute = int(groups[1]) if len(groups) == 3 else 0  # noqa: PLR2004 - with minutes
        suffix = (groups[-1] or "").lower()
        if (suffix == "pm" or evening) and hour < 12:  # noqa: PLR2004
            hour += 12
        if suffix == "am" and hour == 12:  # noqa: PLR2004
            hour = 0
        return _clock(hour, minute, None)
    part, half, minute_text = match[1], match[3], match[4]
    try:
        hour = to_number(match[2])
        minute = 30 if half == "半" else (to_number(minute_text) if minute_text else 0)
    except ValueError:
        return None
    doubt = None
    if part in _EVENING or (part is None and evening):
        if hour == 12 and part != "下午":  # noqa: PLR2004 - 晚上12点: midnight
            hour = 24
        elif hour < 12:  # noqa: PLR2004
            hour += 12
    elif part == "中午" and hour < 6:  # noqa: PLR2004 - 中午1点: 13:00
        hour += 12
    elif part is None and hour in _AMBIGUOUS_HOURS:
        hour, doubt = hour + 12, "am_pm"
    return _clock(hour, minute, doubt)


def _clock(hour: int, minute: int, doubt: str | None) -> tuple[time, bool, str | None] | None:
    if hour == 24 and minute == 0:  # noqa: PLR2004
        return time(0), True, doubt
    if not (0 <= hour <= 23 and 0 <= minute <= 59):  # noqa: PLR2004
        return None
    return time(hour, minute), False, doubt


def _moment(day: date, at: time, local: datetime, *, midnight: bool = False) -> datetime:
    if midnight:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return datetime.combine(day, at, tzinfo=local.tzinfo)
