"""Routing from the web console: the form under a ticket or an unfiled problem (unit, deadline in
the leader's words, 批示) routes it exactly as the chat desk does (`desk_route.route_item`): the
unit's card shows "📌 …批示…", the timeline keeps it, an offer is filed on the way.

The deadline is read as the desk's dialog reads it (the core's `read_deadline`, with the desk's
examples); a doubtful reading is asked back on the page ("“3点前”：您是指 10月8日（周四） 15:00
吗？") with a button that confirms it, and the form kept filled to write another time instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from qunzhu.core import Context, UsageError, ask_deadline_back, read_deadline
from qunzhu.core.web import Response, Template, Visit

from .desk_items import scope_of
from .desk_route import EXAMPLES, route_item
from .models import Pending, Ticket
from .numbers import parse_number
from .states import OPEN

__all__ = ["AskBack", "may_route", "route_offer", "route_ticket"]


@dataclass(frozen=True, slots=True)
class AskBack:
    """What the page shows when the deadline must be confirmed: the question, the reading
    (ISO, sent back by the confirming button) and the form as it was filled."""

    question: str
    due: str
    unit: str
    text: str
    instruction: str


class _Doubt(Exception):
    def __init__(self, ask: AskBack) -> None:
        super().__init__(ask.question)
        self.ask = ask


def may_route(visit: Visit, ticket: Ticket) -> bool:
    """As on the desk: an open ticket of the units or groups the person supervises."""
    scope = scope_of(visit.person, visit.org)
    return ticket.status in OPEN and scope.covers(ticket.department, ticket.source_chat)


async def _form(visit: Visit) -> dict[str, str]:
    form = await visit.request.post()
    return {
        "unit": str(form.get("unit", "")),
        "due": " ".join(str(form.get("due", "")).split())[:100],
        "confirmed": str(form.get("confirmed", "")),
        "instruction": " ".join(str(form.get("instruction", "")).split())[:500],
    }


def _moment(ctx: Context, form: dict[str, str]) -> datetime:
    """The deadline: confirmed on the page (after asking back), or read from the words."""
    if form["confirmed"]:
        try:
            moment = datetime.fromisoformat(form["confirmed"])
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None and moment > ctx.now():
            return moment
    due = read_deadline(ctx, form["due"], examples=EXAMPLES)
    if due["doubt"]:
        ask = AskBack(ask_deadline_back(ctx, due), due["due"], form["unit"], form["due"],
                      form["instruction"])  # fmt: skip
        raise _Doubt(ask)
    return datetime.fromisoformat(due["due"])


async def _route(visit: Visit, kind: str, item: int, form: dict[str, str]) -> str | AskBack:
    """Route the item; its ticket's number, or the question to ask back. Raises `UsageError`
    with what is wrong (no unit, no deadline, no longer on the desk)."""

    async def work(ctx: Context) -> str:
        unit = ctx.org.unit(form["unit"])
        if unit is None:
            raise UsageError(ctx.t("Choose a unit."))
        moment = _moment(ctx, form)
        ticket = await route_item(ctx, kind, item, unit=unit.key, moment=moment,
                                  instruction=form["instruction"])  # fmt: skip
        if ticket is None:
            raise UsageError(ctx.t("This problem is no longer on your desk."))
        return ticket.number

    try:
        return await visit.act(work)
    except _Doubt as doubt:
        return doubt.ask


async def route_ticket(visit: Visit) -> Response | Template:
    """``POST /web/complaints/{number}/route``."""
    from .web_pages import denied, missing, ticket_page

    number = parse_number(visit.request.match_info.get("number", ""))
    async with visit.session() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number)) if number else None
    if ticket is None:
        return missing(visit)
    if not may_route(visit, ticket):
        return denied(visit)
    form = await _form(visit)
    try:
        done = await _route(visit, "t", ticket.id, form)
    except UsageError as wrong:
        return await ticket_page(visit, flash=str(wrong), error=True, form=form)
    if isinstance(done, AskBack):
        return await ticket_page(visit, ask=done, form=form)
    return Response(status=303, headers={"Location": f"/web/complaints/{done}?routed=1"})


async def route_offer(visit: Visit) -> Response | Template:
    """``POST /web/complaints/desk/offer/{id}/route``: an unfiled problem, filed and routed."""
    from .web_desk import offer_page

    try:
        item = int(visit.request.match_info.get("id", ""))
    except ValueError:
        item = 0
    async with visit.session() as s:
        pending = await s.get(Pending, item) if item else None
    scope = scope_of(visit.person, visit.org)
    if pending is None or pending.kind != "offer" or not scope.covers(None, pending.chat):
        from .web_pages import denied

        return denied(visit)
    form = await _form(visit)
    try:
        done = await _route(visit, "o", item, form)
    except UsageError as wrong:
        return await offer_page(visit, flash=str(wrong), error=True, form=form)
    if isinstance(done, AskBack):
        return await offer_page(visit, ask=done, form=form)
    return Response(status=303, headers={"Location": f"/web/complaints/{done}?routed=1"})


def form_values(visit: Visit, form: dict[str, str] | None, ask: AskBack | None,
                current: str | None) -> dict[str, Any]:  # fmt: skip
    """The routing form's values for its template (`complaints/route_form.html`)."""
    form = form or {}
    return {
        "units": [(u.key, u.label(visit.lang)) for u in visit.org.units],
        "chosen": form.get("unit") or current or "",
        "due_text": form.get("due", ""),
        "instruction": form.get("instruction", ""),
        "ask": ask,
    }
