"""催办 (urge), from an escalation card: a department above the ticket's own (or a supervisor)
presses it, and the department below is told, in its group, to deal with the ticket at once.
One urge an hour per ticket: a second press within the hour is answered, not repeated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qunzhu.core import ChatRef, Context, aware

from .directory import (
    chain,
    department_chat,
    department_name,
    t_for_chat,
)
from .models import Ticket, TicketEvent
from .states import LABELS, WITH_DEPARTMENT
from .texts import when
from .tickets import record

__all__ = ["URGE_GAP", "urge"]

#: The least time between two urges of one ticket.
URGE_GAP = timedelta(hours=1)


async def urge(ctx: Context, ticket_id: int) -> None:
    ticket = await ctx.db.get(Ticket, ticket_id)
    if ticket is None:
        await ctx.reply(ctx.t("That ticket does not exist (any more)."))
        return
    person = ctx.person
    above = chain(ctx.org, ticket.department)[1:]
    mine = [d for d in above if ctx.org.is_member(person, d)]
    own = department_name(ctx.org, ticket.department, ctx.lang)
    if not (mine or person.has_role("supervisor")):
        await ctx.reply(
            ctx.t(
                "Only the departments above {department} and the supervisors may urge it.",
                department=own,
            )
        )
        return
    if ticket.status not in WITH_DEPARTMENT:
        await ctx.reply(
            ctx.t(
                "{number} is already “{status}”; nothing was changed.",
                number=ticket.number,
                status=ctx.t(LABELS[ticket.status]),
            )
        )
        return
    now = ctx.now()
    last = await ctx.db.scalar(
        select(TicketEvent.at)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "urge")
        .order_by(TicketEvent.at.desc())
        .limit(1)
    )
    if last is not None and aware(last) + URGE_GAP > now:
        await ctx.reply(
            ctx.t(
                "{number} was urged at {time}; once an hour is enough.",
                number=ticket.number,
                time=when(aware(last), ctx.calendar.tz),
            )
        )
        return
    upper = mine[0] if mine else ""
    record(ctx, ticket, "urge", before=ticket.status, note=upper)
    chat = department_chat(ctx.org, ticket.department)
    if chat is not None:
        t = t_for_chat(ctx, chat)
        by = department_name(ctx.org, upper, t.lang) if upper else t("the supervisors")
        text = t(
            "⏰ Urged: {by} ({name}) asks you to deal with {number} at once (due by {due}).",
            by=by,
            name=person.name,
            number=ticket.number,
            due=when(aware(ticket.resolve_due), ctx.calendar.tz),
        )
        await ctx.send(text, chat=ChatRef.parse(chat))
    await ctx.reply(
        ctx.t("{department} is urged to deal with {number}.", department=own, number=ticket.number)
    )
