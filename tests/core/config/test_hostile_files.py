"""Config files that once crashed or hung ``qunzhu config check``: each is now a problem with
its file:line:column, and nothing of the machine is exhausted (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qunzhu.core.config import load_config
from qunzhu.core.config._yaml import MAX_ALIAS_VALUES, MAX_DEPTH
from qunzhu.core.config.redact import hide_url_password
from qunzhu.core.errors import ConfigError
from qunzhu.core.storage._database import Database


def problems_of(tmp_path: Path, content: bytes | str) -> list[str]:
    path = tmp_path / "qunzhu.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    return [p.removeprefix(f"{path}:") for p in caught.value.problems]


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    found = problems_of(tmp_path, "\n".join(lines) + "\n")
    bomb = [p for p in found if "aliases expand" in p]
    assert len(bomb) == 1, found
    assert f"more than {MAX_ALIAS_VALUES:,} values" in bomb[0]
    line = int(bomb[0].split(":")[0])
    assert 1 <= line <= 12  # at the anchored value that was expanded once too often


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(
        "people:\n"
        "  - {name: 王书记, identities: ['console:wang'], roles: &leaders [supervisor, approver]}\n"
        "  - {name: 李书记, identities: ['console:li'], roles: *leaders}\n",
        encoding="utf-8",
    )
    settings = load_config(path, env={})
    assert [p.roles for p in settings.people] == [("supervisor", "approver")] * 2


def test_deep_nesting_is_refused_where_it_goes_too_deep(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "bot:\n  name: " + "[" * 10_000 + "\n")
    # the file's mapping and bot's are two levels: the (MAX_DEPTH - 1)th "[" is one too many
    assert problem.startswith(f"2:{9 + MAX_DEPTH - 2}: ")
    assert f"nested more than {MAX_DEPTH} levels deep" in problem


def test_a_date_that_does_not_exist(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "calendar:\n  holidays: [2026-02-30, '2026-02-31', x]\n")
    assert found == [
        "2:14: calendar.holidays[0]: cannot read value '2026-02-30': day is out of range for month",
        "2:26: calendar.holidays[1]: '2026-02-31' is not a date: "
        "write e.g. 2026-10-01, or 2026-10-01..2026-10-08",
        "2:40: calendar.holidays[2]: 'x' is not a date: "
        "write e.g. 2026-10-01, or 2026-10-01..2026-10-08",
    ]


def test_a_range_of_days_longer_than_a_year(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "calendar:\n  workdays: ['0001-01-01..9999-12-31']\n")
    assert problem.endswith("a range of days spans a year at most")


def test_a_control_character_is_reported_where_it_is(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "bot:\n  language: en\n  name: 群\x07主\n")
    assert problem == (
        "3:10: (top level): invalid YAML: the control character U+0007 may not appear in the "
        "file: delete it"
    )


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    content = "bot:\n  name: 群主\n".encode() + "  language: 中文\n".encode("gbk")
    [problem] = problems_of(tmp_path, content)
    assert problem.startswith("3:13: (top level): the file is not UTF-8 (byte 0xd6")
    assert problem.endswith("save it as UTF-8")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+asyncpg://bot@127.0.0.1:99999/q", "port 99999 is not a port"),
        ("postgresql+asyncpg://bot@127.0.0.1:http/q", "not a database URL"),
        ("mysqlx://bot@db/q", "unknown kind of database 'mysqlx'"),
        ("sqlite:///q.db", "'sqlite' is not an asyncio driver"),
    ],
)
def test_database_urls_that_cannot_work(tmp_path: Path, url: str, says: str) -> None:
    [problem] = problems_of(tmp_path, f"database:\n  url: {url}\n")
    assert problem.startswith("2:8: database.url: ")
    assert says in problem


def test_a_password_in_the_url_query_is_hidden_everywhere(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot@db:5432/q?password=hunter2&ssl=require"
    assert hide_url_password(url) == "postgresql+asyncpg://bot@db:5432/q?password=***&ssl=require"
    path = tmp_path / "qunzhu.yaml"
    path.write_text(f"database:\n  url: {url}\n", encoding="utf-8")
    settings = load_config(path, env={})
    assert "hunter2" not in str(settings.redacted())
    assert "hunter2" not in Database(settings.database.url).display_url
    both = "postgresql+asyncpg://bot:pw1@db/q?sslpassword=pw2"
    assert hide_url_password(both) == "postgresql+asyncpg://bot:***@db/q?sslpassword=***"
