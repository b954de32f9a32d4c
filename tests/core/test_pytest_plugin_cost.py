"""qunzhu's pytest plugin costs nothing to projects that do not use it: pytest imports it in every
test run of the environment (it took one test from 0.48 s to 1.24 s), so importing it loads
neither the App nor SQLAlchemy; the ``bot`` fixture imports them when a test asks for it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "aiohttp", "alembic", "qunzhu.core.app", "qunzhu.core.testing.harness")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    loaded = _modules_after("import qunzhu.core.testing.plugin")
    assert "qunzhu.core.testing.plugin" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_public_names_still_import() -> None:
    loaded = _modules_after(
        "from qunzhu.core import Context, hookimpl\nfrom qunzhu.core.testing import BotHarness"
    )
    assert {"qunzhu.core.app", "qunzhu.core.testing.harness", "sqlalchemy"} <= loaded
