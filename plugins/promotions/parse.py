"""Reading what people type: quantities ("500斤", "两千斤", "1.5万"), Chinese mobile numbers and
times ("10:00", "明天 10点", "2026-01-06 10:00", "现在").

Each function returns None when the text is not what it should be; the caller answers politely.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

__all__ = [
    "ENGLISH_DAY",
    "ENGLISH_DAYS",
    "NOW_WORDS",
    "WEEKDAY_WORDS",
    "parse_amount",
    "parse_clock",
    "parse_phone",
    "parse_quantity",
    "parse_when",
    "weekdays_in",
]

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，：", "0123456789.,:")
#: Weights in jin (斤), so that "3吨" or "50公斤" can be ordered of a product sold by the jin.
_WEIGHTS = {"斤": 1, "jin": 1, "公斤": 2, "千克": 2, "kg": 2, "吨": 2000, "噸": 2000, "t": 2000}
_UNIT_WORDS = re.compile(r"(公斤|千克|kg|jin|斤|吨|噸|t)\s*$", re.I)


def parse_amount(text: str) -> Decimal | None:
    """The number a text starts with, written with digits, Chinese numerals or both: "2,000",
    "两千", "1.5万", "一万五" (15,000), "三千五百斤" (the unit after it is left). None when it
    starts with no number, or a negative one. Read by `quantity.read_number` (cn2an): one reader
    of numbers in the plugin."""
    from .quantity import leading_number

    return leading_number(text)


def parse_quantity(text: str, unit: str) -> int | None:
    """A whole, positive quantity of `unit` ("500", "500斤", "两千斤", "1.5万斤"); weights in
    斤/公斤/吨 are converted when `unit` is one of them. None when unreadable, zero or not whole."""
    s = text.strip().translate(_FULL_WIDTH)
    factor = Decimal(1)
    match = _UNIT_WORDS.search(s)
    if match is not None and unit.lower() in _WEIGHTS:
        factor = Decimal(_WEIGHTS[match.group(1).lower()]) / _WEIGHTS[unit.lower()]
        s = s[: match.start()]
    elif s.endswith(unit):
        s = s[: -len(unit)]
    amount = parse_amount(s)
    if amount is None:
        return None
    amount *= factor
    if amount <= 0 or amount != amount.to_integral():
        return None
    return int(amount)


_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def parse_phone(text: str) -> str | None:
    """A mainland China mobile number (11 digits, 1[3-9]...), with or without +86, spaces and
    dashes; returned as its 11 digits."""
    s = _PHONE_NOISE.sub("", text.translate(_FULL_WIDTH))
    for prefix in ("+86", "0086", "86"):
        if s.startswith(prefix) and len(s) == len(prefix) + 11:
            s = s[len(prefix) :]
    return s if re.fullmatch(r"1[3-9]\d{9}", s) else None


NOW_WORDS = {"现在", "現在", "立即", "马上", "馬上", "立刻", "now", "asap"}
_DAY_WORDS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2,
              "後天": 2}  # fmt: skip
_CN_NUM = "零〇一二两兩三四五六七八九十"
_CLOCK = re.compile(
    rf"(\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*(?::|点钟|點鐘|点|點|时|時)\s*(\d{{1,2}}|半|[{_CN_NUM}]{{1,3}})?\s*"
    r"(?:分)?|(\d{1,2})(?::(\d{2}))?\s*(am|pm)"
)
_AFTERNOON = ("下午", "晚上", "傍晚", "pm")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CN_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号號]")
#: Weekday words, Monday first: 一 (周一), "mon", "monday".
WEEKDAY_WORDS = {"一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4,
                 "5": 4, "六": 5, "6": 5, "日": 6, "天": 6, "七": 6, "7": 6}  # fmt: skip
ENGLISH_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: An English weekday ("fri", "friday", "fridays"; not "month").
ENGLISH_DAY = (r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed"
               r"|thurs|thur|thu|fri|sat|sun)s?\b")  # fmt: skip
_WEEKDAY = re.compile(
    r"(下下|下个|下個|下|这个|這個|这|這|本)?\s*(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7])"
    r"|(next\s+)?" + ENGLISH_DAY
)


def parse_clock(text: str) -> tuple[int, int, str] | None:
    """A time of day in `text` ("10:00", "10点半", "下午3点", "十点", "3pm"): (hour, minute,
    the text without it). None when there is none or it is not a time."""
    s = text.lower().translate(_FULL_WIDTH)
    m = _CLOCK.search(s)
    if m is None:
        return None
    if m[5]:  # 3pm, 10:30am
        hour, minute = int(m[3]), int(m[4] or 0)
        hour = hour % 12 + (12 if m[5] == "pm" else 0) if hour <= 12 else 99
    else:
        hour = _small(m[1])
        minute = 30 if m[2] == "半" else _small(m[2]) if m[2] else 0
        before = s[: m.start()]
        if (any(w in before for w in _AFTERNOON) and hour < 12) or ("中午" in before and hour < 6):
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return hour, minute, s[: m.start()] + " " + s[m.end() :]


def _small(number: str) -> int:
    """ "10" or "十": 10."""
    return int(number) if number.isdigit() else int(parse_amount(number) or 0)


def weekdays_in(text: str) -> list[int]:
    """The weekdays named in `text` (0 = Monday), in order: "周一、三、五", "周一到周五",
    "mondays and fridays"."""
    s = text.lower().translate(_FULL_WIDTH)
    days: list[int] = []
    for m in re.finditer(r"(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7](?:\s*[、,，和及与與/]?\s*"
                         r"[一二三四五六日天](?![点點时時]))*)"
                         r"(?:\s*(?:到|至|-|~|～)\s*(?:周|週|星期|礼拜|禮拜)?([一二三四五六日天1-7]))?",
                         s):  # fmt: skip
        named = [WEEKDAY_WORDS[c] for c in m[1] if c in WEEKDAY_WORDS]
        if m[2]:  # 周一到周五: a range
            named = list(range(named[0], WEEKDAY_WORDS[m[2]] + 1)) if named else []
        days += named
    for m in re.finditer(ENGLISH_DAY, s):
        days.append(ENGLISH_DAYS.index(m[1][:3]))
    return list(dict.fromkeys(days))


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When to send: "现在"/"now", "10:00" (today, or tomorrow once past), "明天 10点",
    "下午3点", "周五 10点" (the coming Friday), "下周三 9点", "2026-01-06 10:00", "1月6日
    10:00". None when unreadable."""
    s = text.strip().lower().translate(_FULL_WIDTH)
    if s in NOW_WORDS:
        return now
    local = now.astimezone(tz)
    day, coming, s = _day(s, local.date())
    clock = parse_clock(s)
    if isinstance(day, bool) or clock is None:  # False: not a real date
        return None
    hour, minute, _ = clock
    at = datetime.combine(day or local.date(), time(hour, minute), tz)
    if at <= now and (day is None or coming):
        # 8:00 at 9:00: tomorrow; 周一 8点 on a Monday at 9:00: next Monday
        return at + timedelta(days=1 if day is None else 7)
    return at


def _day(s: str, today: date) -> tuple[date | None | bool, bool, str]:
    """The day `s` names (None: none; False: not a real date), whether it is a weekday word
    naming the coming one, and `s` without it."""
    day: date | None = None
    for word, offset in _DAY_WORDS.items():
        if word in s:
            day = today + timedelta(days=offset)
            s = s.replace(word, " ")
    if (m := _ISO_DAY.search(s)) is not None:
        return _date(int(m[1]), int(m[2]), int(m[3])) or False, False, s.replace(m[0], " ")
    if (m := _CN_DAY.search(s)) is not None:
        found = _date(int(m[1] or today.year), int(m[2]), int(m[3]))
        return found or False, False, s.replace(m[0], " ")
    if (m := _WEEKDAY.search(s)) is not None:
        return _weekday(today, m), not (m[1] or m[3]), s.replace(m[0], " ")
    return day, False, s


def _weekday(today: date, m: re.Match[str]) -> date:
    """The day a weekday word names: the coming one (today included), or in the next week."""
    wanted = WEEKDAY_WORDS[m[2]] if m[2] else ENGLISH_DAYS.index(m[4][:3])
    ahead = (wanted - today.weekday()) % 7
    word = m[1] or ""
    if word.startswith("下") or m[3]:  # 下周三: Wednesday of the next week
        monday = today - timedelta(days=today.weekday())
        weeks = 2 if word.startswith("下下") else 1
        return monday + timedelta(days=7 * weeks + wanted)
    return today + timedelta(days=ahead)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
