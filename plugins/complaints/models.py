"""The plugin's tables: tickets, their timeline, the yearly number counter, the people who
follow a ticket, reports waiting for a decision (a "登记为问题" offer, a possible duplicate),
and the overdue notices a long scan gathers before it posts them.

``Ticket.next_check_at`` is when the overdue scan next has something to do with a ticket (a
deadline, the next escalation, the end of the reporter's time to answer), so that each scan
reads only the tickets that became due since the last one, through an index. Whenever a ticket's
state or deadlines change, a mapper event sets it to the earliest moment that may matter (a lower
bound); the scan, having looked, sets the exact next one (see `deadlines`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    inspect,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from qunzhu.core import Base, aware

from .states import WITH_DEPARTMENT, Status

__all__ = [
    "Counter",
    "Follower",
    "Notice",
    "NoticeTicket",
    "Pending",
    "Ticket",
    "TicketEvent",
    "first_check",
    "late_to_acknowledge",
    "late_to_resolve",
    "overdue",
]

_BigId = BigInteger().with_variant(Integer(), "sqlite")


class Counter(Base):
    """The last ticket number given in a year: ``UPDATE … SET last = last + 1`` locks the row
    until the ticket's transaction ends, so numbers are unique and without gaps across workers
    (a rolled-back ticket gives its number back)."""

    __tablename__ = "complaints_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "complaints_ticket"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        UniqueConstraint("external_id"),
        # By status and unit, with the deadlines: the overview's overdue tickets counted by
        # unit in the index's order (was a sort of every overdue one on each view).
        Index(
            "ix_complaints_ticket_status_dept_due",
            "status",
            "department",
            "resolve_due",
            "acknowledge_due",
        ),
        Index("ix_complaints_ticket_category_created", "category", "created_at"),
        Index("ix_complaints_ticket_source_chat_status", "source_chat", "status"),
        Index("ix_complaints_ticket_next_check_at", "next_check_at"),
        # The web console's overview at city scale: tickets filed in the last 24 hours (was a
        # scan of every ticket), and the overdue ones counted from the index alone.
        Index("ix_complaints_ticket_created", "created_at"),
        Index(
            "ix_complaints_ticket_status_due",
            "status",
            "resolve_due",
            "acknowledge_due",
            "department",
        ),  # fmt: skip
        # The problem desk at city scale (`desk_slice`): the urgent ones counted and ranked
        # apart, those late to acknowledge read in the order of that deadline.
        Index(
            "ix_complaints_ticket_priority_due",
            "priority",
            "status",
            "resolve_due",
            "acknowledge_due",
        ),
        Index("ix_complaints_ticket_status_ack", "status", "acknowledge_due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Photos as the platform's references: [{"platform", "ref", "mime", "size"}].
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    address: Mapped[str] = mapped_column(String(500), default="")
    reporter_id: Mapped[int | None] = mapped_column(Integer, default=None)
    reporter_key: Mapped[str] = mapped_column(String(300), default="")
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_phone: Mapped[str] = mapped_column(String(64), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: group | private | command | hotline
    source: Mapped[str] = mapped_column(String(16))
    source_chat: Mapped[str] = mapped_column(String(300), default="")
    source_title: Mapped[str] = mapped_column(String(300), default="")
    source_event: Mapped[str] = mapped_column(String(255), default="")
    external_id: Mapped[str | None] = mapped_column(String(128), default=None)
    department: Mapped[str | None] = mapped_column(String(64), default=None)
    assignee_id: Mapped[int | None] = mapped_column(Integer, default=None)
    assignee_name: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledge_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolve_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: Overdue notices given: acknowledge ("ack"), resolve ("resolve"); escalation level reached.
    notified_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_resolve: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    metoo: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    #: The card in the department's group (an outbox id, for edits) and that group's key.
    card_id: Mapped[int | None] = mapped_column(_BigId, default=None)
    card_chat: Mapped[str] = mapped_column(String(300), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolution_photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The reporter's answer: solved | unsolved; and 1-5.
    feedback: Mapped[str | None] = mapped_column(String(16), default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    duplicate_of: Mapped[int | None] = mapped_column(Integer, default=None)
    #: Why it was rejected, marked a duplicate or returned (the last such reason).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The department that returned it as "not our responsibility", while it waits for routing.
    returned_by: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The escalation cards in upper departments' groups: [{"id", "chat", "head"}] (outbox id,
    #: group key, the card's first line), refreshed with the card while they have buttons.
    escalation_cards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The leader's instruction (批示) given from the problem desk, and who gave it; the card
    #: shows it, the timeline keeps every one ("instruct").
    instruction: Mapped[str] = mapped_column(Text, default="")
    instructed_by: Mapped[str] = mapped_column(String(200), default="")
    #: When the overdue scan next has something to do with it (None: nothing, it is settled).
    next_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


#: What, when changed, moves a ticket's next check (see the module's docstring).
_PLANNED_BY = ("status", "priority", "acknowledge_due", "resolve_due", "resolved_at")


def first_check(ticket: Ticket) -> datetime | None:
    """The earliest moment the overdue scan may have something to do with `ticket`: its first
    deadline while a department (or, urgent, the supervisors) has it; its resolution while it
    waits for the reporter's answer; else never."""
    status = ticket.status
    if status in WITH_DEPARTMENT or (status == Status.NEW and ticket.priority == "urgent"):
        return min(aware(ticket.acknowledge_due), aware(ticket.resolve_due)).astimezone(UTC)
    if status == Status.RESOLVED and ticket.resolved_at is not None:
        return aware(ticket.resolved_at).astimezone(UTC)
    return None


@event.listens_for(Ticket, "before_insert")
def _plan_new(_mapper: Any, _connection: Any, ticket: Ticket) -> None:
    ticket.next_check_at = first_check(ticket)


@event.listens_for(Ticket, "before_update")
def _plan_changed(_mapper: Any, _connection: Any, ticket: Ticket) -> None:
    state = inspect(ticket)
    if any(state.attrs[name].history.has_changes() for name in _PLANNED_BY):
        ticket.next_check_at = first_check(ticket)


class TicketEvent(Base):
    """One line of a ticket's timeline: who did what, when, from which state to which."""

    __tablename__ = "complaints_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("complaints_ticket.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32), default=None)
    to_status: Mapped[str | None] = mapped_column(String(32), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class Follower(Base):
    """Someone told about a ticket's progress: its reporter, and whoever said "me too". `chat`
    and `reply_to` say where to reach them (their private chat, or the source group's thread)."""

    __tablename__ = "complaints_follower"
    __table_args__ = (UniqueConstraint("ticket_id", "user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("complaints_ticket.id", ondelete="CASCADE"), index=True
    )
    user_key: Mapped[str] = mapped_column(String(300))
    person_id: Mapped[int | None] = mapped_column(Integer, default=None)
    kind: Mapped[str] = mapped_column(String(16))  # reporter | metoo
    chat: Mapped[str] = mapped_column(String(300))
    chat_kind: Mapped[str] = mapped_column(String(16), default="direct")
    reply_to: Mapped[str | None] = mapped_column(String(255), default=None)
    lang: Mapped[str | None] = mapped_column(String(16), default=None)


class Pending(Base):
    """A report waiting for someone's decision: an offer to file a group message ("offer"), or
    a report that may be a duplicate of an open ticket ("duplicate"). `ticket_id` is set once it
    was decided, so a second press finds the answer. Also "问题解决了吗？" asked of a reporter
    ("question", `answers`): `source` is ``chat key`` + " " + the reporter's key, `ticket_id`
    the ticket asked about, `message_id` the question."""

    __tablename__ = "complaints_pending"
    __table_args__ = (
        Index("ix_complaints_pending_kind_chat", "kind", "ticket_id", "chat", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The message it came from (``chat key`` + " " + event id), to settle an offer when the
    #: same message is filed another way (``/ticket``).
    source: Mapped[str] = mapped_column(String(600), default="", index=True)
    #: The group it was posted in (``platform:chat_id``): the problem desk lists the offers of
    #: the groups a leader supervises.
    chat: Mapped[str] = mapped_column(String(300), default="")
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    candidates: Mapped[list[int]] = mapped_column(JSON, default=list)
    message_id: Mapped[int | None] = mapped_column(_BigId, default=None)
    ticket_id: Mapped[int | None] = mapped_column(Integer, default=None)


class Notice(Base):
    """Overdue notices a scan gathered for one unit in one chat, kept while the scan goes on in
    further batches (each its own transaction) and posted as one message when it ends. `kind`:
    ``overdue`` (in the supervision group, about the unit's tickets) or ``escalated`` (in the
    unit's own group, tickets escalated to it). `items` holds the first lines' data, `total`
    counts them all. Once posted, `message_id` (the outbox id) lets the notice be edited when a
    ticket on it moves on (`NoticeTicket` says which); posted notices are kept two days."""

    __tablename__ = "complaints_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message_id: Mapped[int | None] = mapped_column(_BigId, default=None, index=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class NoticeTicket(Base):
    """A ticket listed on a posted notice: which notices to edit when the ticket moves on."""

    __tablename__ = "complaints_notice_ticket"

    notice_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ticket_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, index=True
    )


def late_to_resolve(now: datetime) -> ColumnElement[bool]:
    """Overdue by the deadline to resolve (one half of `overdue`)."""
    return and_(Ticket.status.in_(WITH_DEPARTMENT), Ticket.resolve_due <= now)


def late_to_acknowledge(now: datetime) -> ColumnElement[bool]:
    """Overdue by the deadline to acknowledge only, the time to resolve not run out: the
    other half of `overdue`, disjoint from `late_to_resolve` (each is a range of an index)."""
    return and_(
        Ticket.status.in_((Status.ASSIGNED, Status.REOPENED)),
        Ticket.resolve_due > now,
        Ticket.acknowledge_due <= now,
    )


def overdue(now: datetime) -> ColumnElement[bool]:
    """Tickets late now: not acknowledged by their deadline, or not resolved by theirs (a
    ticket acknowledged late but still within its time to resolve is no longer overdue)."""
    waiting = (Status.ASSIGNED, Status.REOPENED)
    return and_(
        Ticket.status.in_(WITH_DEPARTMENT),
        or_(
            Ticket.resolve_due <= now,
            and_(Ticket.status.in_(waiting), Ticket.acknowledge_due <= now),
        ),
    )
