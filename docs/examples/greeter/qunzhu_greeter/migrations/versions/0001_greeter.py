"""greeter: the visit table

Revision ID: 0001_greeter
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_greeter"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("greeter",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "greeter_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_greeter_visit")),
    )
    op.create_index(op.f("ix_greeter_visit_chat"), "greeter_visit", ["chat"])


def downgrade() -> None:
    op.drop_index(op.f("ix_greeter_visit_chat"), table_name="greeter_visit")
    op.drop_table("greeter_visit")
