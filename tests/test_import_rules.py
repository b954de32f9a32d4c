"""Who may import whom, held on the source (imports at any depth: inside functions and
``if TYPE_CHECKING:`` too):

* the core never imports ``qunzhu.adapters`` or ``qunzhu.plugins`` (it finds them through entry
  points, i.e. by strings);
* a plugin imports no adapter (``qunzhu.adapters``), no private core module (a dotted path with
  a ``_`` component), no core table (a name ending in ``Row``), and of the core only `PLUGIN_API`;
* an adapter imports no plugin, no private core module, and of the core only `ADAPTER_API`.

Each rule is shown to fail on a small source that breaks it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = {"core": "qunzhu.core", "adapters": "qunzhu.adapters", "plugins": "qunzhu.plugins"}

#: What plugins may import of the core: the public API (`qunzhu.core.__all__`), the web routes,
#: the pytest harness and the config types (``ChatKey`` for a plugin's own config model).
PLUGIN_API = frozenset(
    {"qunzhu.core", "qunzhu.core.config", "qunzhu.core.testing", "qunzhu.core.web"}
)
#: What adapters may import of the core: the adapter author's module (and the public API).
ADAPTER_API = frozenset({"qunzhu.core", "qunzhu.core.adapter"})


@dataclass(frozen=True)
class Imported:
    """One name an import statement brings in: `module` is the dotted module imported from
    (``from a.b import c`` → ``a.b``; ``import a.b`` → ``a.b``) and `name` what it imports."""

    line: int
    module: str
    name: str = ""


def imports(source: str, module: str, *, is_package: bool = False) -> list[Imported]:
    """Every import in `source` (the code of `module`), relative ones made absolute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Imported(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join([*parts[:keep], *([base] if base else [])])
            found += [Imported(node.lineno, base, alias.name) for alias in node.names]
    return found


def _private(imported: Imported) -> bool:
    dotted = [*imported.module.split("."), *([imported.name] if imported.name else [])]
    return any(part.startswith("_") and not part.startswith("__") for part in dotted)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _core_rules(imp: Imported, path: str) -> list[str]:
    return [
        f"the core imports {other}"
        for other in ("qunzhu.adapters", "qunzhu.plugins")
        if _within(imp.module, other)
    ]


def _outside_rules(imp: Imported, kind: str, other: str, api: frozenset[str]) -> list[str]:
    """The rules of a plugin or an adapter (`kind`), which must not import `other`."""
    core = _within(imp.module, "qunzhu.core")
    private = core and _private(imp)
    rules = [
        (_within(imp.module, other), f"{kind} imports {other}"),
        (private, f"{kind} imports a private core module"),
        (kind == "a plugin" and core and imp.name.endswith("Row"), f"{kind} imports a core table"),
        (
            core and not private and imp.module not in api,
            f"{kind} imports core beyond {sorted(api)}",
        ),
    ]
    return [rule for broken, rule in rules if broken]


def violations(source: str, path: str) -> list[str]:
    """The rules `source` (the file at `path`, relative to the repository) breaks, each as
    ``path:line: rule: what``."""
    folder = path.split("/", 1)[0]
    parts = [PACKAGES[folder], *Path(path).with_suffix("").parts[1:]]
    is_package = parts[-1] == "__init__"
    module = ".".join(parts[:-1] if is_package else parts)
    found = []
    for imp in imports(source, module, is_package=is_package):
        if folder == "core":
            rules = _core_rules(imp, path)
        elif folder == "plugins":
            rules = _outside_rules(imp, "a plugin", "qunzhu.adapters", PLUGIN_API)
        else:
            rules = _outside_rules(imp, "an adapter", "qunzhu.plugins", ADAPTER_API)
        what = f"{imp.module}.{imp.name}" if imp.name else imp.module
        found += [f"{path}:{imp.line}: {rule}: {what}" for rule in rules]
    return found


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_the_code_keeps_the_import_rules(folder: str) -> None:
    files = _sources(folder)
    assert len(files) > 10
    found = [
        line
        for file in files
        for line in violations(file.read_text(encoding="utf-8"), file.relative_to(ROOT).as_posix())
    ]
    assert found == []


# -- each rule can fail -------------------------------------------------------------------------
BROKEN = [
    (
        "core/app.py",
        "def f():\n    from qunzhu.plugins.complaints import hooks\n",
        "core/app.py:2: the core imports qunzhu.plugins",
    ),
    (
        "core/model/_events.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import qunzhu.adapters.matrix\n",
        "core/model/_events.py:3: the core imports qunzhu.adapters",
    ),
    (
        "plugins/complaints/hooks.py",
        "from qunzhu.adapters.telegram import TelegramAdapter\n",
        "plugins/complaints/hooks.py:1: a plugin imports qunzhu.adapters",
    ),
    (
        "plugins/complaints/hooks.py",
        "async def f():\n    from qunzhu.core.storage._tables import InboxRow\n",
        "plugins/complaints/hooks.py:2: a plugin imports a private core module",
    ),
    (
        "plugins/complaints/hooks.py",
        "from qunzhu.core.delivery import _outbox\n",
        "plugins/complaints/hooks.py:1: a plugin imports a private core module",
    ),
    (
        "plugins/promotions/progress.py",
        "from qunzhu.core.storage import OutboxRow\n",
        "plugins/promotions/progress.py:1: a plugin imports a core table",
    ),
    (
        "plugins/checkins/roster.py",
        "from qunzhu.core.people import parse_role\n",
        "plugins/checkins/roster.py:1: a plugin imports core beyond",
    ),
    (
        "adapters/matrix/send.py",
        "from qunzhu.plugins.promotions import hooks\n",
        "adapters/matrix/send.py:1: an adapter imports qunzhu.plugins",
    ),
    (
        "adapters/telegram/pace.py",
        "from qunzhu.core.delivery._ratelimit import Limit\n",
        "adapters/telegram/pace.py:1: an adapter imports a private core module",
    ),
    (
        "adapters/telegram/pace.py",
        "from qunzhu.core.errors import RetryLater\n",
        "adapters/telegram/pace.py:1: an adapter imports core beyond",
    ),
    (
        "core/delivery/__init__.py",
        "from ...plugins import checkins\n",
        "core/delivery/__init__.py:1: the core imports qunzhu.plugins",
    ),
]


@pytest.mark.parametrize(("path", "source", "expected"), BROKEN)
def test_each_rule_reports_file_line_and_rule(path: str, source: str, expected: str) -> None:
    assert any(v.startswith(expected) for v in violations(source, path)), violations(source, path)


def test_a_relative_import_inside_a_plugin_is_its_own_business() -> None:
    source = "from .models import Ticket\nfrom . import texts\nfrom qunzhu.core import Context\n"
    assert violations(source, "plugins/complaints/hooks.py") == []
