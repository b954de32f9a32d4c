"""units of the organisation edited on the web console, laid over the YAML's; people's
accounts indexed by person

Revision ID: 0005_org_edit
Revises: 0004_web
Create Date: 2026-12-07 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_org_edit"
down_revision: str | None = "0004_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_org_edit",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.JSON(), nullable=True),
        sa.Column("edited_by", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_core_org_edit")),
    )
    with op.batch_alter_table("core_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_identity_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("core_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_identity_person_id"))
    op.drop_table("core_org_edit")
