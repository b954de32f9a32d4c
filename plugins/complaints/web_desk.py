"""The leader's problem desk on the web console, the complaints landing page (``/web/complaints``):
the same ranked list as ``/desk`` in chat (`desk_slice`: every problem of the groups the person
supervises, filed or not, the most urgent, most overdue and most repeated first), filtered as
there (全部, 超期, 未受理, 本周, a unit) and paged, 20 a page. The units to filter by, with how
many problems each has, are listed when asked for (按单位, ``units=1``), as the chat desk's
"By unit" button does: counting them reads every open ticket by unit and group, which the page
itself does not.

A ticket's line opens its page; an unfiled problem's line opens ``/web/complaints/desk/offer/{id}``:
the quote, its group, and the routing form (`web_route`), which files and routes it at once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from qunzhu.core import Context, aware
from qunzhu.core.web import Template, Visit

from .desk_buttons import DeskFilter
from .desk_items import Item, scope_of
from .desk_slice import DeskSlice, desk_slice, unit_counts
from .desk_texts import FILTERS, age
from .directory import department_name
from .models import Pending
from .texts import category_name, overdue_amount, status_label
from .web_route import AskBack, form_values

__all__ = ["desk_page", "offer_page"]

TEMPLATES = Path(__file__).parent / "web"
PER_PAGE = 20
#: The units offered to filter by, those with the most problems first (a city's desk has
#: thousands: every other one is written by name, as ``/desk 住建局`` in chat).
_UNITS_SHOWN = 30


def _week_start(visit: Visit) -> datetime:
    """Monday 00:00 of this week, in the bot's timezone (as `desk.week_start`)."""
    local = visit.now().astimezone(visit.app.calendar.tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=local.tzinfo)


def _which(visit: Visit) -> tuple[DeskFilter, str, int]:
    query = visit.request.query
    unit = query.get("unit", "") or query.get("name", "").strip()
    try:
        which = DeskFilter(query.get("f", "all"))
    except ValueError:
        which = DeskFilter.ALL
    found = visit.org.unit(unit) if unit else None
    if found is not None:
        which, unit = DeskFilter.UNIT, found.key
    elif which is DeskFilter.UNIT or unit:
        which, unit = DeskFilter.ALL, ""
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    return which, unit, page


async def desk_page(visit: Visit) -> Template:
    """``GET /web/complaints``: the desk (with ``units=1``, the units to filter by)."""
    scope = scope_of(visit.person, visit.org)
    which, unit, page = _which(visit)
    start = _week_start(visit)
    with_units = visit.request.query.get("units") == "1"

    async def work(ctx: Context) -> tuple[DeskSlice, dict[str, int]]:
        shown = await desk_slice(ctx, scope, which, unit, start, page=page, per_page=PER_PAGE)
        return shown, await unit_counts(ctx, scope) if with_units else {}

    if scope:
        shown, counts = await visit.act(work)
    else:
        shown, counts = DeskSlice([], 0, 0, 0, 0, 1, 1), {}
    asked = visit.request.query.get("name", "").strip()
    unknown = bool(asked) and visit.org.unit(asked) is None
    first = (shown.page - 1) * PER_PAGE + 1
    values = {
        "title": visit.t("Problem desk"),
        "items": [_line(visit, n, item) for n, item in enumerate(shown.items, start=first)],
        "total": shown.total,
        "late": shown.late,
        "untaken": shown.untaken,
        "week": shown.week,
        "which": which.value,
        "filters": [(f.value, visit.t(name)) for f, name in FILTERS.items()],
        "unit": unit,
        "units": _units(visit, counts),
        "with_units": with_units,
        "page": shown.page,
        "pages": shown.pages,
        "nothing": not scope,
        "flash": visit.t("I know no unit “{name}”; press one, or write its name.", name=asked)
        if unknown
        else "",
        "flash_error": unknown,
    }
    return Template("complaints/desk.html", values)


def _line(visit: Visit, n: int, item: Item) -> dict[str, Any]:
    config = _config(visit)
    now, lang = visit.now(), visit.lang
    late = (
        overdue_amount(visit.t, visit.app.calendar, item.late_since, now)
        if item.late_since is not None
        else ""
    )
    return {
        "n": n,
        "href": f"/web/complaints/{item.number}"
        if item.kind == "t"
        else f"/web/complaints/desk/offer/{item.id}",
        "label": item.number or visit.t("not filed"),
        "offer": item.kind == "o",
        "urgent": item.urgent,
        "reopened": bool(item.reopened),
        "late": late,
        "status": status_label(visit.t, item.status) if item.status else "",
        "category": category_name(config, item.category, lang),
        "unit": department_name(visit.org, item.department, lang),
        "quote": item.quote,
        "group": item.title,
        "age": age(visit.t, item.created, now),
        "count": item.count,
    }


def _units(visit: Visit, counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """The units with problems on the desk, with how many (`unit_counts`), to filter by one:
    those with the most first."""
    top = sorted(counts, key=lambda k: -counts[k])[:_UNITS_SHOWN]
    shown = [visit.org.unit(k) for k in top]
    return [(u.key, u.label(visit.lang), counts[u.key]) for u in shown if u is not None]


def _config(visit: Visit) -> Any:
    from .web_pages import base_config_of

    return base_config_of(visit)


async def offer_page(
    visit: Visit,
    *,
    flash: str = "",
    error: bool = False,
    ask: AskBack | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    """``GET /web/complaints/desk/offer/{id}``: a problem detected in a group, not filed."""
    from .web_pages import denied, missing

    try:
        item = int(visit.request.match_info.get("id", ""))
    except ValueError:
        return missing(visit)
    async with visit.session() as s:
        pending = await s.get(Pending, item)
    if pending is None or pending.kind != "offer":
        return missing(visit)
    if not scope_of(visit.person, visit.org).covers(None, pending.chat):
        return denied(visit)
    report = pending.report
    owner = visit.org.unit_of_chat(pending.chat)
    values = {
        "title": visit.t("not filed"),
        "quote": str(report.get("description") or ""),
        "category": category_name(_config(visit), str(report.get("category") or ""), visit.lang),
        "group": str(report.get("source_title") or ""),
        "age": age(visit.t, aware(pending.created_at), visit.now()),
        "filed": pending.ticket_id is not None,
        "can_route": True,
        "action": f"/web/complaints/desk/offer/{pending.id}/route",
        "flash": flash,
        "flash_error": error,
    }
    values |= form_values(visit, form, ask, owner.key if owner is not None else None)
    return Template("complaints/offer.html", values, status=400 if error else 200)
