"""The core's storage on PostgreSQL: migrations, people, roles and dialogs across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import check_current, upgrade
from qunzhu.core.testing import BotHarness

pytestmark = pytest.mark.postgres


async def test_migrations_on_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    ps = PluginSet.collect(load_plugins(entry_points_enabled=False))
    with pytest.raises(StorageError, match="qunzhu db upgrade"):
        await check_current(db, ps)
    await upgrade(db, ps)
    await check_current(db, ps)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"core_person", "core_identity", "core_role", "core_dialog"} <= tables
    await db.dispose()


async def test_people_roles_and_help_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    config = {
        "database": {"url": pg_url, "auto_upgrade": True},
        "bot": {"language": "en", "admins": ["memory:boss"]},
    }
    bot = await BotHarness.create(workdir=tmp_path, config=config)
    try:
        await bot.send("hi", user="li")
        [reply] = await bot.send("/role add li seller", user="boss")
        assert reply.text == "li now has the role seller."
        await bot.restart()
        li = await bot.app.people.find("memory:li")
        assert li is not None and li.has_role("seller")
    finally:
        await bot.close()
