"""Reading what people type: quantities ("500斤", "两千斤", "1.5万"), Chinese mobile numbers and
times ("10:00", "明天 10点", "2026-01-06 10:00", "现在").

Each function returns None when the text is not what it should be; the caller answers politely.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

__all__ = ["parse_amount", "parse_phone", "parse_quantity", "parse_when"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "兩": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7,
           "八": 8, "捌": 8, "九": 9, "玖": 9}  # fmt: skip
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_LARGE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，：", "0123456789.,:")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|.", re.S)
#: Weights in jin (斤), so that "3吨" or "50公斤" can be ordered of a product sold by the jin.
_WEIGHTS = {"斤": 1, "jin": 1, "公斤": 2, "千克": 2, "kg": 2, "吨": 2000, "噸": 2000, "t": 2000}
_UNIT_WORDS = re.compile(r"(公斤|千克|kg|jin|斤|吨|噸|t)\s*$", re.I)


def parse_amount(text: str) -> Decimal | None:
    """A number written with digits, Chinese numerals or both: "2,000", "两千", "1.5万",
    "一万五" (15,000), "三千五百". None when there is no number."""
    s = text.translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
    sign = -1 if s[:1] in ("-", "负", "負") else 1
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    last_unit = 0
    seen = False
    for tok in _TOKEN.findall(s):
        if tok[0].isdigit():
            try:
                number = Decimal(tok)
            except InvalidOperation:
                return None
            seen = True
        elif tok in _DIGITS:
            number = Decimal(_DIGITS[tok])
            if tok in "零〇":
                last_unit = 0  # "一千零五": the five is units, not hundreds
            seen = True
        elif tok in _SMALL:
            section += (number if number is not None else Decimal(1)) * _SMALL[tok]
            number, last_unit, seen = None, _SMALL[tok], True
        elif tok in _LARGE:
            section += number or 0
            total += section * _LARGE[tok]
            section, number, last_unit, seen = Decimal(0), None, _LARGE[tok], True
        elif seen:
            break  # the unit word after the number
    if not seen:
        return None
    if number is not None:
        # "两千五" is 2,500 and "一万五" 15,000: a bare digit after a unit is one unit lower
        if last_unit >= 100 and number < 10 and number == number.to_integral():
            number *= last_unit // 10
        section += number
    return sign * (total + section)


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


_NOW = {"现在", "現在", "立即", "马上", "馬上", "立刻", "now", "asap"}
_DAY_WORDS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2,
              "後天": 2}  # fmt: skip
_CLOCK = re.compile(r"(\d{1,2})\s*(?::|点|點|时|時)\s*(\d{1,2}|半)?\s*(?:分)?")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CN_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号號]")


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When to send: "现在"/"now", "10:00" (today, or tomorrow once past), "明天 10点",
    "下午3点", "2026-01-06 10:00", "1月6日 10:00". None when unreadable."""
    s = text.strip().lower().translate(_FULL_WIDTH)
    if s in _NOW:
        return now
    local = now.astimezone(tz)
    day: date | None = None
    for word, offset in _DAY_WORDS.items():
        if word in s:
            day = local.date() + timedelta(days=offset)
            s = s.replace(word, " ")
    if (m := _ISO_DAY.search(s)) is not None:
        day, s = _date(int(m[1]), int(m[2]), int(m[3])), s.replace(m[0], " ")
    elif (m := _CN_DAY.search(s)) is not None:
        day = _date(int(m[1] or local.year), int(m[2]), int(m[3]))
        s = s.replace(m[0], " ")
    clock = _CLOCK.search(s)
    if clock is None:
        return None
    hour = int(clock[1])
    minute = 30 if clock[2] == "半" else int(clock[2] or 0)
    if any(w in s for w in ("下午", "晚上", "pm")) and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    if day is None:
        at = datetime.combine(local.date(), time(hour, minute), tz)
        return at if at > now else at + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tz)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
