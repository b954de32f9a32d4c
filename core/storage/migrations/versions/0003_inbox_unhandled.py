"""inbox: partial indexes of the events still to handle

The index on (handled_at, id) held every event ever received, so the claims' look for the
unhandled ones walked an index that grew with the inbox, and every handled event rewrote an entry
of it. Two partial indexes hold only the events still to handle: the oldest overall (one worker)
and the oldest per chat (several workers, ``dispatcher.shared``).

Revision ID: 0003_inbox_unhandled
Revises: 0002_delivery
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_inbox_unhandled"
down_revision: str | None = "0002_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNHANDLED = sa.text("handled_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("core_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_core_inbox_pending")
        batch_op.create_index(
            "ix_core_inbox_unhandled",
            ["platform", "chat_id", "id"],
            unique=False,
            postgresql_where=_UNHANDLED,
            sqlite_where=_UNHANDLED,
        )
        batch_op.create_index(
            "ix_core_inbox_next",
            ["id"],
            unique=False,
            postgresql_where=_UNHANDLED,
            sqlite_where=_UNHANDLED,
        )


def downgrade() -> None:
    with op.batch_alter_table("core_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_core_inbox_next")
        batch_op.drop_index("ix_core_inbox_unhandled")
        batch_op.create_index("ix_core_inbox_pending", ["handled_at", "id"], unique=False)
