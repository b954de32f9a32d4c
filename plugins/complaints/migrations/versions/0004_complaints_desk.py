"""complaints: the problem desk: a leader's instruction (批示) on a ticket, the group of an
offer, and the indexes the desk reads by (the offers of a group, the tickets of a group)

Revision ID: 0004_complaints_desk
Revises: 0003_complaints_detection
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_complaints_desk"
down_revision: str | None = "0003_complaints_detection"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints_pending", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chat", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.create_index(
            "ix_complaints_pending_kind_chat",
            ["kind", "ticket_id", "chat", "created_at"],
            unique=False,
        )
    # offers made before: their group is the first word of `source` ("chat key" + " " + event)
    op.execute(
        "UPDATE complaints_pending SET chat = substr(source, 1, instr(source, ' ') - 1) "
        "WHERE kind = 'offer' AND instr(source, ' ') > 0"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE complaints_pending SET chat = split_part(source, ' ', 1) "
        "WHERE kind = 'offer' AND position(' ' in source) > 0"
    )
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instruction", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("instructed_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_index(
            "ix_complaints_ticket_source_chat_status", ["source_chat", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints_ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_ticket_source_chat_status")
        batch_op.drop_column("instructed_by")
        batch_op.drop_column("instruction")
    with op.batch_alter_table("complaints_pending", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_pending_kind_chat")
        batch_op.drop_column("chat")
