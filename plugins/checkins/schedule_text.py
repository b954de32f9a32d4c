"""Schedules as an admin types them in chat, and in words again for the confirmation.

``parse_days`` reads the days, and maybe the hours and a timezone: ``每周五``, ``周一、三、五``,
``周一至周五 8:30-17:30``, ``每个工作日``, ``每天``, ``隔周五``, ``每月最后一个周五``,
``每月1号``, ``every Friday 9am-6pm``, ``weekdays``, an RFC 5545 rule (``FREQ=WEEKLY;BYDAY=FR``)
or cron (``0 9 * * FRI``), and an IANA timezone (``Europe/Berlin``). ``parse_hours`` reads
``9:00-18:00``, ``9点到18点``, ``上午9点-下午6点``, ``9am-6pm``. Both raise `ValueError` on text
they cannot read; the dialog then asks again with an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from qunzhu.core import Translator, check_cron, check_timezone, to_number

from .config import Campaign, check_schedule, is_cron
from .texts import WEEKDAYS

__all__ = ["When", "describe", "hours_label", "parse_days", "parse_hours", "parse_one_time"]

_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_CN_DAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_CN_DAY.update({str(i): i - 1 for i in range(1, 8)})
_EN_DAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_HALF = r"(上午|早上|早晨|中午|下午|傍晚|晚上)?"
_TIME = (
    rf"{_HALF}\s*(?:(\d{{1,2}})\s*[:：]\s*(\d{{2}})"  # 9:00
    rf"|({_NUM})\s*[点點时時]\s*(半|{_NUM}\s*分?)?"  # 9点, 九点半, 9点30分
    r"|(\d{1,2})\s*(am|pm))\s*(am|pm)?"  # 9am
)
_BARE = rf"{_HALF}\s*(\d{{1,2}})"  # "9-18" where only hours are asked
_DASH = r"\s*(?:-|~|～|—|–|－|至|到|to|until)\s*"
_RANGE = re.compile(f"{_TIME}{_DASH}{_TIME}", re.I)
_BARE_RANGE = re.compile(rf"^{_BARE}{_DASH}{_BARE}$", re.I)
_ONE = re.compile(f"^{_TIME}$", re.I)
_ANY_TIME = re.compile(_TIME, re.I)
_ZONE = re.compile(r"\b(UTC|[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")
_CN_WEEK = re.compile(
    r"(?:周|週|星期|礼拜|禮拜)([一二三四五六日天七1-7](?:\s*[、,，和及与與/]?\s*[一二三四五六日天七1-7])*)"
)
_CN_SPAN = re.compile(
    r"(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7])\s*(?:至|到|-|~|～|—)\s*(?:周|週|星期|礼拜|禮拜)?([一二三四五六日天1-7])"
)
_EN_NAME = (
    r"(mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?)s?"
)
_EN_SPAN = re.compile(rf"\b{_EN_NAME}\s*(?:-|–|to|through)\s*{_EN_NAME}\b", re.I)
_EN_WEEK = re.compile(rf"\b{_EN_NAME}\b", re.I)
_EVERY_OTHER = re.compile(
    r"隔周|隔週|双周|雙週|每两周|每兩週|每2周|every other|every 2 weeks|biweekly|fortnightly", re.I
)
_WORKDAYS = re.compile(r"工作日|weekdays?|work\s*days?|working days?", re.I)
_DAILY = re.compile(r"每天|每日|天天|daily|every day", re.I)
_MONTH_LAST = re.compile(
    r"每月最后一个|每月最後一個|每月最后一|每月最後一|last\b.*\bof (?:the|every|each) month", re.I
)
_MONTH_FIRST = re.compile(
    r"每月第一个|每月第一個|每月第一|每月首个|first\b.*\bof (?:the|every|each) month", re.I
)
_MONTH_DAY = re.compile(
    rf"每(?:个)?月\s*({_NUM})\s*[号號日]|day (\d{{1,2}}) of (?:the|every|each) month", re.I
)
_MONTH_END = re.compile(
    r"每月(?:底|末|最后一天|最後一天)|last day of (?:the|every|each) month", re.I
)


@dataclass(frozen=True, slots=True)
class When:
    """What the days step understood: the schedule, and the hours and timezone if given."""

    schedule: str
    opens: str | None = None
    closes: str | None = None
    timezone: str | None = None
    cron: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "schedule": self.schedule,
            "opens": self.opens,
            "closes": self.closes,
            "timezone": self.timezone,
            "cron": self.cron,
        }


def _clock(half: str | None, hour: int, minute: int, ampm: str | None) -> time:
    if ampm and ampm.lower() == "pm" and hour < 12:
        hour += 12
    if ampm and ampm.lower() == "am" and hour == 12:
        hour = 0
    if half in ("下午", "傍晚", "晚上") and hour < 12:
        hour += 12
    if half == "中午" and hour < 6:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        message = "not a time of day"
        raise ValueError(message)
    return time(hour, minute)


def _time_of(groups: tuple[str | None, ...]) -> time:
    half, hh, mm, cn_hour, cn_minute, en_hour, en_ampm, ampm = groups
    if hh is not None:
        return _clock(half, int(hh), int(mm or 0), ampm)
    if cn_hour is not None:
        minute = 30 if cn_minute == "半" else to_number(cn_minute.rstrip("分 ")) if cn_minute else 0
        return _clock(half, to_number(cn_hour), minute, ampm)
    return _clock(half, int(en_hour or 0), 0, en_ampm or ampm)


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def _checked(opens: time, closes: time) -> tuple[str, str]:
    if opens == closes:
        message = "a check-in cannot open and close at the same time"
        raise ValueError(message)
    return _hhmm(opens), _hhmm(closes)


def parse_hours(text: str) -> tuple[str, str]:
    """``9:00-18:00`` → ("09:00", "18:00"); a closing time earlier than the opening one is on the
    next day."""
    cleaned = text.strip()
    bare = _BARE_RANGE.match(cleaned)
    if bare is not None:
        return _checked(
            _clock(bare[1], int(bare[2]), 0, None), _clock(bare[3], int(bare[4]), 0, None)
        )
    found = _RANGE.fullmatch(cleaned)
    if found is None:
        message = f"{text!r}: no opening and closing time"
        raise ValueError(message)
    groups = found.groups()
    return _checked(_time_of(groups[:8]), _time_of(groups[8:]))


def parse_one_time(text: str) -> str:
    """``18:00``, ``下午6点``, ``6pm`` → "18:00"."""
    found = _ONE.match(text.strip())
    if found is None:
        bare = re.fullmatch(r"\d{1,2}", text.strip())
        if bare is None:
            message = f"{text!r} is not a time of day"
            raise ValueError(message)
        return _hhmm(_clock(None, int(text), 0, None))
    return _hhmm(_time_of(found.groups()))


def parse_days(text: str) -> When:
    """The days (and maybe the hours and the timezone) an admin typed."""
    rest = text.strip()
    zone = None
    found_zone = _ZONE.search(rest)
    if found_zone is not None and _is_zone(found_zone[1]):
        zone = found_zone[1]
        rest = (rest[: found_zone.start()] + rest[found_zone.end() :]).strip()
    if "FREQ=" in rest.upper():
        return When(check_schedule(rest.upper().removeprefix("RRULE:")), timezone=zone)
    if is_cron(rest) and all(re.fullmatch(r"[\d*/,\-]+", f) for f in rest.split()[:2]):
        check_cron(rest)
        return When(rest, timezone=zone, cron=True)
    opens = closes = None
    span = _RANGE.search(rest)
    if span is not None:
        groups = span.groups()
        opens, closes = _checked(_time_of(groups[:8]), _time_of(groups[8:]))
        rest = (rest[: span.start()] + " " + rest[span.end() :]).strip()
    elif _ANY_TIME.search(rest):
        message = f"{text!r}: give the opening and the closing time"
        raise ValueError(message)
    return When(_rule(rest), opens, closes, zone)


def _is_zone(name: str) -> bool:
    try:
        check_timezone(name)
    except ValueError:
        return False
    return True


def _rule(text: str) -> str:
    lowered = text.lower()
    if _MONTH_END.search(text):
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    month_day = _MONTH_DAY.search(text)
    if month_day is not None:
        day = to_number(month_day[1]) if month_day[1] else int(month_day[2])
        if not 1 <= day <= 31:
            message = "no such day of the month"
            raise ValueError(message)
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    days = _weekdays(text)
    if _MONTH_LAST.search(text) and len(days) == 1:
        return f"FREQ=MONTHLY;BYDAY=-1{_CODES[days[0]]}"
    if _MONTH_FIRST.search(text) and len(days) == 1:
        return f"FREQ=MONTHLY;BYDAY=1{_CODES[days[0]]}"
    if not days and _WORKDAYS.search(lowered):
        days = [0, 1, 2, 3, 4]
    if not days and _DAILY.search(lowered):
        return "FREQ=DAILY"
    if not days:
        message = f"{text!r}: no days found"
        raise ValueError(message)
    interval = ";INTERVAL=2" if _EVERY_OTHER.search(text) else ""
    return f"FREQ=WEEKLY{interval};BYDAY={','.join(_CODES[d] for d in days)}"


def _weekdays(text: str) -> list[int]:
    days: set[int] = set()
    for span in [*_CN_SPAN.finditer(text)]:
        first, last = _CN_DAY[span[1]], _CN_DAY[span[2]]
        days.update(range(first, last + 1) if first <= last else ())
    for span in _EN_SPAN.finditer(text):
        first, last = _EN_DAY[span[1].lower()[:3]], _EN_DAY[span[2].lower()[:3]]
        days.update(range(first, last + 1) if first <= last else ())
    if not days:
        for run in _CN_WEEK.finditer(text):
            days.update(_CN_DAY[ch] for ch in run[1] if ch in _CN_DAY)
        days.update(_EN_DAY[m[1].lower()[:3]] for m in _EN_WEEK.finditer(text))
    return sorted(days)


# -- in words ----------------------------------------------------------------------------------
def _parts(rule: str) -> dict[str, str]:
    pairs = (p.partition("=") for p in rule.upper().split(";"))
    return {k.strip(): v.strip() for k, _, v in pairs}


def _days(t: Translator, codes: str) -> str:
    names = [t(WEEKDAYS[_CODES.index(c)]) for c in codes.split(",") if c in _CODES]
    return t(", ").join(names)


def describe(t: Translator, campaign: Campaign) -> str:
    """``每周五`` / ``every Fri``; a rule or cron it has no words for is shown as it is."""
    schedule = campaign.schedule
    words = None
    if not is_cron(schedule) and "DTSTART" not in schedule.upper():
        parts = _parts(schedule.removeprefix("RRULE:"))
        if not set(parts) - {"FREQ", "BYDAY", "INTERVAL", "BYMONTHDAY"}:
            words = _weekly(t, parts) or _monthly(t, parts)
    return words or t("schedule {rule}", rule=schedule)


def _weekly(t: Translator, parts: dict[str, str]) -> str | None:
    freq, byday, interval = parts.get("FREQ"), parts.get("BYDAY", ""), parts.get("INTERVAL", "1")
    if freq == "DAILY" and interval == "1" and not byday:
        return t("every day")
    if freq != "WEEKLY" or not byday or not all(c in _CODES for c in byday.split(",")):
        return None
    if interval == "2":
        return t("every other {days}", days=_days(t, byday))
    if interval != "1":
        return None
    if byday == "MO,TU,WE,TH,FR":
        return t("every working day")
    return t("every {days}", days=_days(t, byday))


def _monthly(t: Translator, parts: dict[str, str]) -> str | None:
    if parts.get("FREQ") != "MONTHLY" or parts.get("INTERVAL", "1") != "1":
        return None
    day, byday = parts.get("BYMONTHDAY"), parts.get("BYDAY", "")
    if day == "-1":
        return t("on the last day of every month")
    if day and day.isdigit():
        return t("on day {day} of every month", day=int(day))
    code = byday.removeprefix("-1").removeprefix("1")
    if code not in _CODES or byday == code:
        return None
    if byday.startswith("-1"):
        return t("on the last {day} of every month", day=_days(t, code))
    return t("on the first {day} of every month", day=_days(t, code))


def hours_label(campaign: Campaign) -> str:
    """``09:00–18:00``; ``–18:00`` when the schedule's own (cron) time opens it."""
    return f"{campaign.opens or ''}–{campaign.closes}"
