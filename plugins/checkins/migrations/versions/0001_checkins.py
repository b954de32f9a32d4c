"""checkins: rounds, reports, acknowledgements, leave, tasks

Revision ID: 0001_checkins
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_checkins"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("checkins",)
depends_on: str | Sequence[str] | None = None

_OUTBOX_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkins_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("roster", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("summary_id", _OUTBOX_ID, nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_round")),
        sa.UniqueConstraint("campaign", "day", name=op.f("uq_checkins_round_campaign_day")),
    )
    op.create_index(op.f("ix_checkins_round_campaign"), "checkins_round", ["campaign"])
    op.create_index(op.f("ix_checkins_round_chat"), "checkins_round", ["chat"])
    op.create_table(
        "checkins_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("receipt_id", _OUTBOX_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["checkins_round.id"],
            name=op.f("fk_checkins_report_round_id_checkins_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_report")),
        sa.UniqueConstraint(
            "round_id", "person_id", name=op.f("uq_checkins_report_round_id_person_id")
        ),
    )
    op.create_index(op.f("ix_checkins_report_person_id"), "checkins_report", ["person_id"])
    op.create_table(
        "checkins_ack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["checkins_report.id"],
            name=op.f("fk_checkins_ack_report_id_checkins_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_ack")),
        sa.UniqueConstraint(
            "report_id", "person_id", name=op.f("uq_checkins_ack_report_id_person_id")
        ),
    )
    op.create_table(
        "checkins_leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_leave")),
    )
    op.create_index(op.f("ix_checkins_leave_person_id"), "checkins_leave", ["person_id"])
    op.create_table(
        "checkins_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("chat_kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("assignees", sa.JSON(), nullable=False),
        sa.Column("assignee_label", sa.String(length=200), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("card_id", _OUTBOX_ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_task")),
    )
    op.create_index(op.f("ix_checkins_task_chat"), "checkins_task", ["chat"])


def downgrade() -> None:
    op.drop_index(op.f("ix_checkins_task_chat"), table_name="checkins_task")
    op.drop_table("checkins_task")
    op.drop_index(op.f("ix_checkins_leave_person_id"), table_name="checkins_leave")
    op.drop_table("checkins_leave")
    op.drop_table("checkins_ack")
    op.drop_index(op.f("ix_checkins_report_person_id"), table_name="checkins_report")
    op.drop_table("checkins_report")
    op.drop_index(op.f("ix_checkins_round_chat"), table_name="checkins_round")
    op.drop_index(op.f("ix_checkins_round_campaign"), table_name="checkins_round")
    op.drop_table("checkins_round")
