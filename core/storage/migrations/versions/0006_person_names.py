"""people: indexes of their names

People are named by name in the YAML (a check-in's participants, a unit's members) and looked up
by their real or platform display name; a city has 300,000 of them, and each look-up by name
scanned the whole people table (issue 19: a check-in opened in 5,000 groups named 60,000 people).
(The identities by person are indexed by 0005_org_edit.)

Revision ID: 0006_person_names
Revises: 0005_org_edit
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_person_names"
down_revision: str | None = "0005_org_edit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("core_person", schema=None) as batch_op:
        batch_op.create_index("ix_core_person_display_name", ["display_name"], unique=False)
        batch_op.create_index("ix_core_person_real_name", ["real_name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("core_person", schema=None) as batch_op:
        batch_op.drop_index("ix_core_person_real_name")
        batch_op.drop_index("ix_core_person_display_name")
