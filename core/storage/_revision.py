"""``qunzhu db revision --plugin NAME -m MESSAGE``: write a plugin's next migration from the
tables it declares.

A scratch SQLite database in a temporary folder is upgraded to every branch's head (the core's and
each plugin's); Alembic's autogenerate then compares it with the plugin's tables only (those its
`register_models` returns, and tables with its prefix that nobody declares any more) and writes
the difference as the next revision of the plugin's branch, into the folder its
`register_migrations` returns: ``0002_<name>_<words of the message>.py`` whose ``down_revision``
is the branch's head. A plugin's first revision carries the branch label, the plugin's name.

Autogenerate sees added and dropped tables, columns and indexes; it cannot tell a renamed column
from a dropped one and a new one, so read the file before committing it. Changes to existing
tables are written in batch mode (``op.batch_alter_table``), which SQLite needs and PostgreSQL runs
as plain ``ALTER TABLE``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory

from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import alembic_config
from qunzhu.core.storage._tables import CORE_TABLES

__all__ = ["write_revision"]

#: Words of the message kept in the revision id (and the file name).
_SLUG_CHARS = 32


async def write_revision(plugins: PluginSet, name: str, message: str) -> Path | None:
    """Write the next migration of plugin `name`; return its file, or None when the plugin's
    tables already match its migrations (nothing is written then)."""
    folder = _versions_folder(plugins, name)
    source = _source_of(folder)
    cfg = alembic_config(plugins)
    cfg.cmd_opts = argparse.Namespace(quiet=True)  # no "Generating ... done": we say what we wrote
    script = ScriptDirectory.from_config(cfg)
    mine = [r for r in script.walk_revisions() if Path(r.path).resolve().parent == source]
    heads = [r.revision for r in mine if r.is_head]
    if len(heads) > 1:
        msg = f"the migrations of {name} have several heads ({', '.join(sorted(heads))})"
        raise StorageError(msg)
    number = 1 + max((_number(r.revision) for r in mine), default=0)
    rev_id = f"{number:04d}_{name}" + (f"_{_slug(message, name)}" if mine else "")
    rev_id = rev_id.rstrip("_")
    text = message if message.startswith(f"{name}:") else f"{name}: {message}"
    cfg.set_main_option("file_template", "%%(rev)s")
    cfg.attributes["include_object"] = _only_tables_of(plugins, name)
    written: list[Any] = []

    def empty_means_nothing(context: Any, revision: Any, directives: list[Any]) -> None:
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []

    def run(conn: Any) -> None:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        made = command.revision(
            cfg,
            message=text,
            autogenerate=True,
            rev_id=rev_id,
            head=f"{name}@head" if mine else "base",
            branch_label=None if mine else name,
            version_path=str(folder),
            process_revision_directives=empty_means_nothing,
        )
        written.extend(made if isinstance(made, list) else [made])

    with tempfile.TemporaryDirectory(prefix="qunzhu-revision-") as tmp:
        database = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}")
        try:
            async with database.engine.begin() as conn:
                await conn.run_sync(run)
        finally:
            await database.dispose()
    if not written:
        return None
    path = Path(written[0].path)
    if path.parent.resolve() != source:  # written into an editable install's link farm
        path = Path(shutil.move(path, source / path.name))
    _format(path)
    return path


def _source_of(folder: Path) -> Path:
    """Where the migrations of `folder` really are: an editable install may present them as
    links to the files of the source tree (a new revision must be written there, and the
    revisions found there are the plugin's)."""
    for file in sorted(folder.glob("*.py")):
        if file.is_symlink():
            return file.resolve().parent
    return folder


def _versions_folder(plugins: PluginSet, name: str) -> Path:
    if name not in plugins.names:
        installed = ", ".join(n for n in plugins.names if not n.startswith("core.")) or "none"
        msg = f"no plugin named {name!r} is installed (installed: {installed})"
        raise StorageError(msg)
    folder = plugins.migrations.get(name)
    if folder is None:
        msg = (
            f"plugin {name!r} has no migrations folder: return one from its "
            "register_migrations hook (Path(__file__).parent / 'migrations' / 'versions')"
        )
        raise StorageError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def _only_tables_of(plugins: PluginSet, name: str) -> Any:
    """Alembic's ``include_object``: the plugin's declared tables, and tables with its prefix
    that no one declares (a table it dropped), with their columns, indexes and constraints."""
    declared = {m.__tablename__ for m in plugins.models.get(name, ())}
    others = set(CORE_TABLES) | {
        m.__tablename__ for n, models in plugins.models.items() if n != name for m in models
    }

    def include(obj: Any, object_name: str | None, type_: str, reflected: bool, _: Any) -> bool:
        if type_ == "table":
            table = object_name or ""
        else:
            owner = getattr(obj, "table", None)
            owner = owner if owner is not None else getattr(obj, "parent", None)
            table = getattr(owner, "name", "") or ""
        if table in declared:
            return True
        return table.startswith(f"{name}_") and table not in others

    return include


def _number(revision: str) -> int:
    found = re.match(r"\d+", revision)
    return int(found.group()) if found else 0


def _slug(message: str, name: str) -> str:
    words = re.findall(r"[a-z0-9]+", message.lower())
    if words and words[0] == name:
        words = words[1:]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > _SLUG_CHARS:
            break
        slug = f"{slug}_{word}" if slug else word
    return slug


def _format(path: Path) -> None:
    """Alembic writes single quotes and its own comments; ruff, when installed, formats the file
    as the rest of the code (the revision is fine without it)."""
    ruff = shutil.which("ruff")
    if ruff is not None:
        subprocess.run([ruff, "format", "--quiet", str(path)], check=False, timeout=60)
