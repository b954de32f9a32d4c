"""Alembic environment: runs on the connection qunzhu hands over
(see qunzhu.core.storage._migrate)."""

from __future__ import annotations

from alembic import context

import qunzhu.core.storage._tables  # noqa: F401 - registers the core tables on Base.metadata
from qunzhu.core.storage._database import Base

connection = context.config.attributes.get("connection")
if connection is None:
    msg = "run migrations with `qunzhu db upgrade`, which passes the database connection"
    raise RuntimeError(msg)

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # `qunzhu db revision --plugin NAME` compares only that plugin's tables
    include_object=context.config.attributes.get("include_object"),
)
with context.begin_transaction():
    context.run_migrations()
