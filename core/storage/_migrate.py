"""Alembic migrations for the core and for every plugin that stores tables.

The core's revisions live in ``core/migrations/versions`` (branch ``core``); each plugin returns
its own folder from `register_migrations` (branch: the plugin's name). ``qunzhu db upgrade`` and
the automatic upgrade of the default SQLite database run every branch to its head; afterwards the
schema is compared with the declared models, so a table without a migration stops start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet
from qunzhu.core.storage._database import Base, Database
from qunzhu.core.storage._tables import CORE_TABLES

__all__ = ["alembic_config", "check_current", "pending_differences", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(plugins: PluginSet) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    locations = [str(MIGRATIONS / "versions"), *(str(p) for p in plugins.migrations.values())]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    return cfg


async def upgrade(db: Database, plugins: PluginSet, target: str = "heads") -> None:
    """Run every branch up to `target`, then check the schema matches the declared models."""
    cfg = alembic_config(plugins)

    def run(conn: Any) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)
    diffs = await pending_differences(db, plugins)
    if diffs:
        raise StorageError(_describe(diffs, plugins))


async def check_current(db: Database, plugins: PluginSet) -> None:
    """Fail unless the database is at every branch's head (``qunzhu db upgrade`` was run)."""
    script = ScriptDirectory.from_config(alembic_config(plugins))
    heads = set(script.get_heads())

    def current(conn: Any) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with db.engine.connect() as conn:
        have = await conn.run_sync(current)
    if have != heads:
        msg = (
            f"the database {db.display_url} is not up to date (at {sorted(have) or 'nothing'}, "
            f"code expects {sorted(heads)}): run `qunzhu db upgrade`"
        )
        raise StorageError(msg)


async def pending_differences(db: Database, plugins: PluginSet) -> list[Any]:
    """Differences between the database and the tables of the core and of the loaded plugins
    (empty when they match). Tables of modules imported but not loaded as plugins are ignored."""
    wanted = MetaData(naming_convention=Base.metadata.naming_convention)
    names = set(CORE_TABLES)
    names |= {m.__tablename__ for models in plugins.models.values() for m in models}
    for table in Base.metadata.sorted_tables:
        if table.name in names:
            table.to_metadata(wanted)

    def compare(conn: Any) -> list[Any]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = list(compare_metadata(ctx, wanted))
        return [d for d in diffs if not (d[0] == "remove_table" and d[1].name not in names)]

    async with db.engine.connect() as conn:
        return await conn.run_sync(compare)


def _describe(diffs: list[Any], plugins: PluginSet) -> str:
    tables = sorted({str(getattr(d[1], "name", d[1])) for d in diffs if d[0] == "add_table"})
    if tables:
        owners = sorted(
            name
            for name, models in plugins.models.items()
            if any(m.__tablename__ in tables for m in models)
        )
        how = " or ".join(f'`qunzhu db revision --plugin {name} -m "..."`' for name in owners)
        return (
            "declared tables that no migration creates: "
            + ", ".join(tables)
            + f" (write the migration with {how or '`qunzhu db revision`'}, "
            "in the folder the plugin returns from register_migrations)"
        )
    return f"the database schema differs from the declared models: {diffs[:5]}"
