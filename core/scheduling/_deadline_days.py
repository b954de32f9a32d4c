"""Holidays in deadlines: the day "节后第一天" (国庆节后, 春节后上班第一天…) means, and the words
that say why a day is a day off ("国庆假期", "周六") when a deadline moves, with the deadline
as the bot writes it (``10月8日（周四） 17:30``, ``24:00`` for 今晚12点).

A holiday is a run of days off that the calendar names (`WorkCalendar.holiday_name`): the ``cn``
preset's official holidays, or the config's own ``calendar.holidays`` (unnamed: a named festival
then matches by the dates it always falls between, as 春节 between 21 January and 20 February).

The texts are the core's (``t.core``): the same words in every plugin that shows a deadline.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qunzhu.core.i18n._catalogs import N_, Translator
from qunzhu.core.scheduling._deadline_words import FESTIVALS
from qunzhu.core.scheduling._workdays import WorkCalendar

__all__ = ["after_holiday", "day_off_note", "day_off_reason", "due_label", "moved_note"]

_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))

#: How far ahead "节后" looks for a holiday, and from when the holiday meant is in doubt.
_HORIZON = 120
_NEAR = 30

_PUBLIC_HOLIDAY = N_("a public holiday")
_REASONS = {
    "National Day": N_("the National Day holiday"),
    "Spring Festival": N_("the Spring Festival holiday"),
    "New Year's Day": N_("the New Year holiday"),
    "Tomb-sweeping Day": N_("the Qingming holiday"),
    "Labour Day": N_("the Labour Day holiday"),
    "Dragon Boat Festival": N_("the Dragon Boat Festival holiday"),
    "Mid-autumn Festival": N_("the Mid-autumn Festival holiday"),
}


def after_holiday(
    calendar: WorkCalendar, today: date, festival: str | None, nth: int = 1
) -> tuple[date, bool] | None:
    """The `nth` working day after the holiday (the one under way or the next; the next
    `festival`, a key of `FESTIVALS`, when one is named), and whether that holiday is more than a
    month away (then the reading is in doubt). None when no such holiday is in sight."""
    day = today
    for _ in range(_HORIZON):
        name = calendar.holiday_name(day)
        if name is not None and _is(festival, name, day):
            return calendar.next_workday(day, max(nth, 1)), (day - today).days > _NEAR
        day += timedelta(days=1)
    return None


def _is(festival: str | None, name: str, day: date) -> bool:
    if festival is None:
        return True
    known, (m1, d1, m2, d2) = FESTIVALS[festival]
    if name:
        return name == known
    return (m1, d1) <= (day.month, day.day) <= (m2, d2)


def day_off_reason(t: Translator, calendar: WorkCalendar, day: date) -> str:
    """``国庆假期``, ``节假日`` or the weekday (``周六``): why `day` is not a working day."""
    return _holiday_or(t, calendar, day, _WEEKDAYS[day.weekday()])


def _holiday_or(t: Translator, calendar: WorkCalendar, day: date, otherwise: str) -> str:
    name = calendar.holiday_name(day)
    return t.core(otherwise if name is None else _REASONS.get(name, _PUBLIC_HOLIDAY))


def moved_note(
    t: Translator, calendar: WorkCalendar, said: date, due: datetime, today: date
) -> str:
    """``明天是国庆假期，期限定为 10月8日（周四） 17:30。``: why a deadline is not the day said."""
    day, reason = _day_and_reason(t, calendar, said, today)
    return t.core(
        "{day} is {reason}; the deadline is {when}.",
        day=day,
        reason=reason,
        when=due_label(t, due, calendar.tz),
    )


def day_off_note(t: Translator, calendar: WorkCalendar, said: date, today: date) -> str:
    """``10月3日（周六）是国庆假期。``, ``明天是周六。``: why the day said is not taken as it is,
    before the deadline is asked back."""
    day, reason = _day_and_reason(t, calendar, said, today)
    return t.core("{day} is {reason}.", day=day, reason=reason)


def _day_and_reason(
    t: Translator, calendar: WorkCalendar, said: date, today: date
) -> tuple[str, str]:
    words = {0: N_("Today"), 1: N_("Tomorrow"), 2: N_("The day after tomorrow")}
    gap = (said - today).days
    if gap in words:
        return t.core(words[gap]), day_off_reason(t, calendar, said)
    # the label shows the weekday already: "1月31日（周六）是休息日"
    return _day_label(t, said), _holiday_or(t, calendar, said, N_("a day off"))


def due_label(t: Translator, moment: datetime, tz: ZoneInfo) -> str:
    """``10月8日（周四） 17:30``; midnight is ``24:00`` of the day before (今晚12点)."""
    local = moment.astimezone(tz)
    if local.time() == time(0):
        day = local.date() - timedelta(days=1)
        return t.core("{day} {time}", day=_day_label(t, day), time="24:00")
    return t.core("{day} {time}", day=_day_label(t, local.date()), time=local.strftime("%H:%M"))


def _day_label(t: Translator, day: date) -> str:
    """``10月8日（周四）`` / ``Thu 10/8``."""
    weekday = t.core(_WEEKDAYS[day.weekday()])
    return t.core("{weekday} {month}/{day}", weekday=weekday, month=day.month, day=day.day)
