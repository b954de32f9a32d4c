"""promotions: sharing: who shared a copy, and the sharer of an order

Revision ID: 0004_promotions_sharing
Revises: 0003_promotions_conversions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_promotions_sharing"
down_revision: str | None = "0003_promotions_conversions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("promotions_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("via", sa.String(length=16), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column(
                "shared_by", sa.String(length=255), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(
            sa.Column(
                "shared_name", sa.String(length=200), nullable=False, server_default=sa.text("''")
            )
        )

    with op.batch_alter_table("promotions_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "shared_by", sa.String(length=255), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.create_index(
            batch_op.f("ix_promotions_order_shared_by"), ["shared_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("promotions_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promotions_order_shared_by"))
        batch_op.drop_column("shared_by")

    with op.batch_alter_table("promotions_delivery", schema=None) as batch_op:
        batch_op.drop_column("shared_name")
        batch_op.drop_column("shared_by")
        batch_op.drop_column("via")
