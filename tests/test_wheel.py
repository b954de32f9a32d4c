"""The built wheel holds every file of the three code folders: a package missing from
``[tool.setuptools] packages`` still imports in the editable install, and only this test notices
that it is absent from what users install. Then it is installed as a new user would, in a fresh
virtual environment without extras: the console runs, a Telegram config stops with one line
naming the extra, and the commands that need no platform (``config schema/check/show``, ``db
upgrade``) work without any adapter secret.

Offline: the wheel goes in with ``pip --no-index --no-deps``, and its dependencies (those of a
plain ``pip install qunzhu``, no extra) come from this test environment's site-packages, linked
one distribution at a time into a folder that a ``.pth`` file adds to the new environment. So
aiogram, matrix-nio and asyncpg, which the dev extra installed here, are absent there as they
would be for the user.

The wheel is built offline (``--no-build-isolation``, with the virtual environment's setuptools)
from a copy of the sources, so that a stale ``build/`` folder cannot fill in what is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
#: The folders that install as ``qunzhu.<name>``.
CODE = ("core", "adapters", "plugins")

pytestmark = pytest.mark.slow


def _sources() -> list[str]:
    """Every file of the code folders, as its path in the wheel (``qunzhu/core/app.py``)."""
    found = []
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*")):
            parts = path.relative_to(ROOT).parts
            if path.is_dir() or "__pycache__" in parts or path.suffix in (".pyc", ".mo"):
                continue
            found.append("/".join(("qunzhu", *parts)))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", *CODE):
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, src / name)
    out = tmp / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("qunzhu-*.whl")
    return found


@pytest.fixture(scope="module")
def wheel(built: Path) -> set[str]:
    """The names of the files in the wheel."""
    with zipfile.ZipFile(built) as zf:
        return set(zf.namelist())


def test_every_file_of_the_code_folders_is_in_the_wheel(wheel: set[str]) -> None:
    missing = [name for name in _sources() if name not in wheel]
    assert not missing, f"not in the wheel (list the package or its data in pyproject): {missing}"


def test_the_wheel_ships_the_type_markers_catalogs_and_migrations(wheel: set[str]) -> None:
    for marker in ("qunzhu/core/py.typed", "qunzhu/adapters/py.typed", "qunzhu/plugins/py.typed"):
        assert marker in wheel
    assert "qunzhu/core/i18n/locale/zh_Hans/LC_MESSAGES/qunzhu.po" in wheel
    assert "qunzhu/core/storage/migrations/script.py.mako" in wheel
    for plugin in ("checkins", "complaints", "promotions"):
        assert f"qunzhu/plugins/{plugin}/locale/{plugin}.pot" in wheel
        assert any(n.startswith(f"qunzhu/plugins/{plugin}/migrations/versions/") for n in wheel)


def test_no_code_folder_lands_at_the_top_level(wheel: set[str]) -> None:
    tops = {name.split("/")[0] for name in wheel}
    assert tops == {"qunzhu", next(t for t in tops if t.endswith(".dist-info"))}


def test_the_wheel_carries_the_license(wheel: set[str]) -> None:
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel)


TELEGRAM = "adapters:\n  telegram:\n    token: ${TELEGRAM_TOKEN}\n"


def _closure(name: str, extras: frozenset[str] = frozenset()) -> dict[str, Distribution]:
    """The installed distributions that `name` (with `extras`) needs, itself excluded."""
    found: dict[str, Distribution] = {}
    todo = [(name, extras)]
    while todo:
        current, wanted = todo.pop()
        for line in distribution(current).requires or ():
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({"extra": extra}) for extra in (wanted or {""})
            ):
                continue
            key = canonicalize_name(req.name)
            try:
                dist = distribution(req.name)
            except PackageNotFoundError:
                continue  # an optional dependency of a dependency that this platform skips
            if key not in found:
                found[key] = dist
                todo.append((req.name, frozenset(req.extras)))
    return found


def _link_dependencies(target: Path) -> None:
    """Link the top-level files of qunzhu's dependencies into `target`."""
    target.mkdir()
    for dist in _closure("qunzhu").values():
        base = Path(str(dist.locate_file("")))
        for file in dist.files or ():
            top = file.parts[0]
            if top == ".." or (target / top).exists() or top == "__pycache__":
                continue
            (target / top).symlink_to(base / top)


@pytest.fixture(scope="module")
def venv(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and, linked, its plain dependencies."""
    tmp = tmp_path_factory.mktemp("fresh")
    env = tmp / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120
    )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install",
         "--quiet", "--no-index", "--no-deps", "--no-compile", str(built)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    _link_dependencies(tmp / "deps")
    (site,) = (env / "lib").glob("python3*/site-packages")
    (site / "qunzhu_test_deps.pth").write_text(f"{tmp / 'deps'}\n", encoding="utf-8")
    return env


def _run(
    venv: Path, *args: str, cwd: Path, stdin: str = "", **variables: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUNZHU", "TELEGRAM"))}
    env.update(variables, PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return subprocess.run(
        [str(venv / "bin" / "qunzhu"), *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=env, check=False, timeout=120,
    )  # fmt: skip


def test_the_fresh_environment_has_no_platform_library(venv: Path) -> None:
    probe = (
        "import importlib.util as u; "
        "print([m for m in ('aiogram', 'nio', 'asyncpg') if u.find_spec(m)])"
    )
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        capture_output=True, text=True, check=True, cwd=venv, timeout=60,
    )  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_version(venv: Path, tmp_path: Path) -> None:
    done = _run(venv, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"qunzhu, version {distribution('qunzhu').version}"


def test_the_console_reads_a_script_and_answers(venv: Path, tmp_path: Path) -> None:
    done = _run(venv, "run", stdin="/as 王书记\n/whoami\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "王书记" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "qunzhu.db").exists()


def test_a_telegram_config_names_the_extra_in_one_line(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(TELEGRAM, encoding="utf-8")
    done = _run(venv, "run", "-c", "q.yaml", cwd=tmp_path, TELEGRAM_TOKEN="123456:ABC-def")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "qunzhu: adapters.telegram: the telegram adapter needs aiogram, which is not installed: "
        "pip install 'qunzhu[telegram]'"
    )


def test_config_and_db_commands_need_no_platform_and_no_secret(venv: Path, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(TELEGRAM, encoding="utf-8")
    schema = _run(venv, "config", "schema", cwd=tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert "telegram" in json.loads(schema.stdout)["properties"]["adapters"]["properties"]
    check = _run(venv, "config", "check", "--without-secrets", "q.yaml", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("q.yaml: OK (1 adapter(s), ")
    show = _run(venv, "config", "show", "-c", "q.yaml", cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    assert "token: '***'" in show.stdout
    upgrade = _run(venv, "db", "upgrade", "-c", "q.yaml", cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert upgrade.stdout.strip() == "sqlite+aiosqlite:///qunzhu.db: up to date"
    for done in (schema, check, show, upgrade):
        assert "Traceback" not in done.stderr
