"""Filing a ticket (number, deadlines, routing, card, follower) and moving it between states
(checked against `states.ACTIONS`, one timeline row per move)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from qunzhu.core import N_, ChatRef, Context, Person, Reply

from .cards import post_card, refresh_card, retire_cards
from .config import ComplaintsConfig
from .directory import allowed, base_config, t_for_chat
from .models import Follower, Ticket, TicketEvent
from .notices import refresh_notices
from .numbers import format_number, next_seq, parse_number
from .report import Report
from .states import ACTIONS, LABELS, Status

__all__ = [
    "Given",
    "Refused",
    "check",
    "deadlines",
    "file_ticket",
    "find",
    "move",
    "notify_followers",
    "record",
]


class Refused(Exception):
    """A move that is not allowed: `text` (translated) says why."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Given:
    """What the source of a report already decided (a 12345 record): when it was received,
    its deadline, its unit, how far it got. The defaults: as for any report filed now."""

    received: datetime | None = None
    resolve_due: datetime | None = None
    #: A unit key; None: the category's unit (or none when `unrouted`).
    department: str | None = None
    #: Wait for a supervisor to route it, whatever the category says.
    unrouted: bool = False
    #: ``Status.ACKNOWLEDGED``, ``IN_PROGRESS`` or ``RESOLVED``; None: just assigned.
    status: str | None = None


def deadlines(
    ctx: Context, config: ComplaintsConfig, category: str, start: datetime, *, urgent: bool = False
) -> tuple[datetime, datetime]:
    """When a ticket of `category` filed at `start` must be acknowledged and resolved (the
    ``urgent_*`` deadlines for an urgent one)."""
    cat = config.categories.get(category)
    if urgent:
        hours = (cat.urgent_acknowledge_hours if cat else None) or config.urgent_acknowledge_hours
        days = (cat.urgent_resolve_days if cat else None) or config.urgent_resolve_days
    else:
        hours = (cat.acknowledge_hours if cat else None) or config.acknowledge_hours
        days = (cat.resolve_days if cat else None) or config.resolve_days
    calendar = ctx.calendar
    return (
        calendar.add_work_time(start, timedelta(hours=hours)),
        calendar.add_workdays(start, days),
    )


def record(
    ctx: Context,
    ticket: Ticket,
    action: str,
    *,
    actor: Person | None = None,
    before: str | None = None,
    note: str = "",
    anonymous: bool = False,
) -> None:
    """Add a timeline row; `anonymous` leaves out who did it (a "me too" of someone who asked
    to stay anonymous)."""
    who = actor if actor is not None else ctx.person
    ctx.db.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=ctx.now(),
            actor_id=None if anonymous else who.id or None,
            actor_name="" if anonymous else who.name,
            action=action,
            from_status=before,
            to_status=ticket.status,
            note=note[:4000],
        )
    )


async def file_ticket(ctx: Context, report: Report, given: Given | None = None) -> Ticket:
    """Create the ticket for `report`, route it and post its card; in ``ctx``'s transaction.
    `given`: what its source decided already (a 12345 record's times, unit and state); its
    deadlines count from when it was received, and a resolved record gets no card."""
    config = base_config(ctx)
    given = given or Given()
    now = ctx.now()
    start = min(given.received or now, now)
    year = now.astimezone(ctx.calendar.tz).year
    seq = await next_seq(ctx.db, year)
    category = report.category if report.category in config.categories else _fallback(config)
    urgent = report.priority == "urgent"
    ack_due, resolve_due = deadlines(ctx, config, category, start, urgent=urgent)
    if given.resolve_due is not None:
        resolve_due = given.resolve_due
        ack_due = min(ack_due, resolve_due)
    department = given.department or report.department
    if department is None and not given.unrouted:
        department = config.categories[category].department
    ticket = _new_ticket(report, category, department, year=year, seq=seq, now=now)
    ticket.created_at, ticket.acknowledge_due, ticket.resolve_due = start, ack_due, resolve_due
    if department and given.status is not None:
        ticket.status = given.status
        if given.status == Status.RESOLVED:
            ticket.resolved_at = now
        else:
            ticket.acknowledged_at = start
    ctx.db.add(ticket)
    await ctx.db.flush()
    record(ctx, ticket, "created", note=report.description[:200])
    if report.extra.get("filed_by"):
        record(ctx, ticket, "on_behalf")  # by the official, who is not the reporter
    follower = report.follower()
    if follower is not None:
        key, chat, kind, thread = follower
        ctx.db.add(
            Follower(
                ticket_id=ticket.id,
                user_key=key,
                person_id=report.reporter_id if key == report.reporter_key else ctx.person.id,
                kind="reporter",
                chat=chat,
                chat_kind=kind,
                reply_to=thread,
                lang=report.reporter_lang if key == report.reporter_key else ctx.lang,
            )
        )
    if ticket.status != Status.RESOLVED:  # a record closed at the source needs nobody
        await post_card(ctx, config, ticket)
    return ticket


def _new_ticket(
    report: Report, category: str, department: str | None, *, year: int, seq: int, now: datetime
) -> Ticket:
    return Ticket(
        number=format_number(year, seq),
        year=year,
        seq=seq,
        category=category,
        description=report.description[:4000],
        photos=list(report.photos),
        latitude=report.latitude,
        longitude=report.longitude,
        address=report.address[:500],
        reporter_id=report.reporter_id,
        reporter_key=report.reporter_key,
        reporter_name=report.reporter_name[:200],
        reporter_phone=report.phone[:64],
        anonymous=report.anonymous,
        source=report.source,
        source_chat=report.source_chat,
        source_title=report.source_title[:300],
        source_event=report.source_event,
        external_id=report.external_id,
        department=department,
        priority=report.priority,
        status=Status.ASSIGNED if department else Status.NEW,
        created_at=now,
        updated_at=now,
        acknowledge_due=now,
        resolve_due=now,
        metoo=0,
        reopened=0,
        escalation=0,
        notified_ack=False,
        notified_resolve=False,
    )


def _fallback(config: ComplaintsConfig) -> str:
    return "other" if "other" in config.categories else next(iter(config.categories))


async def find(ctx: Context, text: str) -> Ticket | None:
    """The ticket whose number `text` holds (``Q-2026-0001``, ``q-2026-1``), or None."""
    number = parse_number(text)
    if number is None:
        return None
    return await ctx.db.scalar(select(Ticket).where(Ticket.number == number))


def check(ctx: Context, ticket: Ticket, action: str) -> None:
    """Raise `Refused` unless ``ctx.person`` may do `action` to `ticket` in its state now."""
    if not allowed(ctx.person, ctx.org, ticket, action):
        raise Refused(ctx.t("Sorry, you may not do that to {number}.", number=ticket.number))
    if ticket.status not in ACTIONS[action].sources:
        raise Refused(
            ctx.t(
                "{number} is already “{status}”; nothing was changed.",
                number=ticket.number,
                status=ctx.t(LABELS[ticket.status]),
            )
        )


async def move(
    ctx: Context,
    ticket: Ticket,
    action: str,
    *,
    note: str = "",
    department: str | None = None,
    resolve_by: datetime | None = None,
) -> None:
    """Do `action` to `ticket` as ``ctx.person``: check the role and the state, change it,
    write the timeline row and refresh the card. Raises `Refused` with the reason. A route or
    reassignment may set the leader's own deadline to resolve (`resolve_by`)."""
    config = base_config(ctx)
    check(ctx, ticket, action)
    rule = ACTIONS[action]
    before = ticket.status
    now = ctx.now()
    ticket.status = rule.target or ticket.status
    ticket.updated_at = now
    if action == "acknowledge":
        ticket.acknowledged_at = now
        ticket.assignee_id, ticket.assignee_name = ctx.person.id, ctx.person.name
    elif action == "resolve":
        ticket.resolved_at = now
    elif action in ("confirm", "close", "reject", "duplicate"):
        ticket.closed_at = now
    elif action in ("reassign", "route", "reopen"):
        await _restart(ctx, config, ticket, department, action)
        if resolve_by is not None:
            ticket.resolve_due = resolve_by
            ticket.acknowledge_due = min(ticket.acknowledge_due, resolve_by)
    elif action == "decline":
        await _return(ctx, config, ticket)
    record(ctx, ticket, action, before=before, note=note)
    await refresh_card(ctx, config, ticket)
    await refresh_notices(ctx, ticket)
    if action in ("reassign", "route") and department or action == "decline":
        await post_card(ctx, config, ticket)


async def _restart(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, department: str | None, action: str
) -> None:
    """Fresh deadlines (and a new department) after a reassignment or a reopening."""
    now = ctx.now()
    if action == "reopen":
        ticket.reopened += 1
        ticket.resolved_at = ticket.closed_at = None
        ticket.feedback = None
    else:
        if department is not None and ctx.org.unit(department) is None:
            raise Refused(ctx.t("There is no department “{name}”.", name=department))
        await retire_cards(
            ctx,
            config,
            ticket,
            N_("{number} was reassigned to {department}."),
            department=department,
        )
        ticket.department = department
        ticket.returned_by = None
        ticket.assignee_id, ticket.assignee_name = None, ""
        ticket.acknowledged_at = None
    ticket.acknowledge_due, ticket.resolve_due = deadlines(
        ctx, config, ticket.category, now, urgent=ticket.priority == "urgent"
    )
    ticket.notified_ack = ticket.notified_resolve = False
    ticket.escalation = 0


async def _return(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> None:
    """ "Not our responsibility": back to the supervisors, who route it again."""
    await retire_cards(
        ctx,
        config,
        ticket,
        N_("{number} was returned to the supervisors to be sent to the right department."),
    )
    ticket.returned_by, ticket.department = ticket.department, None
    ticket.assignee_id, ticket.assignee_name = None, ""
    ticket.acknowledged_at = None
    ticket.notified_ack = ticket.notified_resolve = False
    ticket.escalation = 0


async def notify_followers(
    ctx: Context,
    ticket: Ticket,
    message: str,
    *,
    kinds: tuple[str, ...] = ("reporter", "metoo"),
    **fields: str,
) -> int:
    """Tell the people following `ticket`: `message` is a msgid formatted with ``number`` and
    `fields`. Returns how many were told."""
    rows = (
        await ctx.db.scalars(
            select(Follower).where(Follower.ticket_id == ticket.id, Follower.kind.in_(kinds))
        )
    ).all()
    for follower in rows:
        t = t_for_chat(ctx, follower.chat, follower.lang)
        text = t(message, number=ticket.number, **fields)
        chat = ChatRef.parse(follower.chat, follower.chat_kind)
        await ctx.send(Reply(text, reply_to=follower.reply_to), chat=chat)
    return len(rows)
