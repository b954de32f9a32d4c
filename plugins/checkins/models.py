"""The plugin's tables (prefix ``checkins_``): campaigns created in chat, rounds, reports,
acknowledgements, leave, tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base

__all__ = ["Ack", "CampaignRow", "Leave", "Report", "Round", "Task"]

#: Outbox ids are 63-bit (`qunzhu.core.model._ids`).
_OutboxId = BigInteger().with_variant(Integer(), "sqlite")


class CampaignRow(Base):
    """A campaign an admin created in chat (``/checkins 新建``); those of the YAML are not stored.

    `spec` holds the campaign's settings as the YAML would (``Campaign`` without name and group),
    so one model validates both.
    """

    __tablename__ = "checkins_campaign"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    chat: Mapped[str] = mapped_column(String(255), index=True)  # the group's key
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | paused
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Round(Base):
    """One check-in of a campaign: its window, its state, the bot's messages about it."""

    __tablename__ = "checkins_round"
    __table_args__ = (UniqueConstraint("campaign", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign: Mapped[str] = mapped_column(String(100), index=True)
    chat: Mapped[str] = mapped_column(String(255), index=True)  # the group's key
    day: Mapped[date] = mapped_column(Date)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    #: Who had to report, fixed at opening: [{"id": person id, "name": ...}].
    roster: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The outbox ids of the prompt and reminders (a reply to any of them is a report).
    messages: Mapped[list[int]] = mapped_column(JSON, default=list)
    summary_id: Mapped[int | None] = mapped_column(_OutboxId, default=None)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)


class Report(Base):
    """A participant's report for a round (one per person; later reports update it)."""

    __tablename__ = "checkins_report"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("checkins_round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    #: Photos and videos: [{"kind", "ref", "mime"}].
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: How it came: reply | tag | private | read (a message without the tag, see `asking`).
    source: Mapped[str] = mapped_column(String(16))
    #: The event ids of the messages it was made of (edits of these replace the text).
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Earlier texts, kept when a later report or an edit replaced them.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_id: Mapped[int | None] = mapped_column(_OutboxId, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Ack(Base):
    """An owner's 👍 on a report."""

    __tablename__ = "checkins_ack"
    __table_args__ = (UniqueConstraint("report_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("checkins_report.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Leave(Base):
    """A participant excused from check-ins from `first` to `last` (local days, inclusive)."""

    __tablename__ = "checkins_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    #: leave | left (left the group: `last` is far away until they come back)
    reason: Mapped[str] = mapped_column(String(16), default="leave")
    chat: Mapped[str] = mapped_column(String(255), default="")  # "" = every campaign
    by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Task(Base):
    """A task a leader assigned with /task."""

    __tablename__ = "checkins_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat: Mapped[str] = mapped_column(String(255), index=True)
    chat_kind: Mapped[str] = mapped_column(String(16), default="group")
    text: Mapped[str] = mapped_column(Text)
    #: The unit (a department of ``units:``) or "" when assigned to a person.
    unit: Mapped[str] = mapped_column(String(100), default="")
    #: The people who must do it: [{"id", "name", "identities"}].
    assignees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assignee_label: Mapped[str] = mapped_column(String(200))
    by_id: Mapped[int] = mapped_column(Integer)
    by_name: Mapped[str] = mapped_column(String(200))
    phrase: Mapped[str] = mapped_column(String(100), default="")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: open | overdue | reported (done, says the assignee: waiting for sign-off) | done
    state: Mapped[str] = mapped_column(String(16), default="open")
    level: Mapped[int] = mapped_column(Integer, default=0)  # escalations so far
    card_id: Mapped[int | None] = mapped_column(_OutboxId, default=None)
    #: The outbox ids of the bot's other messages about it (reminders, overdue notice, the
    #: request for sign-off): a reply to any of them is about the task.
    messages: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: What the task was given with (``/task`` as a reply): {"text", "attachments"}.
    material: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The report that it is done: {"text", "attachments", "by", "at"}; {} before one.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A message the bot asked about ("is this the report that T-1 is done?"), as `report`.
    pending: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Each time it was given back: [{"by", "reason", "at"}].
    returns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signoff_id: Mapped[int | None] = mapped_column(_OutboxId, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: Who reported it done (before sign-offs existed: who closed it).
    done_by: Mapped[str] = mapped_column(String(200), default="")
    #: Who signed it off (the assigner, or a head of the unit above).
    accepted_by: Mapped[str] = mapped_column(String(200), default="")
