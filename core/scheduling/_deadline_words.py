"""The words of a deadline: the patterns `_deadline` looks for (days, times, spans, "after the
holiday") and the numbers in them, Arabic or Chinese (``十二``, ``两``, ``三``).

Chinese numerals are read by `cn2an` (a maintained library for exactly this), so ``一百零五``
and ``两`` need no table of ours.
"""

from __future__ import annotations

import re

import cn2an  # type: ignore[import-untyped]

__all__ = ["DAYS", "FESTIVALS", "NUM", "PREFIX", "RELATIVE", "SUFFIX", "TIMES", "to_number"]

NUM = r"[0-9零〇一二两三四五六七八九十百]+"

#: Spans counted from now: "三个工作日内", "两天内", "一周内", "2小时内".
RELATIVE = [
    (re.compile(rf"({NUM})\s*个?\s*工作日(?:之?内|以内)"), "workdays"),
    (re.compile(rf"({NUM})\s*(?:天|日)(?:之?内|以内)"), "days"),
    (re.compile(rf"({NUM})\s*个?\s*(?:周|星期|礼拜|禮拜)(?:之?内|以内)"), "weeks"),
    (re.compile(rf"({NUM})\s*(?:个)?\s*(?:小时|小時|钟头)(?:之?内|以内)"), "hours"),
    (re.compile(rf"({NUM})\s*分钟(?:之?内|以内)"), "minutes"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:working|business|work)\s+days?", re.I), "workdays"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+days?", re.I), "days"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+weeks?", re.I), "weeks"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:hours?|hrs?)", re.I), "hours"),
    (re.compile(r"(?:with)?in\s+(\d+)\s+(?:minutes?|mins?)", re.I), "minutes"),
]

#: The holidays people name, with the name the calendar gives them and, for a holiday the
#: calendar lists without a name, the dates it always falls between (month, day, month, day).
FESTIVALS = {
    "国庆": ("National Day", (10, 1, 10, 1)),
    "春节": ("Spring Festival", (1, 21, 2, 20)),
    "元旦": ("New Year's Day", (1, 1, 1, 1)),
    "清明": ("Tomb-sweeping Day", (4, 4, 4, 6)),
    "五一": ("Labour Day", (5, 1, 5, 1)),
    "劳动": ("Labour Day", (5, 1, 5, 1)),
    "端午": ("Dragon Boat Festival", (5, 28, 6, 25)),
    "中秋": ("Mid-autumn Festival", (9, 7, 10, 6)),
}
_FESTIVAL = r"国庆|春节|元旦|清明|五一|劳动|端午|中秋"

DAYS = [
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"), "ymd"),
    (re.compile(rf"({NUM})\s*月\s*({NUM})\s*[日号號]"), "md"),
    (re.compile(r"(?<![\d:])(\d{1,2})/(\d{1,2})(?![\d/])"), "md"),
    (re.compile(rf"(?<![\d月/.\-个個])({NUM})\s*[号號日](?!\s*[内內])"), "dom"),
    (
        re.compile(
            rf"(?:({_FESTIVAL})(?:节|節)?(?:假期|长假|長假)?|(?<![环環细細章关關调調季音])[节節]|假期|长假|長假|收假|放假)"
            rf"\s*(?:后|後|过后|過後|以后|以後|之后|之後)\s*(?:上班|返岗|开工|開工)?\s*"
            rf"(?:第\s*({NUM})\s*(?:个工作日|個工作日|天|日))?"
        ),
        "festival",
    ),
    (re.compile(r"大后天|大後天"), "+3"),
    (re.compile(r"后天|後天|day after tomorrow", re.I), "+2"),
    (re.compile(r"明天|明日|明早|明晚|tomorrow", re.I), "+1"),
    (re.compile(r"今天|今日|今早|今晚|today|tonight", re.I), "+0"),
    (
        re.compile(r"(下个?|本|这个?|這個?)?\s*(?:周|週|星期|礼拜|禮拜)([一二三四五六日天1-7])"),
        "cnweek",
    ),
    (re.compile(r"(next\s+|this\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.I), "enweek"),
    (re.compile(r"(?:本|这个?)?月底|月末|end of (?:the )?month", re.I), "month_end"),
    (
        re.compile(r"(?:本|这)周内|這週內|这周|本周|本週|end of (?:the )?week|\beow\b", re.I),
        "week_end",
    ),
    (re.compile(r"end of (?:the )?day|\beod\b|\bcob\b", re.I), "+0"),
]

TIMES = [
    (re.compile(r"下班(?:之前|以前|前)?|end of work|close of business", re.I), "off"),
    (re.compile(r"上班(?:之前|以前|前)?"), "on"),
    (re.compile(r"(\d{1,2}):(\d{2})\s*(am|pm)?", re.I), "hm"),
    (re.compile(r"(\d{1,2})\s*(am|pm)", re.I), "hm"),
    (
        re.compile(
            rf"(凌晨|早上|上午|中午|下午|傍晚|晚上|夜里)?\s*({NUM})\s*[点點时時]"
            rf"\s*(半|({NUM})\s*分?)?"
        ),
        "cn",
    ),
    (re.compile(r"上午|中午|下午|晚上|noon|midday", re.I), "part"),
]

#: Words around a phrase that belong to it: "明天下班前", "by Friday".
SUFFIX = re.compile(r"^\s*(?:之前|以前|前|为止|為止|之内|以内|内)")
PREFIX = re.compile(r"(?:\bby|\bbefore|\bdue|在)\s*$", re.I)


def to_number(text: str) -> int:
    """``12`` → 12, ``十二`` → 12, ``两`` → 2, ``二十`` → 20; ValueError for anything else."""
    if text.isdigit():
        return int(text)
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError) as error:
        message = f"not a number: {text!r}"
        raise ValueError(message) from error
