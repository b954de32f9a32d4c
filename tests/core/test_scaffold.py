"""``qunzhu plugin new NAME``: the package it writes passes its own tests at once, its first
migration creates exactly its table, and its catalogs are complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main


def _new(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["plugin", "new", *args])
    return result.exit_code, result.output


def _run(cwd: Path, *args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QUNZHU_CONFIG")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env,
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("made")
    code, output = _new("harvest_log", "--dir", str(parent))
    assert code == 0, output
    target = parent / "qunzhu-harvest-log"
    assert output.splitlines()[0] == f"wrote {target}"
    return target


def test_the_package_has_every_part(made: Path) -> None:
    files = sorted(p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "qunzhu_harvest_log/__init__.py",
        "qunzhu_harvest_log/locale/en/LC_MESSAGES/harvest_log.po",
        "qunzhu_harvest_log/locale/harvest_log.pot",
        "qunzhu_harvest_log/locale/zh_Hans/LC_MESSAGES/harvest_log.po",
        "qunzhu_harvest_log/locale/zh_Hant/LC_MESSAGES/harvest_log.po",
        "qunzhu_harvest_log/migrations/versions/0001_harvest_log.py",
        "tests/test_harvest_log.py",
    ]
    pyproject = (made / "pyproject.toml").read_text(encoding="utf-8")
    assert (
        '[project.entry-points."qunzhu.plugins"]\nharvest_log = "qunzhu_harvest_log"' in pyproject
    )
    assert 'asyncio_mode = "auto"' in pyproject


def test_the_new_plugin_passes_its_own_tests(made: Path) -> None:
    """Nothing installed: its pyproject puts the folder on pytest's path, and its test hands the
    plugin to the ``bot`` fixture through ``bot_plugins``."""
    done = _run(made, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 passed" in done.stdout


def test_its_first_migration_creates_its_table(made: Path) -> None:
    """Found through an entry point as if installed: ``db upgrade`` checks the migrated schema
    against the declared table, and ``db revision`` finds nothing left to write."""
    dist = made / "qunzhu_harvest_log-0.1.0.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: qunzhu-harvest-log\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[qunzhu.plugins]\nharvest_log = qunzhu_harvest_log\n", encoding="utf-8"
    )
    cli = ("-m", "qunzhu.core.cli")
    upgraded = _run(made, *cli, "db", "upgrade", pythonpath=made)
    assert upgraded.returncode == 0, upgraded.stderr
    same = _run(made, *cli, "db", "revision", "--plugin", "harvest_log", "-m", "x", pythonpath=made)
    assert same.stdout == "harvest_log: the tables match the migrations, nothing to write\n"
    shown = _run(made, *cli, "plugins", "list", pythonpath=made)
    assert "harvest_log\n  commands: /harvest_log\n" in shown.stdout


def test_its_catalogs_are_complete_and_current(made: Path) -> None:
    locale = made / "qunzhu_harvest_log" / "locale"
    before = {p: p.read_bytes() for p in locale.rglob("*.po*")}
    result = CliRunner().invoke(
        main,
        ["i18n", "update", "--domain", "harvest_log", "--locale-dir", str(locale),
         str(made / "qunzhu_harvest_log")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "zh_Hans: 0 untranslated" in result.output
    assert "zh_Hant: 0 untranslated" in result.output
    assert {p: p.read_bytes() for p in locale.rglob("*.po*")} == before


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Notes", "is not a plugin name"),
        ("my-notes", "is not a plugin name"),
        ("1notes", "is not a plugin name"),
        ("class", "is not a plugin name"),
        ("checkins", "a plugin named 'checkins' exists already"),
        ("help", "a plugin named 'help' exists already"),
    ],
)
def test_a_bad_name_is_refused(tmp_path: Path, name: str, why: str) -> None:
    code, output = _new(name, "--dir", str(tmp_path))
    assert code == 1
    assert why in output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "qunzhu-notes").mkdir()
    (tmp_path / "qunzhu-notes" / "mine.txt").write_text("keep")
    code, output = _new("notes", "--dir", str(tmp_path))
    assert code == 1
    assert "exists already: nothing was written" in output
    assert [p.name for p in (tmp_path / "qunzhu-notes").iterdir()] == ["mine.txt"]
