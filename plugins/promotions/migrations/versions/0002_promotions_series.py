"""promotions: recurring posts (series), the next free slot

Revision ID: 0002_promotions_series
Revises: 0001_promotions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_promotions_series"
down_revision: str | None = "0001_promotions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add = op.add_column
    add("promotions_post", sa.Column("free_slot", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))  # fmt: skip
    add("promotions_post", sa.Column("repeat", sa.JSON(), nullable=True))
    add("promotions_post", sa.Column("next_at", sa.DateTime(timezone=True), nullable=True))
    add("promotions_post", sa.Column("end_reason", sa.String(length=16), nullable=False,
                                     server_default=""))  # fmt: skip
    add("promotions_post", sa.Column("series_id", sa.Integer(), nullable=True))
    add("promotions_post", sa.Column("occurrence", sa.Integer(), nullable=False,
                                     server_default="0"))  # fmt: skip
    op.create_index(
        "ux_promotions_post_series", "promotions_post", ["series_id", "occurrence"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_promotions_post_series", table_name="promotions_post")
    with op.batch_alter_table("promotions_post") as batch:
        for column in ("occurrence", "series_id", "end_reason", "next_at", "repeat", "free_slot"):
            batch.drop_column(column)
