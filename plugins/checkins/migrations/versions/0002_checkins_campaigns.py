"""checkins: campaigns created in chat

Revision ID: 0002_checkins_campaigns
Revises: 0001_checkins
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_checkins_campaigns"
down_revision: str | None = "0001_checkins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins_campaign")),
        sa.UniqueConstraint("name", name=op.f("uq_checkins_campaign_name")),
    )
    op.create_index(op.f("ix_checkins_campaign_chat"), "checkins_campaign", ["chat"])


def downgrade() -> None:
    op.drop_index(op.f("ix_checkins_campaign_chat"), table_name="checkins_campaign")
    op.drop_table("checkins_campaign")
