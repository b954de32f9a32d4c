"""What routing from the problem desk does (`desk_route` asks; this acts): the leader's
deadline becomes the ticket's and his instruction (批示) goes on its card and in its timeline.

* An offer never filed is filed straight to the unit, its author the reporter; the other
  offers the desk shows with it (the same problem, several people) join the ticket, their
  authors following it as "me too"; each offer in its group says what it became, and a
  question still open under one (a similar report? which unit?) is answered the same.
* A ticket goes to the unit with a new card or, already there, stays and the unit's group is
  told of the new deadline and instruction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from qunzhu.core import N_, ChatRef, Context, Reply, due_label

from .by_group import ROUTE
from .cards import post_card, refresh_card, retire_cards
from .config import ComplaintsConfig
from .desk_items import ASKED, gather, scope_of
from .directory import department_chat, t_for_chat
from .duplicates import join
from .models import Pending, Ticket
from .report import Report
from .states import Status
from .texts import when
from .tickets import Given, deadlines, file_ticket, record

__all__ = ["file_offer", "hand_over"]


def _instruct(
    ctx: Context, ticket: Ticket, config: ComplaintsConfig, moment: datetime, instruction: str
) -> None:
    """The leader's deadline becomes the ticket's; the instruction goes on its card."""
    ack_due, _ = deadlines(
        ctx, config, ticket.category, ctx.now(), urgent=ticket.priority == "urgent"
    )
    ticket.resolve_due = moment
    ticket.acknowledge_due = min(ack_due, moment)
    ticket.notified_ack = ticket.notified_resolve = False
    ticket.escalation = 0
    ticket.instruction = instruction[:2000]
    ticket.instructed_by = ctx.person.name[:200]
    ticket.updated_at = ctx.now()
    note = f"⏰ {when(moment, ctx.calendar.tz)}" + (f" · {instruction}" if instruction else "")
    record(ctx, ticket, "instruct", before=ticket.status, note=note)


async def file_offer(
    ctx: Context,
    config: ComplaintsConfig,
    pending: Pending,
    *,
    unit: str,
    moment: datetime,
    instruction: str,
) -> Ticket:
    """File an offer nobody acted on, straight to `unit`, with the leader's deadline."""
    same = await _same_problem(ctx, pending)
    report = Report.from_json(pending.report)
    ticket = await file_ticket(ctx, report, Given(department=unit, resolve_due=moment))
    _instruct(ctx, ticket, config, moment, instruction)
    for offer in same:
        if offer is not pending:
            await join(ctx, config, ticket, Report.from_json(offer.report), refresh=False)
        await _settle(ctx, offer, ticket)
    await refresh_card(ctx, config, ticket)
    return ticket


async def _same_problem(ctx: Context, pending: Pending) -> list[Pending]:
    """`pending` and the other offers the desk shows with it (the same problem), its first."""
    for item in await gather(ctx, scope_of(ctx.person, ctx.org)):
        if item.kind == "o" and pending.id in item.members:
            rows = [await ctx.db.get(Pending, i) for i in item.members if i != pending.id]
            return [pending, *(r for r in rows if r is not None)]
    return [pending]


async def _settle(ctx: Context, offer: Pending, ticket: Ticket) -> None:
    """The offer was filed as `ticket`: it says so in its group, and a question its author
    was still asked about it (a similar report? which unit?) is answered."""
    offer.ticket_id = ticket.id
    t = t_for_chat(ctx, offer.chat) if offer.chat else ctx.t
    filed = Reply(t("Filed as {number}.", number=ticket.number))
    if offer.message_id is not None and offer.chat:
        await ctx.edit(offer.message_id, filed)
    if not offer.source:
        return
    asked = await ctx.db.scalars(
        select(Pending).where(
            Pending.kind.in_(("duplicate", ROUTE)),
            Pending.source == offer.source,
            or_(Pending.ticket_id.is_(None), Pending.ticket_id == ASKED),
        )
    )
    for question in asked:
        question.ticket_id = ticket.id
        if question.message_id is not None:
            await ctx.edit(question.message_id, filed)


async def hand_over(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    *,
    unit: str,
    moment: datetime,
    instruction: str,
) -> None:
    """Send `ticket` to `unit` (or keep it there) with the leader's deadline and instruction."""
    if ticket.department == unit and ticket.status != Status.NOT_RESPONSIBLE:
        _instruct(ctx, ticket, config, moment, instruction)
        await refresh_card(ctx, config, ticket)
        await _tell_unit(ctx, ticket, unit, moment, instruction)
        return
    before = ticket.status
    await retire_cards(
        ctx, config, ticket, N_("{number} was reassigned to {department}."), department=unit
    )
    action = "route" if before in (Status.NEW, Status.NOT_RESPONSIBLE) else "reassign"
    ticket.department, ticket.returned_by = unit, None
    ticket.status = Status.ASSIGNED
    ticket.assignee_id, ticket.assignee_name = None, ""
    ticket.acknowledged_at = None
    record(ctx, ticket, action, before=before)
    _instruct(ctx, ticket, config, moment, instruction)
    await post_card(ctx, config, ticket)


async def _tell_unit(
    ctx: Context, ticket: Ticket, unit: str, moment: datetime, instruction: str
) -> None:
    """The ticket stays with its unit: its group hears of the new deadline and instruction."""
    chat = department_chat(ctx.org, unit)
    if chat is None:
        return
    t = t_for_chat(ctx, chat)
    due = due_label(t, moment, ctx.calendar.tz)
    text = (
        t(
            "📌 {number}: {name}'s instruction: {text} (to be resolved by {due})",
            number=ticket.number,
            name=ctx.person.name,
            text=instruction,
            due=due,
        )
        if instruction
        else t(
            "📌 {number}: {name} set the deadline: {due}",
            number=ticket.number,
            name=ctx.person.name,
            due=due,
        )
    )
    await ctx.send(text, chat=ChatRef.parse(chat))
