"""Deadlines as people write them: ``明天下班前``, ``周五前``, ``周五12点``, ``3天内``,
``3个工作日内``, ``2026-12-01 18:00``, ``12月1日``, ``tomorrow 6pm``, ``by Friday``,
``within 2 hours``, ``end of day``.

`find_deadline` looks for such a phrase anywhere in a task's text and returns the moment and the
text without it. A day without a time means the end of work that day ("下班": the end of the
calendar's working hours, or ``tasks.end_of_work``); a weekday means the next such day (today
when it is that day); ``下周五`` / ``next Friday`` is the Friday of next week.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qunzhu.core import WorkCalendar

__all__ = ["Deadline", "find_deadline", "to_number"]

_NUM = r"[0-9零〇一二两三四五六七八九十]+"
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_WEEKDAY = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
_EN_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

_RELATIVE = [
    (re.compile(rf"({_NUM})\s*个?\s*工作日(?:之?内|以内)"), "workdays"),
    (re.compile(rf"({_NUM})\s*(?:天|日)(?:之?内|以内)"), "days"),
    (re.compile(rf"({_NUM})\s*(?:个)?\s*(?:小时|小時|钟头)(?:之?内|以内)"), "hours"),
    (re.compile(rf"({_NUM})\s*分钟(?:之?内|以内)"), "minutes"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:working|business|work)\s+days?", re.I), "workdays"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+days?", re.I), "days"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:hours?|hrs?)", re.I), "hours"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:minutes?|mins?)", re.I), "minutes"),
]
_DAYS = [
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"), "ymd"),
    (re.compile(rf"({_NUM})\s*月\s*({_NUM})\s*[日号]"), "md"),
    (re.compile(r"(?<![\d:])(\d{1,2})/(\d{1,2})(?![\d/])"), "md"),
    (re.compile(r"大后天"), "+3"),
    (re.compile(r"后天|後天|day after tomorrow", re.I), "+2"),
    (re.compile(r"明天|明日|明早|明晚|tomorrow", re.I), "+1"),
    (re.compile(r"今天|今日|今早|今晚|today|tonight", re.I), "+0"),
    (
        re.compile(r"(下个?|本|这个?|這個?)?\s*(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7])"),
        "cnweek",
    ),
    (re.compile(r"(next\s+|this\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.I), "enweek"),
    (re.compile(r"(?:本|这个?)?月底|月末|end of (?:the )?month", re.I), "month_end"),
    (re.compile(r"(?:本|这)周内|这周|本周|end of (?:the )?week|\beow\b", re.I), "week_end"),
    (re.compile(r"end of (?:the )?day|\beod\b|\bcob\b", re.I), "+0"),
]
_TIMES = [
    (re.compile(r"下班(?:之前|以前|前)?|end of work|close of business", re.I), "off"),
    (re.compile(r"上班(?:之前|以前|前)?"), "on"),
    (re.compile(r"(\d{1,2}):(\d{2})\s*(am|pm)?", re.I), "hm"),
    (re.compile(r"(\d{1,2})\s*(am|pm)", re.I), "hm"),
    (
        re.compile(rf"(上午|早上|中午|下午|晚上)?\s*({_NUM})\s*[点點时時]\s*(半|({_NUM})\s*分?)?"),
        "cn",
    ),
    (re.compile(r"中午|noon|midday", re.I), "noon"),
]
_SUFFIX = re.compile(r"^\s*(?:之前|以前|前|为止|為止|之内|以内|内)")
_PREFIX = re.compile(r"(?:\bby|\bbefore|\bdue|在)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Deadline:
    due: datetime
    phrase: str
    rest: str


def to_number(text: str) -> int:
    """``12`` → 12, ``十二`` → 12, ``三`` → 3, ``二十`` → 20."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _DIGITS[ch]
    return value


def find_deadline(
    text: str, now: datetime, tz: ZoneInfo, calendar: WorkCalendar, end_of_work: time
) -> Deadline | None:
    """The first deadline phrase in `text`, or None when there is none."""
    local = now.astimezone(tz)
    found = _relative(text, local, calendar, end_of_work)
    if found is None:
        found = _absolute(text, local, end_of_work, calendar)
    if found is None:
        return None
    start, end, due = found
    suffix = _SUFFIX.match(text[end:])
    if suffix:
        end += suffix.end()
    prefix = _PREFIX.search(text[:start])
    if prefix:
        start = prefix.start()
    rest = (text[:start] + " " + text[end:]).strip(" ，,。:：")
    return Deadline(due.astimezone(now.tzinfo), text[start:end].strip(), " ".join(rest.split()))


def _relative(
    text: str, local: datetime, calendar: WorkCalendar, end_of_work: time
) -> tuple[int, int, datetime] | None:
    for pattern, kind in _RELATIVE:
        match = pattern.search(text)
        if match is None:
            continue
        n = to_number(match.group(1))
        if kind == "hours":
            return match.start(), match.end(), local + timedelta(hours=n)
        if kind == "minutes":
            return match.start(), match.end(), local + timedelta(minutes=n)
        if kind == "workdays":
            day = calendar.next_workday(local.date(), n)
        else:
            day = local.date() + timedelta(days=n)
        return match.start(), match.end(), _at(day, end_of_work, local)
    return None


def _absolute(
    text: str, local: datetime, end_of_work: time, calendar: WorkCalendar
) -> tuple[int, int, datetime] | None:
    day_match = None
    for pattern, kind in _DAYS:
        match = pattern.search(text)
        if match and (day_match is None or match.start() < day_match[0].start()):
            day_match = (match, kind)
    time_match = None
    search_from = day_match[0].end() if day_match else 0
    for pattern, kind in _TIMES:
        match = pattern.search(text, search_from)
        if match is None or (day_match and text[search_from : match.start()].strip()):
            continue
        if time_match is None or match.start() < time_match[0].start():
            time_match = (match, kind)
    if day_match is None and time_match is None:
        return None
    at = _time(time_match, end_of_work, calendar) if time_match else end_of_work
    if day_match is not None:
        day = _day(day_match[0], day_match[1], local.date(), at, local)
        if day is None:
            return None
        start = day_match[0].start()
    else:
        day = local.date()
        assert time_match is not None
        start = time_match[0].start()
        if _at(day, at, local) <= local and time_match[1] != "off":
            day += timedelta(days=1)  # "6pm" said at 19:00: tomorrow's
    end = time_match[0].end() if time_match else day_match[0].end()  # type: ignore[index]
    return start, end, _at(day, at, local)


def _day(  # noqa: PLR0911 - one return per kind of day
    match: re.Match[str], kind: str, today: date, at: time, local: datetime
) -> date | None:
    try:
        if kind == "ymd":
            return date(int(match[1]), int(match[2]), int(match[3]))
        if kind == "md":
            found = date(today.year, to_number(match[1]), to_number(match[2]))
            return found if found >= today else date(today.year + 1, found.month, found.day)
    except ValueError:
        return None
    if kind.startswith("+"):
        return today + timedelta(days=int(kind[1:]))
    if kind == "month_end":
        return date(today.year, today.month, monthrange(today.year, today.month)[1])
    if kind == "week_end":
        return today + timedelta(days=max(4 - today.weekday(), 0))
    if kind == "cnweek":
        nxt = bool(match[1] and match[1].startswith("下"))
        return _weekday(today, _CN_WEEKDAY[match[2]], next_week=nxt, at=at, local=local)
    nxt = bool(match[1] and match[1].lower().startswith("next"))
    return _weekday(today, _EN_WEEKDAY[match[2].lower()[:3]], next_week=nxt, at=at, local=local)


def _weekday(today: date, weekday: int, *, next_week: bool, at: time, local: datetime) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    day = today + timedelta(days=ahead)
    if ahead == 0 and _at(day, at, local) <= local:
        day += timedelta(days=7)
    return day


def _time(found: tuple[re.Match[str], str], end_of_work: time, calendar: WorkCalendar) -> time:
    match, kind = found
    if kind == "off":
        return end_of_work
    if kind == "on":
        return calendar.hours[0][0]
    if kind == "noon":
        return time(12)
    if kind == "hm":
        hour = int(match[1])
        minute = (
            int(match[2])
            if match.lastindex and match.lastindex >= 2 and match[2] and match[2].isdigit()
            else 0
        )
        suffix = (match[match.lastindex] or "").lower() if match.lastindex else ""
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        return time(min(hour, 23), min(minute, 59))
    part, hour_text, half, minute_text = match[1], match[2], match[3], match[4]
    hour = to_number(hour_text)
    minute = 30 if half == "半" else (to_number(minute_text) if minute_text else 0)
    if part in ("下午", "晚上") and hour < 12:
        hour += 12
    return time(min(hour, 23), min(minute, 59))


def _at(day: date, at: time, local: datetime) -> datetime:
    tz = local.tzinfo
    return datetime.combine(day, at, tzinfo=tz)
