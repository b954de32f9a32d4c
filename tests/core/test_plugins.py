"""Loading plugins: entry points, built-ins, misspelled hooks, clashing commands, migrations."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import EntryPoint
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, Context, command, hookimpl
from qunzhu.core import plugins as plugins_module
from qunzhu.core.errors import PluginError, StorageError
from qunzhu.core.plugins import BUILTIN_PLUGINS, PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import pending_differences, upgrade

GREETER = Path(__file__).parents[2] / "docs" / "examples" / "greeter"


class Orphan(Base):
    """A table some plugin declares but ships no migration for."""

    __tablename__ = "orphans_thing"
    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def greeter() -> ModuleType:
    """The example plugin of docs/plugins.md, imported once per test session."""
    if str(GREETER) not in sys.path:
        sys.path.insert(0, str(GREETER))
    return importlib.import_module("qunzhu_greeter")


def test_builtins_are_registered_like_any_plugin() -> None:
    ps = PluginSet.collect(load_plugins(entry_points_enabled=False))
    assert [n for n, _ in BUILTIN_PLUGINS] == [n for n in ps.names if n.startswith("core.")][
        ::-1
    ] or set(n for n, _ in BUILTIN_PLUGINS) <= set(ps.names)
    assert {"help", "帮助", "whoami", "role", "lang", "cancel", "取消"} <= set(ps.commands)


def test_plugins_are_found_by_entry_point(
    monkeypatch: pytest.MonkeyPatch, greeter: ModuleType
) -> None:
    ep = EntryPoint(name="greeter", value="qunzhu_greeter", group="qunzhu.plugins")
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: [ep])
    ps = PluginSet.collect(load_plugins())
    assert "greeter" in ps.names
    assert ps.commands["visits"].plugin == "greeter"
    assert ps.commands["来访"] is ps.commands["visits"]
    assert "greeter" in ps.config_models and "greeter" in ps.migrations
    disabled = PluginSet.collect(load_plugins(disabled=["greeter"]))
    assert "greeter" not in disabled.names


def test_a_broken_entry_point_names_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = EntryPoint(name="broken", value="no_such_module_xyz", group="qunzhu.plugins")
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: [ep])
    with pytest.raises(PluginError, match="plugin 'broken' .* could not be loaded"):
        load_plugins()


def test_a_misspelled_hook_stops_start_up() -> None:
    class Typo:
        @hookimpl
        def on_mesage(self, ctx: Context) -> None:  # sic
            pass

    with pytest.raises(PluginError, match="on_mesage"):
        load_plugins([("typo", Typo())], entry_points_enabled=False)


def test_duplicate_command_names_stop_start_up() -> None:
    class Other:
        @hookimpl
        def register_commands(self) -> Sequence[Any]:
            @command("whoami2", aliases=["帮助"])
            async def clash(ctx: Context) -> None:
                pass

            return [clash]

    with pytest.raises(
        PluginError, match=r"/帮助 is declared by plugin '(other|core.help)' and by"
    ):
        PluginSet.collect(load_plugins([("other", Other())], entry_points_enabled=False))


def test_a_failing_register_hook_names_the_plugin() -> None:
    class Bad:
        @hookimpl
        def register_commands(self) -> Sequence[Any]:
            raise RuntimeError("oops")

    with pytest.raises(PluginError, match="plugin 'bad' failed in register_commands: oops"):
        PluginSet.collect(load_plugins([("bad", Bad())], entry_points_enabled=False))


async def test_migrations_of_the_core_and_a_plugin(tmp_path: Path, greeter: ModuleType) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    ps = PluginSet.collect(load_plugins([("greeter", greeter)], entry_points_enabled=False))
    await upgrade(db, ps)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"core_person", "core_identity", "core_role", "core_dialog", "greeter_visit"} <= tables
    assert await pending_differences(db, ps) == []
    await upgrade(db, ps)  # a second run changes nothing
    await db.dispose()


async def test_a_plugin_table_without_a_migration_stops_start_up(tmp_path: Path) -> None:
    class Orphans:
        @hookimpl
        def register_models(self) -> Sequence[type[Base]]:
            return [Orphan]

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    ps = PluginSet.collect(load_plugins([("orphans", Orphans())], entry_points_enabled=False))
    try:
        with pytest.raises(StorageError, match="orphans_thing"):
            await upgrade(db, ps)
    finally:
        await db.dispose()
