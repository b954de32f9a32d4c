"""``qunzhu db revision --plugin NAME``: a plugin's next migration written from its tables.

The plugin is a package in ``tmp_path`` with a ``.dist-info`` folder naming its entry point, so
that ``qunzhu`` run with that folder on ``PYTHONPATH`` finds it as if it were installed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

NOTE = """
class Note(Base):
    __tablename__ = "notes_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
"""
TAG = """
class Tag(Base):
    __tablename__ = "notes_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes_note.id"), index=True)
    label: Mapped[str] = mapped_column(String(50))
"""
HOOKS = """
from pathlib import Path

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, hookimpl
{tables}

@hookimpl
def register_models():
    return [{models}]


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"
"""


def _write_plugin(site: Path, *models: str) -> Path:
    package = site / "qunzhu_notes"
    package.mkdir(parents=True, exist_ok=True)
    tables = "".join(NOTE if m == "Note" else TAG for m in models)
    code = HOOKS.format(tables=tables, models=", ".join(models))
    (package / "__init__.py").write_text(code, encoding="utf-8")
    dist = site / "qunzhu_notes-0.1.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: qunzhu-notes\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[qunzhu.plugins]\nnotes = qunzhu_notes\n")
    return package / "migrations" / "versions"


def _qunzhu(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "QUNZHU_LOG_LEVEL": "WARNING"}
    env.pop("QUNZHU_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "qunzhu.core.cli", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_a_declared_table_gets_its_migration(tmp_path: Path) -> None:
    versions = _write_plugin(tmp_path / "site", "Note")
    first = _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "the note table")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"wrote {versions.resolve() / '0001_notes.py'}"
    code = (versions / "0001_notes.py").read_text(encoding="utf-8")
    assert code.startswith('"""notes: the note table\n')
    assert re.search(r"branch_labels: .* = \(['\"]notes['\"],\)", code)
    assert re.search(r"down_revision: .* = None", code)
    assert _qunzhu(tmp_path, "db", "upgrade").returncode == 0

    _write_plugin(tmp_path / "site", "Note", "Tag")
    refused = _qunzhu(tmp_path, "db", "upgrade")
    assert refused.returncode == 1
    assert "declared tables that no migration creates: notes_tag" in refused.stderr
    assert '`qunzhu db revision --plugin notes -m "..."`' in refused.stderr

    second = _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "Tags on notes")
    assert second.returncode == 0, second.stderr
    code = (versions / "0002_notes_tags_on_notes.py").read_text(encoding="utf-8")
    assert re.search(r"down_revision: .* = ['\"]0001_notes['\"]", code)
    assert re.search(r"branch_labels: .* = None", code)
    assert re.findall(r"create_table\(\s*['\"](\w+)['\"]", code) == ["notes_tag"]
    assert "notes_note" in code  # the foreign key, not a second create_table
    assert "drop_table" in code  # downgrade

    upgraded = _qunzhu(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip().endswith(": up to date")
    again = _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "nothing")
    assert again.stdout.strip() == "notes: the tables match the migrations, nothing to write"
    assert sorted(p.name for p in versions.glob("*.py")) == [
        "0001_notes.py",
        "0002_notes_tags_on_notes.py",
    ]


def test_an_unknown_plugin_is_named(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    done = _qunzhu(tmp_path, "db", "revision", "--plugin", "nope", "-m", "x")
    assert done.returncode == 1
    assert done.stderr.startswith("qunzhu: no plugin named 'nope' is installed (installed: ")


def test_an_editable_install_of_links_keeps_the_first_migration(tmp_path: Path) -> None:
    """The strict editable install gives the plugin a folder of links to its sources: the next
    revision was taken for the first (the links did not count as the plugin's), written through
    the link's name and overwrote 0001 in the sources."""
    versions = _write_plugin(tmp_path / "site", "Note")
    assert _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "notes").returncode == 0
    source = tmp_path / "src"
    source.mkdir()
    (versions / "0001_notes.py").rename(source / "0001_notes.py")
    (versions / "0001_notes.py").symlink_to(source / "0001_notes.py")
    first = (source / "0001_notes.py").read_text(encoding="utf-8")
    _write_plugin(tmp_path / "site", "Note", "Tag")
    # a long message: the id stays within alembic_version's VARCHAR(32) (PostgreSQL refused it)
    message = "tags reported signed off or given back with their evidence"
    second = _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", message)
    assert second.returncode == 0, second.stderr
    written = source / "0002_notes_tags_reported_signed.py"
    assert second.stdout.strip() == f"wrote {written}"
    assert len(written.stem) <= 32
    assert (source / "0001_notes.py").read_text(encoding="utf-8") == first
    assert "create_table" in written.read_text(encoding="utf-8")


def test_an_editable_install_s_linked_migrations_are_not_overwritten(tmp_path: Path) -> None:
    """A strict editable install presents the plugin's migrations as links to the source
    tree's files: the next revision was taken for the first (its 0001 overwritten through the
    link); it is the next one, written beside the source's files."""
    versions = _write_plugin(tmp_path / "site", "Note")
    assert _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "notes").returncode == 0
    source = tmp_path / "source"
    source.mkdir()
    first = (versions / "0001_notes.py").rename(source / "0001_notes.py")
    (versions / "0001_notes.py").symlink_to(first)
    before = first.read_text(encoding="utf-8")
    _write_plugin(tmp_path / "site", "Note", "Tag")
    second = _qunzhu(tmp_path, "db", "revision", "--plugin", "notes", "-m", "Tags on notes")
    assert second.returncode == 0, second.stderr
    assert first.read_text(encoding="utf-8") == before
    code = (source / "0002_notes_tags_on_notes.py").read_text(encoding="utf-8")
    assert re.search(r"down_revision: .* = ['\"]0001_notes['\"]", code)


def test_every_shipped_migration_id_fits_postgresql_s_alembic_version() -> None:
    # 0004_promotions_sharing_who_shared_a_copy_and (45 characters), written by hand before
    # `db revision` kept ids short, upgraded on SQLite and failed every PostgreSQL upgrade
    found = {}
    for path in ROOT.glob("*/**/migrations/versions/*.py"):
        if ".venv" in path.parts:
            continue
        match = re.search(r'^revision: str = "([^"]+)"', path.read_text(), re.MULTILINE)
        if match is not None:
            found[path.relative_to(ROOT).as_posix()] = match[1]
    assert len(found) >= 10, found
    too_long = {path: rid for path, rid in found.items() if len(rid) > 32}
    assert not too_long, "alembic_version.version_num is a VARCHAR(32) on PostgreSQL"
