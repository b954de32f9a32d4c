"""`run_demo`: a documented console session, run as a reader would: the repository's docs/
copied into a fresh folder, ``qunzhu run`` with the session's lines as its input, no
``QUNZHU_*`` variable of the test run leaking in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ENTRY_POINT", "MODULE", "run_demo"]

ROOT = Path(__file__).resolve().parents[2]
#: The installed ``qunzhu`` command, and the same run as a module.
ENTRY_POINT = [str(Path(sys.executable).parent / "qunzhu")]
MODULE = [sys.executable, "-m", "qunzhu.core.cli"]


def run_demo(
    tmp_path: Path, script: str, *args: str, command: Sequence[str] = MODULE
) -> subprocess.CompletedProcess[str]:
    """``qunzhu run *args < docs/<script>`` in `tmp_path`; it must exit 0."""
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUNZHU")}
    out = subprocess.run(
        [*command, "run", *args],
        input=(ROOT / "docs" / script).read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out
