"""``qunzhu run --workers N`` refuses, in one line with exit code 2 and before starting anything,
a config that N copies cannot share: SQLite, a dispatcher that is not shared, the console, a
WeCom AI bot (it sends through the one connection that receives; the run on PostgreSQL is
``tests/crash/test_supervisor.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main

PG = "postgresql+asyncpg://bot@127.0.0.1:5432/test"
TG = "adapters:\n  telegram:\n    token: '123456:TEST'\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUNZHU_CONFIG", raising=False)
    return CliRunner()


def _refused(runner: CliRunner, tmp_path: Path, yaml: str, workers: str = "2") -> str:
    (tmp_path / "q.yaml").write_text(yaml, encoding="utf-8")
    result = runner.invoke(main, ["run", "--workers", workers, "-c", "q.yaml"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_several_workers_on_sqlite_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = _refused(runner, tmp_path, "dispatcher:\n  shared: true\n" + TG)
    assert out.startswith("q.yaml: --workers 2 needs PostgreSQL: database.url is SQLite")


def test_several_workers_need_the_shared_dispatcher(runner: CliRunner, tmp_path: Path) -> None:
    out = _refused(runner, tmp_path, f"database:\n  url: {PG}\n" + TG, workers="3")
    assert out == "q.yaml: --workers 3 needs dispatcher.shared: true\n"


def test_the_console_is_never_supervised(runner: CliRunner, tmp_path: Path) -> None:
    out = _refused(runner, tmp_path, "bot:\n  language: en\n", workers="1")
    assert "the console adapter reads this terminal: run it without --workers" in out


WECOM = "adapters:\n  wecom:\n    bot_id: aibtest\n    secret: s3cret\n"


def test_several_workers_refuse_a_wecom_bot_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    shared = f"database:\n  url: {PG}\ndispatcher:\n  shared: true\n"
    out = _refused(runner, tmp_path, shared + WECOM)
    assert out.startswith("q.yaml: --workers 2: adapters.wecom runs in one process only: ")
    assert "long connection" in out and "without --workers" in out


def test_zero_workers_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["run", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output
