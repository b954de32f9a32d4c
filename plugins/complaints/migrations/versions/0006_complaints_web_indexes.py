"""complaints: indexes for the web console's overview at city scale: tickets by creation
time (the last 24 hours were a scan of every ticket), and open tickets by their deadlines (the
overdue ones counted from the index alone)

Revision ID: 0006_complaints_web_indexes
Revises: 0005_complaints_next_check
Create Date: 2026-12-07 22:39:56.168756
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_complaints_web_indexes"
down_revision: str | None = "0005_complaints_next_check"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_ticket_created", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_complaints_ticket_status_due",
            ["status", "resolve_due", "acknowledge_due", "department"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_ticket_status_due")
        batch_op.drop_index("ix_complaints_ticket_created")
