"""Words and formats shared by the messages: labels of states and sources, times, places."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qunzhu.core import N_, Translator, WorkCalendar, aware

from .config import ComplaintsConfig
from .states import LABELS

__all__ = [
    "SOURCES",
    "category_name",
    "overdue_amount",
    "place",
    "status_label",
    "status_line",
    "when",
]

SOURCES = {
    "group": N_("group message"),
    "private": N_("private report"),
    "command": N_("filed by an official"),
    "hotline": N_("12345 hotline"),
}


def status_label(t: Translator, status: str) -> str:
    return t(LABELS.get(status, status))


def status_line(t: Translator, status: str, department: str) -> str:
    """``状态：已派单 · 住建局``; without a department just the state (it says "not routed")."""
    if not department:
        return t("Status: {status}", status=status_label(t, status))
    return t(
        "Status: {status} · {department}", status=status_label(t, status), department=department
    )


def category_name(config: ComplaintsConfig, key: str, lang: str) -> str:
    category = config.categories.get(key)
    return category.label(lang) if category else key


def when(moment: datetime | None, tz: ZoneInfo) -> str:
    """``01-12 17:00`` in the bot's timezone (the same in every language)."""
    if moment is None:
        return "-"
    return aware(moment).astimezone(tz).strftime("%m-%d %H:%M")


def place(address: str, latitude: float | None, longitude: float | None) -> str:
    parts = [address] if address else []
    if latitude is not None and longitude is not None:
        parts.append(f"({latitude:.5f}, {longitude:.5f})")
    return " ".join(parts)


def overdue_amount(t: Translator, calendar: WorkCalendar, due: datetime, now: datetime) -> str:
    """How late, in working time: "2 days" once it is a working day or more, else hours."""
    late = calendar.work_time_between(due, now)
    if late >= calendar.day_length:
        days = math.floor(late / calendar.day_length + 1e-9)
        return t("{n} days", n=days) if days != 1 else t("1 day")
    hours = max(1, math.ceil(late / timedelta(hours=1)))
    return t("{n} hours", n=hours) if hours != 1 else t("1 hour")


def overdue_days(calendar: WorkCalendar, due: datetime, now: datetime) -> float:
    return calendar.work_time_between(due, now) / calendar.day_length
