"""complaints: next_check_at (indexed), so that the overdue scan reads only the tickets that became
due since the last one; complaints_notice, the notices a long scan gathers before it posts them,
and complaints_notice_ticket, the tickets on a posted notice (to edit it when they move on)

Revision ID: 0005_complaints_next_check
Revises: 0004_complaints_desk
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_complaints_next_check"
down_revision: str | None = "0004_complaints_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Open with a department (or urgent and unrouted): from the first deadline; resolved: from the
#: resolution (the scan then sets the exact moment, as it does after every look).
_BACKFILL = """
UPDATE complaints_ticket SET next_check_at = CASE
    WHEN status IN ('assigned', 'acknowledged', 'in_progress', 'reopened')
         OR (status = 'new' AND priority = 'urgent')
        THEN CASE WHEN acknowledge_due < resolve_due THEN acknowledge_due ELSE resolve_due END
    WHEN status = 'resolved' THEN resolved_at
    ELSE NULL
END
"""


def upgrade() -> None:
    op.create_table(
        "complaints_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_notice")),
    )
    op.create_index(
        op.f("ix_complaints_notice_message_id"), "complaints_notice", ["message_id"], unique=False
    )
    op.create_table(
        "complaints_notice_ticket",
        sa.Column("notice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("notice_id", "ticket_id", name=op.f("pk_complaints_notice_ticket")),
    )
    op.create_index(
        op.f("ix_complaints_notice_ticket_ticket_id"),
        "complaints_notice_ticket",
        ["ticket_id"],
        unique=False,
    )
    with op.batch_alter_table("complaints_ticket") as batch:
        batch.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_complaints_ticket_next_check_at", ["next_check_at"], unique=False)
    op.execute(_BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("complaints_ticket") as batch:
        batch.drop_index("ix_complaints_ticket_next_check_at")
        batch.drop_column("next_check_at")
    op.drop_index(
        op.f("ix_complaints_notice_ticket_ticket_id"), table_name="complaints_notice_ticket"
    )
    op.drop_table("complaints_notice_ticket")
    op.drop_index(op.f("ix_complaints_notice_message_id"), table_name="complaints_notice")
    op.drop_table("complaints_notice")
