"""aiogram costs seconds and ~166 MB: it is imported only when a Telegram adapter is configured.
The Telegram package, its config model and its emulator are importable without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from click.testing import CliRunner
from qunzhu.core.cli import main
import qunzhu.adapters.telegram, qunzhu.adapters.telegram.config, qunzhu.adapters.telegram.emulator

result = CliRunner().invoke(main, ["config", "check", sys.argv[1]])
assert result.exit_code == 0, result.output
print(sorted(m for m in sys.modules if m.split(".")[0] == "aiogram"))
"""


def test_config_check_without_telegram_never_imports_aiogram(tmp_path: Path) -> None:
    config = tmp_path / "console.yaml"
    config.write_text("adapters:\n  console: {}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
