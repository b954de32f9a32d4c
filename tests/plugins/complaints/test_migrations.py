"""The plugin's Alembic migration creates exactly the tables its models declare."""

from __future__ import annotations

from pathlib import Path

from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage import _migrate as migrate
from qunzhu.core.storage._database import Database
from qunzhu.plugins.complaints import hooks
from tests.conftest import create_pg_database, drop_pg_database


async def test_migrations_match_the_models(backend: str, tmp_path: Path) -> None:
    plugins = PluginSet.collect(load_plugins([("complaints", hooks)], entry_points_enabled=False))
    url = await create_pg_database() if backend == "postgres" else None
    db = Database(url or f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await migrate.upgrade(db, plugins)  # raises when a table or column differs
        assert await migrate.pending_differences(db, plugins) == []
    finally:
        await db.dispose()
        if url:
            await drop_pg_database(url)
