"""The overdue scan (a job every ten minutes; with several workers one of them runs each slot):

* a ticket not acknowledged by its deadline, or not resolved by its deadline, is named once in
  the supervision group (an urgent ticket waiting for routing too: "未派单"; a 12345 record with
  its hotline id);
* every ``escalate_after_days`` working days further it goes one level up (village → township
  → district): the unit above is told in its group, the supervision group on the ticket's line;
* a resolved ticket whose reporter did not answer within ``confirm_days`` closes.

A scan reads only the tickets whose ``next_check_at`` has come (an index; see `models`), at most
`BATCH` at a time: each batch is its own transaction (the job's), so a person's message waits for
one batch at most, never for a scan over 100,000 tickets; a full batch schedules the next one at
once (``overdue_scan_more``). Having looked at a ticket, the scan sets when it next needs a look:
its next deadline or escalation, or never. The notices are gathered per unit over the batches and
posted when the scan ends, one message per unit (see `notices`). `name_overdue` gives the same
notices for tickets just filed (12345 records already overdue when imported), at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from qunzhu.core import Context, JobTick, aware, job

from .config import ComplaintsConfig
from .directory import base_config, chain, department_chat
from .models import Ticket, TicketEvent
from .notices import Gathered, keep, post
from .states import WITH_DEPARTMENT, Status
from .texts import overdue_days
from .tickets import move

__all__ = ["BATCH", "name_overdue", "overdue_scan", "overdue_scan_more", "scan"]

#: Tickets looked at in one transaction.
BATCH = 200
#: A moment computed for the next look that is not after now (working time rounds) waits this.
_SOON = timedelta(minutes=1)


@job("overdue_scan", every=600, help="Name overdue tickets, escalate them, close answered ones")
async def overdue_scan(ctx: Context) -> None:
    await scan(ctx, ctx.now())


@job("overdue_scan_more", help="Go on with an overdue scan, one batch further")
async def overdue_scan_more(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    await scan(ctx, ctx.now(), int(tick.payload.get("batch", 1)))


async def scan(ctx: Context, now: datetime, batch: int = 0, size: int = BATCH) -> int:
    """Look at up to `size` tickets due for a look by `now`; go on in a next batch when there
    may be more, else post what the scan found. Returns how many were looked at."""
    config = base_config(ctx)
    gathered = Gathered()
    query = (
        select(Ticket)
        .where(Ticket.next_check_at <= now)
        .order_by(Ticket.next_check_at, Ticket.id)
        .limit(size)
    )
    if ctx.db.get_bind().dialect.name != "sqlite":  # a slot and a next batch on two workers
        query = query.with_for_update(skip_locked=True)
    due = (await ctx.db.scalars(query)).all()
    for ticket in due:
        if ticket.status == Status.RESOLVED:
            await _close_unanswered(ctx, config, ticket, now)
            continue
        if ticket.status in WITH_DEPARTMENT or ticket.status == Status.NEW:
            await _check(ctx, config, ticket, now, gathered)
        ticket.next_check_at = _next_check(ctx, config, ticket, now)
    if len(due) == size:
        await keep(ctx, gathered)
        await ctx.schedule(
            "overdue_scan_more", at=now, key=f"batch{batch + 1}", payload={"batch": batch + 1}
        )
    else:
        await post(ctx, config, gathered)
    return len(due)


async def name_overdue(ctx: Context, tickets: list[Ticket], now: datetime) -> None:
    """Name at once those of `tickets` (just filed) that are overdue already, as the scan
    would, and mark them so that the scan does not name them again."""
    config = base_config(ctx)
    gathered = Gathered()
    for ticket in tickets:
        if ticket.status in WITH_DEPARTMENT or ticket.status == Status.NEW:
            await _check(ctx, config, ticket, now, gathered)
    await post(ctx, config, gathered)


async def _check(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    now: datetime,
    gathered: Gathered,
) -> None:
    notice = config.supervision_chat
    ack_due, resolve_due = aware(ticket.acknowledge_due), aware(ticket.resolve_due)
    waiting_ack = ticket.status in (Status.ASSIGNED, Status.REOPENED, Status.NEW)
    if waiting_ack and ack_due <= now and not ticket.notified_ack and resolve_due > now:
        ticket.notified_ack = True
        _timeline(ctx, ticket, "overdue", "acknowledge")
        if notice:
            gathered.late(notice, ticket, "ack", ack_due, now)
    if resolve_due > now:
        return
    if not ticket.notified_resolve:
        ticket.notified_resolve = ticket.notified_ack = True
        _timeline(ctx, ticket, "overdue", "resolve")
        if notice:
            gathered.late(notice, ticket, "resolve", resolve_due, now)
    levels = chain(ctx.org, ticket.department)
    late = overdue_days(ctx.calendar, resolve_due, now)
    due_level = int(late / config.escalate_after_days + 1e-9)  # at its moment, not a hair after
    while ticket.escalation < min(due_level, len(levels) - 1):
        ticket.escalation += 1
        upper = levels[ticket.escalation]
        _timeline(ctx, ticket, "escalated", upper)
        if notice:
            gathered.late(notice, ticket, "escalated", resolve_due, now, upper=upper)
        chat = department_chat(ctx.org, upper)
        if chat:
            gathered.escalated(chat, upper, ticket, resolve_due, now)


def _timeline(ctx: Context, ticket: Ticket, action: str, note: str) -> None:
    """`tickets.record` for the scan's rows (the state does not change): queued and written
    with the batch's other rows in one statement, not one ORM object each."""
    ctx.insert(
        TicketEvent,
        ticket_id=ticket.id,
        at=ctx.now(),
        actor_id=ctx.person.id or None,
        actor_name=ctx.person.name,
        action=action,
        from_status=ticket.status,
        to_status=ticket.status,
        note=note,
    )


def _next_check(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, now: datetime
) -> datetime | None:
    """When the scan next has something to do with `ticket` (open, just looked at): its
    deadline to acknowledge or resolve not yet named, else its next escalation, else never."""
    if not (ticket.status in WITH_DEPARTMENT or ticket.status == Status.NEW):
        return None
    if ticket.status == Status.NEW and ticket.priority != "urgent":
        return None
    ack_due, resolve_due = aware(ticket.acknowledge_due), aware(ticket.resolve_due)
    waiting_ack = ticket.status in (Status.ASSIGNED, Status.REOPENED, Status.NEW)
    if waiting_ack and not ticket.notified_ack and ack_due < resolve_due:
        moment = ack_due
    elif not ticket.notified_resolve:
        moment = resolve_due
    elif ticket.escalation < len(chain(ctx.org, ticket.department)) - 1:
        days = (ticket.escalation + 1) * config.escalate_after_days
        moment = ctx.calendar.add_workdays(resolve_due, days)
    else:
        return None
    return max(moment, now + _SOON).astimezone(UTC)


async def _close_unanswered(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, now: datetime
) -> None:
    """Close `ticket` (resolved) once its reporter's time to answer is over; else look again
    then."""
    if ticket.resolved_at is None:
        ticket.next_check_at = None
        return
    deadline = ctx.calendar.add_workdays(aware(ticket.resolved_at), config.confirm_days)
    if deadline <= now:
        await move(ctx, ticket, "close", note="no answer from the reporter")
    else:
        ticket.next_check_at = deadline.astimezone(UTC)
