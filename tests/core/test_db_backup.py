"""``qunzhu db backup FILE``: a consistent copy of the SQLite database while the bot runs,
rows still in the write-ahead log included (a ``cp`` of ``qunzhu.db`` misses them); a
PostgreSQL config or an existing target is refused in one line (issue 16, item 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunzhu.core.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUNZHU_CONFIG", raising=False)
    return CliRunner()


def test_the_copy_holds_what_is_committed_but_still_in_the_wal(
    runner: CliRunner, tmp_path: Path
) -> None:
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    bot = sqlite3.connect(tmp_path / "qunzhu.db")  # the running bot, in WAL mode
    bot.execute("PRAGMA journal_mode=WAL")
    bot.execute("PRAGMA wal_autocheckpoint=0")
    bot.execute("CREATE TABLE note (text TEXT)")
    bot.executemany("INSERT INTO note VALUES (?)", [(f"问题 {i}",) for i in range(500)])
    bot.commit()
    try:
        result = runner.invoke(main, ["db", "backup", "copy.db"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("qunzhu.db -> copy.db: ")
        plain = tmp_path / "cp.db"  # what cp would have copied: the main file only
        plain.write_bytes((tmp_path / "qunzhu.db").read_bytes())
    finally:
        bot.close()
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM note").fetchone() == (500,)
        assert copy.execute("SELECT count(*) FROM core_inbox").fetchone() == (0,)
    finally:
        copy.close()
    with sqlite3.connect(plain) as torn:
        tables = {r[0] for r in torn.execute("SELECT name FROM sqlite_master")}
    assert "note" not in tables, "cp would have been enough: the test shows nothing"
    assert not list(tmp_path.glob(".*.partial"))


def test_an_existing_target_is_never_overwritten(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    (tmp_path / "old.db").write_bytes(b"yesterday")
    result = runner.invoke(main, ["db", "backup", "old.db"])
    assert result.exit_code == 1
    assert result.output == "qunzhu: db backup: old.db exists already: choose a new name\n"
    assert (tmp_path / "old.db").read_bytes() == b"yesterday"


def test_postgresql_is_pointed_to_pg_dump(runner: CliRunner, tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot:${PGPASSWORD}@127.0.0.1/qunzhu"
    (tmp_path / "q.yaml").write_text(f"database:\n  url: {url}\n", encoding="utf-8")
    result = runner.invoke(
        main, ["db", "backup", "-c", "q.yaml", "x.db"], env={"PGPASSWORD": "secret"}
    )
    assert result.exit_code == 1
    assert result.output == (
        "qunzhu: db backup copies SQLite databases; for postgresql use its own tool: "
        "pg_dump --format=custom (see docs/operations.md)\n"
    )
