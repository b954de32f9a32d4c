"""What the problem desk says: its heading with the counts, one item in two lines (what it
is, where it stands, its group, a short quote, its age, how many reported it), and the
instruction (批示) line of a ticket's card.

    📋 问题台 · 全部：共 12 件（超期 3 · 未受理 5 · 本周 8）· 第 1/2 页
    1. ⚡ Q-2026-0003 · 超期 2天 · 住建局
       “三标段混凝土没按规范养护…” · 北部新城工程 · 3天前 · 👥 3人反映
    2. 🆕 未登记 · 环境卫生 · 村03群
       “村口垃圾堆了一个星期没人管” · 2小时前
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from qunzhu.core import N_, Org, Translator, WorkCalendar, aware, due_label

from .config import ComplaintsConfig
from .desk_buttons import DeskFilter
from .directory import department_name
from .models import Ticket
from .texts import category_name, overdue_amount, status_label

if TYPE_CHECKING:  # cards import this module, and desk_items the duplicates that use cards
    from .desk_items import Item
    from .desk_slice import DeskSlice

__all__ = ["FILTERS", "age", "heading", "instruction_line", "item_lines"]

#: The filters' names, on their buttons and in the heading.
FILTERS = {
    DeskFilter.ALL: N_("All"),
    DeskFilter.OVERDUE: N_("Overdue"),
    DeskFilter.UNTAKEN: N_("Not taken up"),
    DeskFilter.WEEK: N_("This week"),
}


def age(t: Translator, created: datetime, now: datetime) -> str:
    """``刚刚``, ``25分钟前``, ``3小时前``, ``2天前``."""
    gone = now - created
    if gone < timedelta(minutes=1):
        return t("just now")
    if gone < timedelta(hours=1):
        return t("{n} min ago", n=int(gone / timedelta(minutes=1)))
    if gone < timedelta(days=1):
        return t("{n} h ago", n=int(gone / timedelta(hours=1)))
    return t("{n} days ago", n=gone.days)


def heading(t: Translator, which: str, page: DeskSlice) -> str:
    """The first line: the filter, how many, how many overdue / not taken up / this week."""
    return t(
        "📋 Problem desk · {which}: {n} in all (overdue {late} · not taken up {untaken} · "
        "this week {week}) · page {page} of {pages}",
        which=which,
        n=page.total,
        late=page.late,
        untaken=page.untaken,
        week=page.week,
        page=page.page,
        pages=page.pages,
    )


def item_lines(
    t: Translator,
    config: ComplaintsConfig,
    org: Org,
    calendar: WorkCalendar,
    *,
    n: int,
    item: Item,
    now: datetime,
) -> str:
    """Two lines of the desk: what and where it stands; the quote, its group, age, count."""
    lang = t.lang
    flags = ("⚡ " if item.urgent else "") + ("🔁 " if item.reopened else "")
    unit = department_name(org, item.department, lang)
    if item.kind == "o":
        head = t("🆕 not filed · {category}", category=category_name(config, item.category, lang))
    elif item.late_since is not None:
        late = overdue_amount(t, calendar, item.late_since, now)
        head = t("{number} · overdue {late}", number=item.number, late=late)
    else:
        head = f"{item.number} · {status_label(t, item.status)}"
    first = f"{n}. {flags}{head}" + (f" · {unit}" if unit else "")
    where = [f"“{item.quote}”"] if item.quote else []
    if item.title:
        where.append(item.title)
    where.append(age(t, item.created, now))
    if item.count > 1:
        where.append(t("👥 {n} people reported it", n=item.count))
    return first + "\n   " + " · ".join(where)


def instruction_line(t: Translator, ticket: Ticket, tz: ZoneInfo) -> str:
    """``📌 王书记批示：请立即整改（限 10月9日（周五） 09:00 前办结）`` on the card; empty
    without an instruction."""
    if not ticket.instructed_by:
        return ""
    due = due_label(t, aware(ticket.resolve_due), tz)
    if not ticket.instruction:
        return t("📌 {name} set the deadline: {due}", name=ticket.instructed_by, due=due)
    return t(
        "📌 {name}'s instruction: {text} (to be resolved by {due})",
        name=ticket.instructed_by,
        text=ticket.instruction,
        due=due,
    )
