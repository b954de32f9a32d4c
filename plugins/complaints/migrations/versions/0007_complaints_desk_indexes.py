"""complaints: indexes for the problem desk and the overview at city scale: open tickets by
priority and deadlines (the urgent ones counted and ranked apart), by status and the deadline
to acknowledge (those late to acknowledge read in its order); (status, department) gains the
deadlines (the overdue counted by unit in the index's order)

Revision ID: 0007_complaints_desk_indexes
Revises: 0006_complaints_web_indexes
Create Date: 2026-12-08 01:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_complaints_desk_indexes"
down_revision: str | None = "0006_complaints_web_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaints_ticket_priority_due",
            ["priority", "status", "resolve_due", "acknowledge_due"],
            unique=False,
        )
        batch_op.create_index(
            "ix_complaints_ticket_status_ack", ["status", "acknowledge_due"], unique=False
        )
        batch_op.create_index(
            "ix_complaints_ticket_status_dept_due",
            ["status", "department", "resolve_due", "acknowledge_due"],
            unique=False,
        )
        batch_op.drop_index("ix_complaints_ticket_status_department")


def downgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_complaints_ticket_status_department", ["status", "department"], unique=False
        )
        batch_op.drop_index("ix_complaints_ticket_status_dept_due")
        batch_op.drop_index("ix_complaints_ticket_status_ack")
        batch_op.drop_index("ix_complaints_ticket_priority_due")
