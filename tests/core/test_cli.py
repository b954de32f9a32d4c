"""The ``qunzhu`` command line, run as a person would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main
from tests.support.demo import run_demo

ROOT = Path(__file__).parents[2]
QUNZHU = [sys.executable, "-m", "qunzhu.core.cli"]


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUNZHU_CONFIG", raising=False)
    return CliRunner()


def test_config_check_ok(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text("bot:\n  language: en\n", encoding="utf-8")
    result = runner.invoke(main, ["config", "check", "q.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("q.yaml: OK (1 adapter(s), ")


def test_config_check_lists_every_problem_with_line_and_column(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "bot:\n  language: fr\n  nmae: x\ndatabse:\n  url: sqlite:///x.db\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["config", "check", "bad.yaml"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("bad.yaml:2:13: bot.language: ")
    assert lines[1].startswith("bad.yaml:3:3: bot.nmae: unknown key 'nmae' (did you mean 'name'?)")
    assert lines[2].startswith(
        "bad.yaml:4:1: databse: unknown key 'databse' (did you mean 'database'?)"
    )


def test_malformed_yaml_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("bot:\n  language: [en\n", encoding="utf-8")
    result = runner.invoke(main, ["config", "check", "broken.yaml"])
    assert result.exit_code == 2
    assert result.output.startswith("broken.yaml:")
    assert "invalid YAML" in result.output


def test_missing_config_file_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["config", "check", "nope.yaml"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_config_show_redacts_secrets(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "database:\n  url: postgresql+asyncpg://bot:hunter2@127.0.0.1/qz\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["config", "show", "-c", "q.yaml"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "***" in result.output


def test_config_schema_is_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["config", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"bot", "database", "adapters", "plugins", "chats"} <= set(schema["properties"])


def test_plugins_list(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plugins", "list"])
    assert result.exit_code == 0
    assert "core.help\n  commands: /help" in result.output
    assert "core.lang" in result.output and "on_button" in result.output


def test_db_upgrade_creates_the_tables(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sqlite+aiosqlite:///qunzhu.db: up to date"
    assert (tmp_path / "qunzhu.db").exists()


def test_db_upgrade_with_an_unreachable_database_is_one_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "q.yaml").write_text(
        "database:\n  url: sqlite+aiosqlite:////nonexistent/dir/x.db\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["db", "upgrade", "-c", "q.yaml"])
    assert result.exit_code == 1
    assert result.output.startswith("qunzhu: the folder of the SQLite database does not exist: ")
    assert len(result.output.strip().splitlines()) == 1


def test_run_with_a_bad_config_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "qunzhu.yaml").write_text("adapters:\n  telegrm: {}\n", encoding="utf-8")
    result = runner.invoke(main, ["run"])
    assert result.exit_code == 2
    assert "qunzhu.yaml:2:3: adapters.telegrm: " in result.output


@pytest.mark.slow
def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    """`qunzhu run < docs/tour.txt` in a fresh folder: the answers the README promises."""
    out = run_demo(tmp_path, "tour.txt")
    assert out.stderr == ""
    text = out.stdout
    assert "您可以使用的命令" in text  # /help in simplified Chinese for 王书记
    assert "您是王书记。" in text
    assert "Usage: /whoami" in text  # 李工 reads English
    assert "[1] 简体中文  [2] 繁體中文  [3] English" in text
    assert "From now on I will write to you in English." in text
    assert "Did you mean /help?" in text
    assert "帳號：console:李工" in text  # traditional characters after /lang zh_Hant
    assert (tmp_path / "qunzhu.db").exists()


def test_plugins_add_their_own_commands_under_qunzhu() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0 and "complaints" in listed.output
    sub = runner.invoke(main, ["complaints", "--help"])
    assert sub.exit_code == 0 and "export" in sub.output and "import" in sub.output
    unknown = runner.invoke(main, ["nosuchplugin"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_config_check_says_how_to_move_old_org_keys(runner: CliRunner, tmp_path: Path) -> None:
    """The old unit sections still work (exit 0); each is named at its line with how to move it."""
    (tmp_path / "old.yaml").write_text(
        "org:\n  district: {name: 区政府}\n"
        "plugins:\n  complaints:\n    departments:\n"
        "      housing: {name: 住建局, chat: 'telegram:-100', parent: district}\n"
        "  checkins:\n    units:\n      - {name: 区长, members: [周区长]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["config", "check", "old.yaml"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(
        "warning: old.yaml:5:5: plugins.complaints.departments: deprecated: read as units of org:;"
        " move each entry under a top-level org: section"
    )
    assert lines[1].startswith("warning: old.yaml:8:5: plugins.checkins.units: deprecated: ")
    assert lines[2].startswith("old.yaml: OK (1 adapter(s), ")


def test_config_check_names_both_places_of_a_unit_declared_twice(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "twice.yaml").write_text(
        "org:\n  housing: {name: 住建局}\n"
        "plugins:\n  complaints:\n    departments:\n      housing: {name: 住建局}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["config", "check", "twice.yaml"])
    assert result.exit_code == 2
    assert (
        "twice.yaml:6:7: plugins.complaints.departments.housing: unit 'housing' is also declared"
        " at org.housing" in result.output
    )
