"""the web console's one-time links and sessions

Revision ID: 0004_web
Revises: 0003_inbox_unhandled
Create Date: 2026-12-07 22:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_web"
down_revision: str | None = "0003_inbox_unhandled"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_web_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["core_person.id"],
            name=op.f("fk_core_web_link_person_id_core_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_core_web_link")),
    )
    op.create_table(
        "core_web_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["core_person.id"],
            name=op.f("fk_core_web_session_person_id_core_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_core_web_session")),
    )
    with op.batch_alter_table("core_web_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_web_session_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("core_web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_web_session_person_id"))
    op.drop_table("core_web_session")
    op.drop_table("core_web_link")
