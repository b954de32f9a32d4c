"""complaints: a ticket's reason (rejected, duplicate, returned), who returned it, and its
escalation cards

Revision ID: 0002_complaints_reasons
Revises: 0001_complaints
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_complaints_reasons"
down_revision: str | None = "0001_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("returned_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("escalation_cards", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.drop_column("escalation_cards")
        batch_op.drop_column("returned_by")
        batch_op.drop_column("reason")
