"""promotions: a product's unit conversions (条 ≈ 4.5 斤, 箱 = 20 斤)

Revision ID: 0003_promotions_conversions
Revises: 0002_promotions_series
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_promotions_conversions"
down_revision: str | None = "0002_promotions_series"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "promotions_product",
        sa.Column("conversions", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("promotions_product") as batch:
        batch.drop_column("conversions")
