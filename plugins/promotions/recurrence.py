"""Recurring posts: what a seller types ("每天10:00 一周", "每周五 10点 到3月1日", "每个工作日
9点", "every Friday 10am until sold out"), or an expert's RRULE (``FREQ=WEEKLY;BYDAY=FR;COUNT=3``)
or cron (``0 10 * * 5``), read as a `Repeat`; and the times it posts at.

A series starts at its first send (the time asked before, or now); the time of day is the one
written ("每天10点"), else that of the first send. It ends after ``count`` posts, after the day
``until``, after a span ("一周": seven days from the first send), when the product is sold out,
when it is withdrawn, or at the plugin's ``max_occurrences``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .parse import ENGLISH_DAY, parse_amount, parse_clock, weekdays_in

__all__ = ["Repeat", "is_once", "looks_recurring", "parse_repeat", "rrule_times"]

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，：", "0123456789.,:")
_NUM = r"(\d+|[零一二两兩三四五六七八九十百]+)"
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "other": 2}  # fmt: skip
_EN_NUM = r"(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_ONCE = {"once", "only once", "just once", "no", "none", "one time", "不重复", "不重複", "只发一次",
         "只發一次", "一次", "不", "单次", "單次", "仅一次", "僅一次"}  # fmt: skip
_SOLD_OUT = re.compile(
    r"(?:直到|一直到|到|至)?\s*(?:售罄|卖完|賣完|售完|卖光|賣光|清仓|清倉)(?:为止|為止)?"
    r"|(?:until|till)\s+sold\s*out|while\s+stocks?\s+lasts?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = (r"(\d{4})-(\d{1,2})-(\d{1,2})|(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号號]?"
         r"|(\d{1,2})/(\d{1,2})|(" + "|".join(_MONTHS) + r")[a-z]*\.?\s*(\d{1,2})")  # fmt: skip
_UNTIL = re.compile(
    r"(?:直到|一直到|截止到|截止|截至|到|至|until|till|through|thru|to)\s*(?:" + _DATE + r")"
    r"\s*(?:为止|為止)?"
)
_COUNT = re.compile(
    rf"(共|一共|总共|總共|发|發|推送|推)?\s*{_NUM}\s*(?:次|遍|回|期)|{_EN_NUM}\s+times"
)
_IN_ALL = ("共", "一共", "总共", "總共")
_PER_PERIOD = re.compile(
    rf"(?:每|一)\s*(?:个|個)?\s*(?:天|日|周|週|星期|礼拜|禮拜|月)\s*{_NUM}\s*(?:次|遍|回)"
    rf"|{_EN_NUM}\s+times\s+(?:a|per|each)\s+(?:day|week|month)"
)
_SPAN = re.compile(
    rf"(?<![每隔\d月])(?:持续|持續|连续|連續)?\s*{_NUM}\s*(?:个|個)?\s*(周|週|星期|礼拜|禮拜|天|日|月)"
    rf"|for\s+{_EN_NUM}\s+(weeks?|days?|months?)"
)
_EVERY_N = re.compile(
    rf"每\s*(隔\s*)?{_NUM}\s*(?:个|個)?\s*(天|日|周|週|星期|礼拜|禮拜|月)"
    rf"|every\s+{_EN_NUM}\s+(days?|weeks?|months?)|every\s+other\s+(day|week|month)"
)
_FREQ = (
    ("workdays", re.compile(r"工作日|work\s*days?|week\s*days?|working\s+days?|business\s+days?")),
    ("daily", re.compile(r"每天|每日|天天|每一天|daily|every\s*day|each\s+day")),
    ("monthly", re.compile(r"每月|每个月|每個月|monthly|every\s+month|each\s+month")),
    ("biweekly", re.compile(r"隔周|隔週|双周|雙週|biweekly|fortnightly")),
    ("weekly", re.compile(r"每周|每週|每星期|每个星期|每個星期|每礼拜|每禮拜|每个礼拜|每個禮拜"
                          r"|weekly|every\s+week|each\s+week|每|\bevery\b")),
)  # fmt: skip
_WEEKDAY_WORDS = re.compile(
    r"(?:周|週|星期|礼拜|禮拜)[一二三四五六日天1-7](?:\s*(?:[、,，和及与與/]|到|至|-|~|～)?\s*"
    r"(?:周|週|星期|礼拜|禮拜)?[一二三四五六日天](?![点點时時]))*"
    r"|(?:every\s+|on\s+)?" + ENGLISH_DAY + r"(?:\s*(?:,|and)\s*)?"
)
_MONTH_DAYS = re.compile(
    r"(\d{1,2})\s*[号號日]|\bday\s+(\d{1,2})\b|\bthe\s+(\d{1,2})(?:st|nd|rd|th)"
)
_EVERY = re.compile(r"每|逢|\bevery\b|\beach\b|days\b")
_CRON_FIELD = re.compile(r"[\d*/,\-a-z?]+")


@dataclass(frozen=True, slots=True)
class Repeat:
    """How a post repeats. ``freq``: daily, weekly, monthly, workdays (the working days of the
    bot's calendar: holidays left out, make-up days in), rrule or cron (``rule``, as written)."""

    freq: str
    interval: int = 1
    #: weekly: weekdays (0 = Monday); monthly: days of the month. Empty: the first send's.
    days: tuple[int, ...] = ()
    #: The local time of day (hour, minute); None: the first send's.
    at: tuple[int, int] | None = None
    rule: str = ""
    count: int | None = None
    #: The last day (ISO, local) a post may go on; "" for none.
    until: str = ""
    span_days: int = 0
    span_months: int = 0
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Repeat:
        at = data.get("at")
        return cls(
            **{**data, "days": tuple(data.get("days") or ()), "at": tuple(at) if at else None}
        )

    @property
    def ends(self) -> bool:
        """Whether it ends by itself (else: when sold out, withdrawn, or at the limit)."""
        rule = self.rule.upper()
        return bool(self.count or self.until or self.span_days or self.span_months) or (
            self.freq == "rrule" and ("COUNT=" in rule or "UNTIL=" in rule)
        )


def is_once(text: str) -> bool:
    return text.strip().lower().rstrip("。.!！") in _ONCE


def looks_recurring(text: str) -> bool:
    """Whether a time the seller typed is a repetition ("每周五 10点"), not one moment."""
    s = text.lower().translate(_FULL_WIDTH)
    return "freq=" in s or _cron(s) is not None or any(p.search(s) for _, p in _FREQ)


def parse_repeat(text: str, today: date, *, bare_days: bool = True) -> Repeat | None:
    """`text` as a `Repeat`; None when it is not one. With `bare_days`, "周五 10点" is every
    Friday (the answer to "repeat how?"); else it needs a word like 每 or every."""
    raw = text.strip()
    s = raw.lower().translate(_FULL_WIDTH)
    if "freq=" in s:
        return _rrule(raw)
    cron = _cron(s)
    if cron is not None:
        ends = _ends(s[len(cron) :], today)
        return None if ends is None else replace(ends[0], freq="cron", rule=cron, text=raw)
    ends = None if _PER_PERIOD.search(s) else _ends(s, today)
    if ends is None:  # "每周3次" (three a week) is not one post a date: ask again
        return None
    found, s = ends
    days = tuple(weekdays_in(s))
    s = _WEEKDAY_WORDS.sub(" ", s)
    clock = parse_clock(s)
    if clock is not None:
        found, s = replace(found, at=clock[:2]), clock[2]
    freq, interval, s = _frequency(s)
    if freq is None and days and (bare_days or _EVERY.search(raw.lower())):
        freq = "weekly"  # 每周五 (the 每 went with the weekday), every friday, fridays
    if freq == "monthly":
        days = tuple(
            sorted({int(next(g for g in m.groups() if g)) for m in _MONTH_DAYS.finditer(s)})
        )
        s = _MONTH_DAYS.sub(" ", s)
        if any(not 1 <= d <= 31 for d in days):
            return None
    elif freq != "weekly":
        days = ()
    if freq is None or re.search(r"\d", s):  # a number left unread: better ask again
        return None
    return replace(found, freq=freq, interval=interval, days=days, text=raw)


def _number(word: str) -> int:
    word = word.strip()
    if word in _WORDS:
        return _WORDS[word]
    amount = parse_amount(word)
    return int(amount) if amount is not None and amount == amount.to_integral() else 0


def _ends(s: str, today: date) -> tuple[Repeat, str] | None:
    """The end phrases of `s` (count, until a day, for a span, until sold out) and the rest."""
    found = Repeat("")
    s = _SOLD_OUT.sub(" ", s)
    if (m := _UNTIL.search(s)) is not None:
        last = _until(m, today)
        if last is None:
            return None
        found, s = replace(found, until=last.isoformat()), s.replace(m[0], " ")
    for m in _COUNT.finditer(s):
        n = _number(m[2] or m[3])
        if n >= 2 or (n == 1 and m[1] in _IN_ALL):  # "推一次" is once each time, not in all
            found, s = replace(found, count=n), s.replace(m[0], " ")
        elif n == 1:
            s = s.replace(m[0], " ")
    if (m := _SPAN.search(s)) is not None:
        n, unit = _number(m[1] or m[3]), (m[2] or m[4])
        if n <= 0:
            return None
        if unit.startswith(("月", "month")):
            found = replace(found, span_months=n)
        else:
            found = replace(found, span_days=n * (1 if unit.startswith(("天", "日", "day")) else 7))
        s = s.replace(m[0], " ")
    return found, s


def _until(m: re.Match[str], today: date) -> date | None:
    g = m.groups()
    try:
        if g[0]:
            return date(int(g[0]), int(g[1]), int(g[2]))
        if g[4]:
            month, day, year = int(g[4]), int(g[5]), int(g[3] or 0)
        elif g[6]:
            month, day, year = int(g[6]), int(g[7]), 0
        else:
            month, day, year = _MONTHS.index(g[8][:3]) + 1, int(g[9]), 0
        last = date(year or today.year, month, day)
    except ValueError:
        return None
    if not year and last < today:  # "到3月1日" in December: next year's
        last = last.replace(year=last.year + 1)
    return last


def _frequency(s: str) -> tuple[str | None, int, str]:
    if (m := _EVERY_N.search(s)) is not None:
        if m[6]:  # every other day
            n, unit = 2, m[6]
        elif m[4]:  # every 2 weeks
            n, unit = _number(m[4]), m[5]
        else:  # 每两周; 每隔一天 is every other day
            n, unit = _number(m[2]) + (1 if m[1] else 0), m[3]
        freq = "daily" if unit[0] in "天日d" else "monthly" if unit[0] in "月m" else "weekly"
        return (freq, n, s.replace(m[0], " ")) if 1 <= n <= 366 else (None, 1, s)
    for name, pattern in _FREQ:
        if (m := pattern.search(s)) is not None:
            if name == "biweekly":
                return "weekly", 2, s.replace(m[0], " ")
            return name, 1, s.replace(m[0], " ")
    return None, 1, s


def _cron(s: str) -> str | None:
    """The cron expression `s` starts with ("0 10 * * 5 ..."), or None."""
    fields = s.split()
    if len(fields) < 5 or not all(_CRON_FIELD.fullmatch(f) for f in fields[:5]):
        return None
    if not any(c in "".join(fields[:5]) for c in "*/,"):
        return None
    from qunzhu.core import check_cron

    expr = " ".join(fields[:5])
    try:
        check_cron(expr)
    except ValueError:
        return None
    return expr


def _rrule(raw: str) -> Repeat | None:
    rule = re.sub(r"(?i)^\s*rrule:\s*", "", raw).strip()
    try:
        next(iter(rrule_times(rule, datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("UTC")))), None)
    except (ValueError, TypeError, KeyError):
        return None
    return Repeat("rrule", rule=rule, text=raw)


def rrule_times(rule: str, start: datetime) -> Iterator[datetime]:
    from dateutil.rrule import rrulestr

    try:
        return iter(rrulestr(rule, dtstart=start.replace(tzinfo=None)))
    except ValueError:  # UNTIL=...Z wants an aware start
        return iter(rrulestr(rule, dtstart=start))
