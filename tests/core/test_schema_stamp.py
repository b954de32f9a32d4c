"""A SQLite database already upgraded by this very code starts without Alembic (the schema stamp),
and any change to the migrations, the models or the database's revisions upgrades and checks
again: a table without a migration still stops start-up."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, hookimpl
from qunzhu.core.app import App
from qunzhu.core.config import load_config
from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage import _migrate, _stamp

GREETER = Path(__file__).parents[2] / "docs" / "examples" / "greeter"


class Stray(Base):
    """A table a plugin declares without shipping a migration for it."""

    __tablename__ = "strays_thing"
    id: Mapped[int] = mapped_column(primary_key=True)


class Strays:
    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [Stray]


@pytest.fixture
def greeter() -> ModuleType:
    if str(GREETER) not in sys.path:
        sys.path.insert(0, str(GREETER))
    return importlib.import_module("qunzhu_greeter")


async def prepare(tmp_path: Path, plugins: Sequence[tuple[str, object]]) -> App:
    config = tmp_path / "qunzhu.yaml"
    url = f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"
    config.write_text(yaml.safe_dump({"database": {"url": url}}), encoding="utf-8")
    ps = PluginSet.collect(load_plugins(list(plugins), entry_points_enabled=False))
    app = App.build(load_config(config, plugin_models=ps.section_models()), ps, adapters={})
    try:
        await app.prepare_database()
    finally:
        await app.db.dispose()
    return app


async def test_a_database_upgraded_by_this_code_starts_without_alembic(
    tmp_path: Path, greeter: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await prepare(tmp_path, [("greeter", greeter)])  # first start: upgraded, stamped
    assert await _stamp.is_current(app.db, app.plugins)
    await app.db.dispose()

    async def no_alembic(*args: object) -> None:
        raise AssertionError("upgraded again")

    monkeypatch.setattr(_migrate, "upgrade", no_alembic)
    await prepare(tmp_path, [("greeter", greeter)])  # second start: stamp matches


async def test_a_new_table_without_a_migration_still_stops_a_stamped_database(
    tmp_path: Path, greeter: ModuleType
) -> None:
    await prepare(tmp_path, [("greeter", greeter)])
    with pytest.raises(StorageError, match="strays_thing"):
        await prepare(tmp_path, [("greeter", greeter), ("strays", Strays())])


async def test_a_database_moved_to_other_revisions_is_not_taken_as_current(
    tmp_path: Path, greeter: ModuleType
) -> None:
    app = await prepare(tmp_path, [("greeter", greeter)])
    try:
        async with app.db.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = 'elsewhere' "
                                    "WHERE version_num = '0001_greeter'"))  # fmt: skip
        assert not await _stamp.is_current(app.db, app.plugins)
    finally:
        await app.db.dispose()
