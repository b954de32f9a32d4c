"""A migration job or a CI check has the database's settings, not the bot's token: ``db
upgrade`` and ``config show`` stopped at "environment variable TELEGRAM_TOKEN is not set"; now
an unset ``${VAR}`` outside ``database:`` is kept as written and listed as a warning (``config
check`` does so with ``--without-secrets``, and still refuses it without: ``run`` would stop
there) (issue 16, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main

CONFIG = "adapters:\n  telegram:\n    token: ${TELEGRAM_TOKEN}\n    limits:\n      per_second: 20\n"
UNSET = "environment variable TELEGRAM_TOKEN is not set"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUNZHU_CONFIG", raising=False)
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    monkeypatch.delenv("DB_URL", raising=False)
    (tmp_path / "q.yaml").write_text(CONFIG, encoding="utf-8")
    return CliRunner()


def test_db_upgrade_needs_no_bot_token(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["db", "upgrade", "-c", "q.yaml"])
    assert result.exit_code == 0, result.output
    assert "sqlite+aiosqlite:///qunzhu.db: up to date" in result.output
    assert (tmp_path / "qunzhu.db").stat().st_size > 0


def test_config_show_without_the_token_shows_the_adapter_redacted(runner: CliRunner) -> None:
    result = runner.invoke(main, ["config", "show", "-c", "q.yaml"])
    assert result.exit_code == 0, result.output
    assert "  telegram:\n    enabled: true\n    token: '***'\n" in result.output
    assert "per_second: 20" in result.output


def test_config_check_refuses_an_unset_token_unless_told_the_secrets_are_elsewhere(
    runner: CliRunner,
) -> None:
    strict = runner.invoke(main, ["config", "check", "q.yaml"])
    assert strict.exit_code == 2
    assert strict.output.startswith(f"q.yaml:3:12: adapters.telegram.token: {UNSET}")
    lenient = runner.invoke(main, ["config", "check", "--without-secrets", "q.yaml"])
    assert lenient.exit_code == 0, lenient.output
    assert f"warning: q.yaml:3:12: adapters.telegram.token: {UNSET}" in lenient.output
    assert "kept as written" in lenient.output
    assert "q.yaml: OK (1 adapter(s), " in lenient.output


def test_the_database_url_is_needed_all_the_same(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text("database:\n  url: ${DB_URL}\n" + CONFIG, encoding="utf-8")
    result = runner.invoke(main, ["db", "upgrade", "-c", "q.yaml"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "q.yaml:2:8: database.url: environment variable DB_URL is not set "
        "(set it, or write ${DB_URL:-default} to give a default)"
    )
