"""Migration 0003 (issue 15, item 2) on a database with tasks in it: the new columns of
``checkins_task`` get their defaults (no report, no returns, no sign-off), on SQLite and on
PostgreSQL, and the task reads as before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import alembic_config, upgrade
from qunzhu.plugins import checkins
from qunzhu.plugins.checkins.models import Task

from ...conftest import create_pg_database, drop_pg_database


async def test_tasks_of_before_get_the_new_columns(backend: str, tmp_path: Path) -> None:
    from alembic import command

    url = (
        await create_pg_database()
        if backend == "postgres"
        else f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    )
    db = Database(url)
    plugins = PluginSet.collect(load_plugins([("checkins", checkins)], entry_points_enabled=False))
    cfg = alembic_config(plugins)

    def before(conn: Any) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        command.downgrade(cfg, "checkins@0002_checkins_campaigns")

    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(before)
            await conn.execute(
                text(
                    "INSERT INTO checkins_task (chat, chat_kind, text, unit, assignees,"
                    " assignee_label, by_id, by_name, phrase, due_at, state, level, created_at,"
                    " done_by) VALUES ('memory:g', 'group', '整改', '', '[]', '住建局', 1, '王',"
                    " '', :at, 'open', 0, :at, '')"
                ),
                {"at": datetime(2026, 9, 30, 2, tzinfo=UTC)},
            )
        await upgrade(db, plugins)
        async with db.session() as s:
            task = (await s.scalars(select(Task))).one()
        assert (task.messages, task.material, task.report, task.pending, task.returns) == (
            [],
            {},
            {},
            {},
            [],
        )
        assert (task.signoff_id, task.accepted_by, task.state) == (None, "", "open")
    finally:
        await db.dispose()
        if backend == "postgres":
            await drop_pg_database(url)
