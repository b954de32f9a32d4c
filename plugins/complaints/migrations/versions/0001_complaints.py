"""complaints: tickets, their timeline, the yearly counter, followers, pending reports

Revision ID: 0001_complaints
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_complaints"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("complaints",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaints_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_complaints_counter")),
    )
    op.create_table(
        "complaints_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=600), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_pending")),
    )
    op.create_index(
        op.f("ix_complaints_pending_source"), "complaints_pending", ["source"], unique=False
    )
    op.create_table(
        "complaints_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_key", sa.String(length=300), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), nullable=False),
        sa.Column("reporter_phone", sa.String(length=64), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_chat", sa.String(length=300), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("source_event", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_name", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolve_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_ack", sa.Boolean(), nullable=False),
        sa.Column("notified_resolve", sa.Boolean(), nullable=False),
        sa.Column("escalation", sa.Integer(), nullable=False),
        sa.Column("metoo", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("card_chat", sa.String(length=300), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolution_photos", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.String(length=16), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_ticket")),
        sa.UniqueConstraint("external_id", name=op.f("uq_complaints_ticket_external_id")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_ticket_number")),
        sa.UniqueConstraint("year", "seq", name=op.f("uq_complaints_ticket_year_seq")),
    )
    op.create_index(
        "ix_complaints_ticket_category_created",
        "complaints_ticket",
        ["category", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_complaints_ticket_status_department",
        "complaints_ticket",
        ["status", "department"],
        unique=False,
    )
    op.create_table(
        "complaints_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["complaints_ticket.id"],
            name=op.f("fk_complaints_event_ticket_id_complaints_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_event")),
    )
    op.create_index(
        op.f("ix_complaints_event_ticket_id"), "complaints_event", ["ticket_id"], unique=False
    )
    op.create_table(
        "complaints_follower",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_key", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("chat", sa.String(length=300), nullable=False),
        sa.Column("chat_kind", sa.String(length=16), nullable=False),
        sa.Column("reply_to", sa.String(length=255), nullable=True),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["complaints_ticket.id"],
            name=op.f("fk_complaints_follower_ticket_id_complaints_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_follower")),
        sa.UniqueConstraint(
            "ticket_id", "user_key", name=op.f("uq_complaints_follower_ticket_id_user_key")
        ),
    )
    op.create_index(
        op.f("ix_complaints_follower_ticket_id"), "complaints_follower", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_complaints_follower_ticket_id"), table_name="complaints_follower")
    op.drop_table("complaints_follower")
    op.drop_index(op.f("ix_complaints_event_ticket_id"), table_name="complaints_event")
    op.drop_table("complaints_event")
    op.drop_index("ix_complaints_ticket_status_department", table_name="complaints_ticket")
    op.drop_index("ix_complaints_ticket_category_created", table_name="complaints_ticket")
    op.drop_table("complaints_ticket")
    op.drop_index(op.f("ix_complaints_pending_source"), table_name="complaints_pending")
    op.drop_table("complaints_pending")
    op.drop_table("complaints_counter")
