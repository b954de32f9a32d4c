"""The complaints plugin's pages on the web console (docs/web.md):

* the overview's panel: new, overdue and reopened tickets by unit, a chart drawn on the server;
* ``/web/complaints``: the leader's problem desk (`web_desk`);
* ``/web/complaints/tickets``: the tickets the person may see (`web_scope`), filtered (open,
  overdue, not acknowledged, not routed, all; by unit), 20 a page;
* ``/web/complaints/{number}``: one ticket, its timeline and photos, and for those who may
  route it the form (unit, deadline, 批示) that routes it as the chat desk does (`web_route`);
* ``/web/complaints/{number}/photo/{i}``: a photo, to those who may see the ticket (else 403).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from qunzhu.core import N_, Attachment, AttachmentKind, aware
from qunzhu.core.web import Page, Panel, Response, Template, Visit

from .cards import reporter_line
from .desk_texts import instruction_line
from .directory import department_name
from .models import Ticket, TicketEvent, overdue
from .numbers import parse_number
from .states import HISTORY, OPEN, Status
from .texts import category_name, place, status_label, when
from .web_chart import SERIES, chart, counts, leading
from .web_desk import desk_page, offer_page
from .web_route import AskBack, form_values, may_route, route_offer, route_ticket
from .web_scope import by_reporter, may_open, may_see, scope_filter, shows_phone

__all__ = ["PAGES"]

log = logging.getLogger("complaints")
TEMPLATES = Path(__file__).parent / "web"
PER_PAGE = 20
SHOW = {
    "open": N_("Open"),
    "overdue": N_("Overdue"),
    "unacknowledged": N_("Not acknowledged"),
    "unrouted": N_("Not routed"),
    "all": N_("All"),
}


def denied(visit: Visit) -> Template:
    return Template(
        "core/message.html",
        {"title": visit.t("Not for you"), "text": visit.t("You may not see this ticket.")},
        status=403,
    )


def missing(visit: Visit) -> Template:
    text = visit.t("There is no such ticket.")
    return Template("core/message.html", {"title": text, "text": text}, status=404)


# -- the overview's panel ------------------------------------------------------------------
async def panel(visit: Visit) -> Template | None:
    now = visit.now()
    async with visit.session() as s:
        found = await counts(s, visit.person, visit.org, now)
    names = {u: department_name(visit.org, u, visit.lang) for u in leading(found)}
    names[None] = visit.t("Not routed")
    legend = {"new": visit.t("New (24 h)"), "overdue": visit.t("Overdue"),
              "reopened": visit.t("Reopened")}  # fmt: skip
    values = {"chart": chart(found, names), "legend": [(legend[k], k) for k, _ in SERIES]}
    return Template("complaints/panel.html", values)


# -- the list ----------------------------------------------------------------------------------
async def ticket_list(visit: Visit) -> Template:
    query = visit.request.query
    show = query.get("show", "open")
    show = show if show in SHOW else "open"
    unit = query.get("unit", "")
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    now = visit.now()
    where = [scope_filter(visit.person, visit.org)]
    if show == "open":
        where.append(Ticket.status.in_(OPEN))
    elif show == "overdue":
        where.append(overdue(now))
    elif show == "unacknowledged":
        where.append(Ticket.status.in_((Status.ASSIGNED, Status.REOPENED)))
    elif show == "unrouted":
        where.append(Ticket.status.in_((Status.NEW, Status.NOT_RESPONSIBLE)))
    if unit:
        where.append(Ticket.department == unit)
    async with visit.session() as s:
        total = await s.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0
        rows = (
            await s.scalars(
                select(Ticket)
                .where(*where)
                .order_by(Ticket.resolve_due, Ticket.id)
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE)
            )
        ).all()
    config = base_config_of(visit)
    tz = visit.app.settings.bot.tz
    items = [
        {
            "number": t.number,
            "category": category_name(config, t.category, visit.lang),
            "text": _short(t.description),
            "unit": department_name(visit.org, t.department, visit.lang) or visit.t("Not routed"),
            "status": status_label(visit.t, t.status),
            "due": when(aware(t.resolve_due), tz),
            "late": t.status in OPEN and t.department is not None and aware(t.resolve_due) <= now,
        }
        for t in rows
    ]
    units = [(u.key, u.label(visit.lang)) for u in visit.org.units if _in_scope(visit, u.key)]
    values = {
        "title": visit.t("Tickets"),
        "items": items,
        "total": total,
        "show": show,
        "shows": [(k, visit.t(v)) for k, v in SHOW.items()],
        "unit": unit,
        "units": units,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
    }
    return Template("complaints/list.html", values)


def _in_scope(visit: Visit, key: str) -> bool:
    from .web_scope import units_seen

    units = units_seen(visit.person, visit.org)
    return units is None or key in units


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def base_config_of(visit: Visit) -> Any:
    from .config import ComplaintsConfig

    found = visit.app.settings.plugin_config("complaints")
    return found if isinstance(found, ComplaintsConfig) else ComplaintsConfig()


# -- one ticket --------------------------------------------------------------------------------
async def _load(visit: Visit) -> Ticket | None:
    number = parse_number(visit.request.match_info.get("number", ""))
    if number is None:
        return None
    async with visit.session() as s:
        return await s.scalar(select(Ticket).where(Ticket.number == number))


async def ticket_page(
    visit: Visit,
    *,
    flash: str = "",
    error: bool = False,
    ask: AskBack | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    ticket = await _load(visit)
    if ticket is None:
        return missing(visit)
    if not may_see(visit.person, visit.org, ticket):
        return denied(visit)
    async with visit.session() as s:
        history = (
            await s.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        ).all()
    config = base_config_of(visit)
    tz = visit.app.settings.bot.tz
    timeline = []
    for event in history:
        actor = event.actor_name or "-"
        if ticket.anonymous and by_reporter(ticket, event):
            actor = visit.t("the reporter")
        elif ticket.anonymous and event.action in ("created", "metoo"):
            actor = "-"
        note = event.note if event.note and event.action != "created" else ""
        action = visit.t(HISTORY.get(event.action, event.action))
        timeline.append({"at": when(aware(event.at), tz), "action": action, "actor": actor,
                         "note": note})  # fmt: skip
    if visit.request.query.get("routed") and not flash:
        flash = visit.t("Sent to {unit}: the card is in its group.",
                        unit=department_name(visit.org, ticket.department, visit.lang))  # fmt: skip
    values = {
        "title": ticket.number,
        "ticket": ticket,
        "category": category_name(config, ticket.category, visit.lang),
        "status": status_label(visit.t, ticket.status),
        "unit": department_name(visit.org, ticket.department, visit.lang),
        "where": place(ticket.address, ticket.latitude, ticket.longitude),
        "reporter": reporter_line(visit.t, ticket,
                                  phone=shows_phone(visit.person, visit.org, ticket)),
        "ack_due": when(aware(ticket.acknowledge_due), tz),
        "resolve_due": when(aware(ticket.resolve_due), tz),
        "instructed": instruction_line(visit.t, ticket, visit.app.calendar.tz),
        "photos": range(len(ticket.photos)),
        "timeline": timeline,
        "can_route": may_route(visit, ticket),
        "action": f"/web/complaints/{ticket.number}/route",
        "flash": flash,
        "flash_error": error,
    }  # fmt: skip
    if values["can_route"]:
        values |= form_values(visit, form, ask, ticket.department)
    return Template("complaints/ticket.html", values, status=400 if error else 200)


async def photo(visit: Visit) -> Response | Template:
    ticket = await _load(visit)
    if ticket is None:
        return missing(visit)
    if not may_see(visit.person, visit.org, ticket):
        return denied(visit)
    try:
        item = ticket.photos[int(visit.request.match_info.get("index", ""))]
        attachment = Attachment(AttachmentKind.PHOTO, str(item["ref"]), str(item.get("mime", "")))
        data = await visit.app.adapter_for(str(item["platform"])).download(attachment)
    except (ValueError, IndexError, KeyError):
        return missing(visit)
    except Exception as exc:  # the platform could not give the file now
        log.warning("event=web_photo_failed error=%s", type(exc).__name__)
        return missing(visit)
    mime = str(item.get("mime") or "image/jpeg")
    return Response(body=data, content_type=mime if mime.startswith("image/") else "image/jpeg")


PAGES: tuple[Page | Panel, ...] = (
    Panel(N_("Tickets by unit"), panel, order=10, templates=TEMPLATES, allow=may_open),
    Page("/complaints", desk_page, title=N_("Problem desk"), nav=True, templates=TEMPLATES,
         allow=may_open),
    Page("/complaints/tickets", ticket_list, title=N_("Tickets"), nav=True, templates=TEMPLATES,
         allow=may_open),
    Page("/complaints/desk/offer/{id}", offer_page, templates=TEMPLATES, allow=may_open),
    Page("/complaints/desk/offer/{id}/route", route_offer, method="POST", templates=TEMPLATES,
         allow=may_open),
    Page("/complaints/{number}", ticket_page, templates=TEMPLATES, allow=may_open),
    Page("/complaints/{number}/photo/{index}", photo, templates=TEMPLATES, allow=may_open),
    Page("/complaints/{number}/route", route_ticket, method="POST", templates=TEMPLATES,
         allow=may_open),
)  # fmt: skip
