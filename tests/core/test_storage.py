"""The default SQLite database: WAL, foreign keys, savepoints, and its upgrade at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import alembic_config
from qunzhu.core.testing import MemoryAdapter


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await db.dispose()


async def test_a_failed_statement_never_shows_the_values_bound_to_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The error of a failed insert is logged with its traceback by whoever catches it: it
    must not carry a caller's name or phone (issue 14)."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}", echo=True)
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (name TEXT, phone TEXT UNIQUE)"))
    values = {"name": "王女士", "phone": "13800000001"}
    with caplog.at_level("DEBUG"):
        async with db.session() as s, s.begin():
            await s.execute(text("INSERT INTO t VALUES (:name, :phone)"), values)
        with pytest.raises(IntegrityError) as failed:
            async with db.session() as s, s.begin():
                await s.execute(text("INSERT INTO t VALUES (:name, :phone)"), values)
    assert "13800000001" not in str(failed.value)
    assert "王女士" not in str(failed.value)
    assert "13800000001" not in caplog.text  # nor the echo, at any level
    await db.dispose()


async def test_savepoints_roll_back_only_their_part(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    async with db.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    async with db.session() as s, s.begin():
        await s.execute(text("INSERT INTO t VALUES (1)"))
        nested = await s.begin_nested()
        await s.execute(text("INSERT INTO t VALUES (2)"))
        await nested.rollback()
    async with db.session() as s:
        assert (await s.execute(text("SELECT x FROM t"))).scalars().all() == [1]
    await db.dispose()


async def test_the_default_sqlite_database_upgrades_itself_at_start(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"database:\n  url: sqlite+aiosqlite:///{tmp_path / 'auto.db'}\n", "utf-8")
    plugins = PluginSet.collect(load_plugins(entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models())
    app = App.build(settings, plugins, adapters={})
    await app.start()
    async with app.db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    heads = ScriptDirectory.from_config(alembic_config(plugins)).get_heads()
    assert [version] == heads
    await app.stop()


async def test_a_database_that_is_not_upgraded_stops_start_up(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    url = f"sqlite+aiosqlite:///{tmp_path / 'manual.db'}"
    path.write_text(f"database:\n  url: {url}\n  auto_upgrade: false\n", "utf-8")
    plugins = PluginSet.collect(load_plugins(entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models())
    app = App.build(settings, plugins, adapters={"memory": MemoryAdapter(clock=SystemClock())})
    with pytest.raises(StorageError, match="run `qunzhu db upgrade`"):
        await app.start()
    await app.db.dispose()
