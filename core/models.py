"""The core's own tables: people, their platform identities and roles, and open dialogs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qunzhu.core.storage import Base

__all__ = ["CORE_TABLES", "DialogRow", "IdentityRow", "PersonRow", "RoleRow"]


class PersonRow(Base):
    __tablename__ = "core_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[str] = mapped_column(String(200), default="")
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
    person_id: Mapped[int] = mapped_column(ForeignKey("core_person.id", ondelete="CASCADE"))
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


CORE_TABLES: tuple[str, ...] = tuple(
    m.__tablename__ for m in (PersonRow, IdentityRow, RoleRow, DialogRow)
)
