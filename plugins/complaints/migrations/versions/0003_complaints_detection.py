"""complaints: each group's own decision to turn detection on or off (/detection)

Revision ID: 0003_complaints_detection
Revises: 0002_complaints_reasons
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_complaints_detection"
down_revision: str | None = "0002_complaints_reasons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaints_detection",
        sa.Column("chat", sa.String(length=300), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat", name=op.f("pk_complaints_detection")),
    )


def downgrade() -> None:
    op.drop_table("complaints_detection")
