"""`qunzhu.core.__all__` is the public API (httpx's ``tests/test_exported_members.py``): sorted,
without duplicates, every name real, every public name of ``core/__init__.py`` in it, and every
name in it documented in docs/plugins.md ("The public API")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import qunzhu.core

ROOT = Path(__file__).parents[1]
INIT = ROOT / "core" / "__init__.py"
DOC = ROOT / "docs" / "plugins.md"


def _ruff_order(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS (and ``N_``), then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_without_duplicates_and_every_name_exists() -> None:
    names = qunzhu.core.__all__
    assert names == sorted(names, key=_ruff_order)
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(qunzhu.core, name) is not None, name


def _top_level_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in _type_checking_imports(source) + ast.parse(source).body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _type_checking_imports(source: str) -> list[ast.stmt]:
    """The statements of the ``if TYPE_CHECKING:`` blocks (the package imports at first use)."""
    return [
        inner
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in node.body
    ]


def test_the_names_are_imported_from_where_the_package_says() -> None:
    """``core/_public.py`` (imported at the first use of a name) imports what the
    ``TYPE_CHECKING`` block of ``core/__init__.py`` (what mypy and readers see) says."""
    public = ast.parse((ROOT / "core" / "_public.py").read_text(encoding="utf-8")).body
    imports = [ast.unparse(n) for n in public if isinstance(n, ast.ImportFrom | ast.Import)]
    declared = [ast.unparse(n) for n in _type_checking_imports(INIT.read_text(encoding="utf-8"))]
    assert imports == declared
    assert declared


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        n
        for n in _top_level_names(INIT.read_text(encoding="utf-8"))
        if not n.startswith("_") and n not in ("annotations", "TYPE_CHECKING", "Any")
    }
    assert public == set(qunzhu.core.__all__)


def test_every_name_in_all_is_documented() -> None:
    section = DOC.read_text(encoding="utf-8").partition("\n## The public API\n")[2]
    assert section, "docs/plugins.md has no '## The public API' section"
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)[`(]", section))
    missing = sorted(set(qunzhu.core.__all__) - documented, key=_ruff_order)
    assert missing == [], f"add these to '## The public API' of docs/plugins.md: {missing}"


def test_a_missing_or_unsorted_name_is_caught() -> None:
    source = "from x import A, b\n__all__ = ['b', 'A']\n"
    assert _top_level_names(source) == {"A", "b", "__all__"}
    assert sorted(["b", "A"], key=_ruff_order) != ["b", "A"]
