"""``logging:``: key=value text or one JSON object a line, and a rotated file."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from qunzhu.core._logging import JsonFormatter
from qunzhu.core.config.schema import LoggingSettings


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("qunzhu.app", logging.WARNING, __file__, 1, message, args, None)


def test_a_structured_event_becomes_json_fields() -> None:
    line = JsonFormatter().format(
        record(
            "event=database_unreachable db=%s attempt=%d error=%s",
            "postgresql+asyncpg://bot@db/q",
            2,
            "ConnectionRefusedError: [Errno 111] Connect call failed",
        )
    )
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "qunzhu.app"
    assert data["event"] == "database_unreachable"
    assert data["db"] == "postgresql+asyncpg://bot@db/q"
    assert data["attempt"] == "2"
    assert data["error"] == "ConnectionRefusedError: [Errno 111] Connect call failed"
    assert data["message"].startswith("event=database_unreachable")


def test_a_plain_message_and_an_exception() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        rec = logging.LogRecord(
            "qunzhu.dispatcher", logging.ERROR, __file__, 1, "中文 message", (), sys.exc_info()
        )
    data = json.loads(JsonFormatter().format(rec))
    assert data["message"] == "中文 message"
    assert "ValueError: broken" in data["exc"]


def test_run_writes_json_lines_to_a_rotated_file(tmp_path: Path) -> None:
    log_file = tmp_path / "qunzhu.log"
    config = tmp_path / "qunzhu.yaml"
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{tmp_path / 'bot.db'}\n"
        f"adapters:\n  console:\n"
        f"logging:\n  level: INFO\n  format: json\n  file: {log_file}\n"
        "  max_bytes: 10000\n  backups: 2\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "qunzhu.core.cli", "run", "-c", str(config)],
        input="/as 王书记\n/help\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
        env={"PATH": "/usr/bin:/bin", "QUNZHU_LOG_LEVEL": "INFO"},
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    ready = [line for line in lines if line.get("event") == "ready"]
    assert len(ready) == 1 and ready[0]["logger"] == "qunzhu.app"
    assert LoggingSettings().format == "text"  # the default stays key=value text


def test_a_worker_of_run_workers_says_which_it_is_and_writes_its_own_file(
    tmp_path: Path,
) -> None:
    """Workers of ``run --workers`` rotating one file under each other lose lines; in a shared
    journal nobody could tell which worker spoke."""
    code = (
        "import logging, sys\n"
        "from qunzhu.core._logging import setup_logging\n"
        "from qunzhu.core.config.schema import LoggingSettings\n"
        "fmt = sys.argv[2]\n"
        "setup_logging(LoggingSettings(format=fmt, file=sys.argv[1]), worker=2)\n"
        "logging.getLogger('qunzhu.app').warning('event=ready adapters=telegram')\n"
    )
    text = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "qunzhu.log"), "text"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert " WARNING qunzhu.app worker=2 event=ready adapters=telegram" in text.stderr
    assert not (tmp_path / "qunzhu.log").exists()
    assert "worker=2 event=ready" in (tmp_path / "qunzhu-2.log").read_text()
    js = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "q.log"), "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(js.stderr)["worker"] == 2
