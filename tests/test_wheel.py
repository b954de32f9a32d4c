"""The built wheel holds every file of the three code folders: a package missing from
``[tool.setuptools] packages`` still imports in the editable install, and only this test notices
that it is absent from what users install.

The wheel is built offline (``--no-build-isolation``, with the virtual environment's setuptools)
from a copy of the sources, so that a stale ``build/`` folder cannot fill in what is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
def wheel(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
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
    (built,) = out.glob("qunzhu-*.whl")
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
