"""The core's own tables: people, their platform identities and roles, open dialogs, the
delivery's inbox, outbox, chats and jobs, and the web console's one-time links and sessions."""

from __future__ import annotations

from datetime import datetime
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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qunzhu.core.storage._database import Base

__all__ = [
    "ANALYZED_TABLES",
    "CORE_TABLES",
    "ChatRow",
    "CursorRow",
    "DialogRow",
    "IdentityRow",
    "InboxRow",
    "JobRow",
    "OrgEditRow",
    "OutboxRow",
    "PersonRow",
    "RoleRow",
    "WebLinkRow",
    "WebSessionRow",
]


class PersonRow(Base):
    __tablename__ = "core_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # indexed: people are named by name in the YAML (check-in rosters, units), and a city has
    # 300,000 of them (a look-up by name scanned the table)
    display_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    real_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    lang: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    identities: Mapped[list[IdentityRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )
    roles: Mapped[list[RoleRow]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class IdentityRow(Base):
    __tablename__ = "core_identity"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # indexed: a person's accounts are read by person (every page of people, every Person
    # loaded), and a city has 300,000 rows here
    person_id: Mapped[int] = mapped_column(
        ForeignKey("core_person.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200), default="")

    person: Mapped[PersonRow] = relationship(back_populates="identities")


class RoleRow(Base):
    __tablename__ = "core_role"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(128), default="")
    source: Mapped[str] = mapped_column(String(16), default="command")  # "config" or "command"

    person: Mapped[PersonRow] = relationship(back_populates="roles")


class DialogRow(Base):
    __tablename__ = "core_dialog"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    plugin: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    step: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    chat_kind: Mapped[str] = mapped_column(String(16), default="direct")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite's rowid is a 64-bit INTEGER


class InboxRow(Base):
    """Every incoming event, recorded under its natural key before it is dispatched."""

    __tablename__ = "core_inbox"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "event_id"),
        # Only the events still to handle, however long the inbox grows: the claims read the
        # oldest of them (one worker) and the oldest per chat (several workers).
        Index(
            "ix_core_inbox_unhandled",
            "platform",
            "chat_id",
            "id",
            postgresql_where=text("handled_at IS NULL"),
            sqlite_where=text("handled_at IS NULL"),
        ),
        Index(
            "ix_core_inbox_next",
            "id",
            postgresql_where=text("handled_at IS NULL"),
            sqlite_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CursorRow(Base):
    """An adapter's position on its platform (Telegram update offset, Matrix next_batch)."""

    __tablename__ = "core_cursor"

    adapter: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(1024))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """A message to send (or an edit, or a reaction), written in the handler's transaction; the
    sender delivers it and records the platform's message id (none for a reaction)."""

    __tablename__ = "core_outbox"
    __table_args__ = (Index("ix_core_outbox_due", "platform", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    chat_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8), default="send")  # send | edit | react
    edit_of: Mapped[int | None] = mapped_column(_BigId, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    message_id: Mapped[str | None] = mapped_column(String(255), default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    batch: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    plugin: Mapped[str] = mapped_column(String(64), default="")


class ChatRow(Base):
    """What the bot knows about a chat: whether it may still post there."""

    __tablename__ = "core_chat"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="group")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A job: declared by a plugin (key "") or scheduled at run time (per chat or per key)."""

    __tablename__ = "core_job"
    __table_args__ = (
        UniqueConstraint("plugin", "name", "key"),
        Index("ix_core_job_due", "enabled", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255), default="")
    cron: Mapped[str | None] = mapped_column(String(128), default=None)
    every: Mapped[float | None] = mapped_column(Float, default=None)
    timezone: Mapped[str] = mapped_column(String(64))
    misfire: Mapped[str] = mapped_column(String(8), default="once")
    grace: Mapped[float] = mapped_column(Float, default=60.0)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    declared: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_platform: Mapped[str | None] = mapped_column(String(32), default=None)
    chat_id: Mapped[str | None] = mapped_column(String(255), default=None)
    chat_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebLinkRow(Base):
    """A one-time login link of the web console (``/web``): only the SHA-256 of its random
    token is kept, so the table does not open anyone's console."""

    __tablename__ = "core_web_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class WebSessionRow(Base):
    """A web console session: the SHA-256 of the cookie's random id, whose person, until when;
    `ended_at` once logged out or ended by an admin."""

    __tablename__ = "core_web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("core_person.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class OrgEditRow(Base):
    """A unit of the organisation as an admin saved it on the web console: it replaces the
    YAML's unit of the same key (or adds one); `unit` is None when the unit was removed. The
    YAML seeds the chart, these rows are laid over it at every start (`qunzhu.core.org`)."""

    __tablename__ = "core_org_edit"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    edited_by: Mapped[int | None] = mapped_column(Integer, default=None)
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


CORE_TABLES: tuple[str, ...] = tuple(
    m.__tablename__
    for m in (
        PersonRow,
        IdentityRow,
        RoleRow,
        DialogRow,
        InboxRow,
        CursorRow,
        OutboxRow,
        ChatRow,
        JobRow,
        WebLinkRow,
        WebSessionRow,
        OrgEditRow,
    )
)

#: The tables whose planner statistics the bot keeps fresh (`qunzhu.core.storage._statistics`):
#: it grows the people by first contacts and shrinks the inbox and outbox by pruning.
ANALYZED_TABLES: tuple[str, ...] = tuple(
    m.__tablename__ for m in (PersonRow, IdentityRow, InboxRow, OutboxRow)
)
