"""promotions: when the sharer of an order was told of it

Revision ID: 0005_promotions_sharer_told
Revises: 0004_promotions_sharing
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_promotions_sharer_told"
down_revision: str | None = "0004_promotions_sharing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("promotions_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sharer_told_at", sa.DateTime(timezone=True), nullable=True))
    # the orders placed before sharers were told: as if told, so that none is told months late
    op.execute("UPDATE promotions_order SET sharer_told_at = created_at WHERE shared_by != ''")


def downgrade() -> None:
    with op.batch_alter_table("promotions_order", schema=None) as batch_op:
        batch_op.drop_column("sharer_told_at")
