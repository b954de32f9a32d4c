"""The overdue scan (a job every ten minutes; with several workers one of them runs each slot):

* a ticket not acknowledged by its deadline, or not resolved by its deadline, is named once in
  the supervision group: "⚠️ 超期: Q-2026-0001 住建局 已超期 2 天未办结" (an urgent ticket
  waiting for routing too: "未派单"; a 12345 record with its hotline id);
* every ``escalate_after_days`` working days further it goes one level up (village → township
  → district): the department above gets the card, the supervision group a line;
* a resolved ticket whose reporter did not answer within ``confirm_days`` closes.

Each notice is marked on the ticket in the job's own transaction, so it is given once: the
lines of one scan go out as one message per group, never a storm. `name_overdue` gives the same
notices for tickets just filed (12345 records already overdue when imported), at once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, or_, select

from qunzhu.core import N_, ChatRef, Context, Translator, aware, job

from .cards import post_escalation_card
from .config import ComplaintsConfig
from .directory import (
    base_config,
    chain,
    department_chat,
    department_name,
    t_for_chat,
)
from .models import Ticket
from .states import WITH_DEPARTMENT, Status
from .texts import overdue_amount, overdue_days
from .tickets import move, record

__all__ = ["name_overdue", "overdue_scan", "scan"]

_MAX_LINES = 40
Notice = tuple[str, dict[str, str]]


@job("overdue_scan", every=600, help="Name overdue tickets, escalate them, close answered ones")
async def overdue_scan(ctx: Context) -> None:
    await scan(ctx, ctx.now())


async def scan(ctx: Context, now: datetime) -> None:
    config = base_config(ctx)
    lines: dict[str, list[Notice]] = defaultdict(list)
    open_tickets = (
        await ctx.db.scalars(
            select(Ticket)
            .where(
                or_(
                    Ticket.status.in_(WITH_DEPARTMENT),
                    and_(Ticket.status == Status.NEW, Ticket.priority == "urgent"),
                ),
                Ticket.acknowledge_due <= now,
            )
            .order_by(Ticket.id)
        )
    ).all()
    for ticket in open_tickets:
        await _check(ctx, config, ticket, now, lines)
    await _close_unanswered(ctx, config, now)
    await _post(ctx, config, lines)


async def name_overdue(ctx: Context, tickets: list[Ticket], now: datetime) -> None:
    """Name at once those of `tickets` (just filed) that are overdue already, as the scan
    would, and mark them so that the scan does not name them again."""
    config = base_config(ctx)
    lines: dict[str, list[Notice]] = defaultdict(list)
    for ticket in tickets:
        if ticket.status in WITH_DEPARTMENT or ticket.status == Status.NEW:
            await _check(ctx, config, ticket, now, lines)
    await _post(ctx, config, lines)


async def _check(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    now: datetime,
    lines: dict[str, list[Notice]],
) -> None:
    notice = config.supervision_chat
    ack_due, resolve_due = aware(ticket.acknowledge_due), aware(ticket.resolve_due)
    waiting_ack = ticket.status in (Status.ASSIGNED, Status.REOPENED, Status.NEW)
    if waiting_ack and ack_due <= now and not ticket.notified_ack and resolve_due > now:
        ticket.notified_ack = True
        record(ctx, ticket, "overdue", before=ticket.status, note="acknowledge")
        if notice:
            lines[notice].append(_line(ticket, "ack", ack_due, now))
    if resolve_due > now:
        return
    if not ticket.notified_resolve:
        ticket.notified_resolve = ticket.notified_ack = True
        record(ctx, ticket, "overdue", before=ticket.status, note="resolve")
        if notice:
            lines[notice].append(_line(ticket, "resolve", resolve_due, now))
    levels = chain(ctx.org, ticket.department)
    late = overdue_days(ctx.calendar, resolve_due, now)
    due_level = int(late // config.escalate_after_days)
    while ticket.escalation < min(due_level, len(levels) - 1):
        ticket.escalation += 1
        upper = levels[ticket.escalation]
        record(ctx, ticket, "escalated", before=ticket.status, note=upper)
        if notice:
            lines[notice].append(_line(ticket, "escalated", resolve_due, now, upper))
        chat = department_chat(ctx.org, upper)
        if chat:
            await _escalation_card(ctx, config, ticket, chat, due=resolve_due, now=now)


def _line(ticket: Ticket, kind: str, due: datetime, now: datetime, upper: str = "") -> Notice:
    """A notice to write later, in the language of the group it goes to."""
    data = {"number": ticket.number, "department": ticket.department or "", "upper": upper}
    if ticket.source == "hotline" and ticket.external_id and ticket.external_id[0] != "#":
        data["record"] = ticket.external_id
    data["due"], data["now"] = due.isoformat(), now.isoformat()
    return (kind, data)


async def _escalation_card(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    chat: str,
    *,
    due: datetime,
    now: datetime,
) -> None:
    t = t_for_chat(ctx, chat)
    head = t(
        "⬆️ Escalated to you: {number} of {department} is {late} overdue.",
        number=ticket.number,
        department=department_name(ctx.org, ticket.department, t.lang),
        late=overdue_amount(t, ctx.calendar, due, now),
    )
    await post_escalation_card(ctx, config, ticket, chat, head)


def _render(
    ctx: Context, config: ComplaintsConfig, t: Translator, kind: str, data: dict[str, str]
) -> str:
    due, now = datetime.fromisoformat(data["due"]), datetime.fromisoformat(data["now"])
    late = overdue_amount(t, ctx.calendar, due, now)
    department = department_name(ctx.org, data["department"], t.lang) or t("not routed")
    if kind == "ack":
        msg = N_("⚠️ Overdue: {number} {department} is {late} late to acknowledge")
    elif kind == "resolve":
        msg = N_("⚠️ Overdue: {number} {department} is {late} overdue, not resolved")
    else:
        msg = N_(
            "⚠️ Overdue: {number} {department} is {late} overdue, not resolved; escalated to {upper}"
        )
    upper = department_name(ctx.org, data["upper"], t.lang)
    number = data["number"]
    if data.get("record"):
        number = t("{number} (12345 record {record})", number=number, record=data["record"])
    return t(msg, number=number, department=department, late=late, upper=upper)


async def _post(
    ctx: Context,
    config: ComplaintsConfig,
    lines: dict[str, list[Notice]],
) -> None:
    for chat, items in lines.items():
        t = t_for_chat(ctx, chat)
        texts = [_render(ctx, config, t, kind, data) for kind, data in items]
        if len(texts) > _MAX_LINES:
            rest = len(texts) - _MAX_LINES
            texts = [*texts[:_MAX_LINES], t("… and {n} more: send /tickets overdue", n=rest)]
        await ctx.send("\n".join(texts), chat=ChatRef.parse(chat))


async def _close_unanswered(ctx: Context, config: ComplaintsConfig, now: datetime) -> None:
    resolved = (await ctx.db.scalars(select(Ticket).where(Ticket.status == Status.RESOLVED))).all()
    for ticket in resolved:
        if ticket.resolved_at is None:
            continue
        deadline = ctx.calendar.add_workdays(aware(ticket.resolved_at), config.confirm_days)
        if deadline <= now:
            await move(ctx, ticket, "close", note="no answer from the reporter")
