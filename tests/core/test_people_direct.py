"""The people a batch's cache misses are read on SQLite's direct connection by an index search,
never a scan of every identity (a cost that grew with the people table)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qunzhu.core._people_direct import read_direct
from qunzhu.core._people_directory import People
from qunzhu.core.clock import FakeClock
from qunzhu.core.model._events import UserRef
from qunzhu.core.people import PersonSpec, Role
from qunzhu.core.storage._database import Database


async def test_senders_are_found_by_an_index_search_with_their_accounts_and_roles(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'people.db'}")
    await db.create_all()
    await People(db, FakeClock()).apply_config([
        PersonSpec(("telegram:1", "matrix:@wang:example.org"), "王书记", ("member:housing",)),
        PersonSpec(("telegram:2",), "李主任"),
    ])  # fmt: skip
    conn = db.direct()
    assert conn is not None
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    users = [UserRef("telegram", "1", "王"), UserRef("matrix", "@wang:example.org", "王"),
             UserRef("telegram", "2", "李"), UserRef("telegram", "3", "新人")]  # fmt: skip
    found = {p.real_name: p for p in read_direct(conn, users)}
    conn.set_trace_callback(None)
    assert set(found) == {"王书记", "李主任"}
    assert set(found["王书记"].identities) == {"telegram:1", "matrix:@wang:example.org"}
    assert found["王书记"].roles == frozenset({Role("member", "housing")})
    plans = _plans(conn, [s for s in statements if "FROM core_identity" in s])
    assert plans, statements
    assert not [p for p in plans if p.startswith("SCAN core_identity")], plans
    await db.dispose()


def _plans(conn: sqlite3.Connection, statements: list[str]) -> list[str]:
    """What SQLite does for each traced statement (its bound values already inlined)."""
    return [row[3] for s in statements for row in conn.execute(f"EXPLAIN QUERY PLAN {s}")]
