"""People on SQLite's direct connection (`Database.direct`): the senders of a batch that the
people cache does not hold are read, and the new ones created, without the ORM.

A city's senders are drawn from 300,000 people and the cache holds 50,000, so most of a batch's
senders are read back from the database once the cache is full. Through the ORM (the async
driver's thread, a join and two ``selectin`` loads, objects built and thrown away) that cost
SQLite four fifths of its throughput (5,600 msgs/s falling to 1,000 between the first and
the tenth 10,000 messages); four plain queries on the direct connection cost a few
milliseconds a batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from qunzhu.core.clock import Clock
from qunzhu.core.model._events import UserRef
from qunzhu.core.people import Person, Role
from qunzhu.core.storage._database import Database, sqlite_time

__all__ = ["create_direct", "read_direct"]

_CHUNK = 400  # identities or people per query: bound values far below SQLite's limit


def read_direct(conn: sqlite3.Connection, users: Iterable[UserRef]) -> list[Person]:
    """The people behind those of `users` that have an identity already, with all their
    identities and roles."""
    by_platform: dict[str, list[str]] = {}
    for u in users:
        by_platform.setdefault(u.platform, []).append(u.user_id)
    ids: set[int] = set()
    for platform, user_ids in by_platform.items():
        # ``platform = ? AND user_id IN (…)``: a search of the (platform, user_id) index per
        # sender. The row-value ``(platform, user_id) IN (VALUES …)`` it replaces was planned by
        # SQLite as a scan of every identity, a cost that grew with the people table (3,900
        # msgs/s after 100,000 new people, against 11,000 at the start).
        for i in range(0, len(user_ids), _CHUNK):
            chunk = user_ids[i : i + _CHUNK]
            query = (
                "SELECT person_id FROM core_identity "  # noqa: S608 - marks only
                f"WHERE platform = ? AND user_id IN ({', '.join('?' * len(chunk))})"
            )
            ids.update(r[0] for r in conn.execute(query, [platform, *chunk]))
    if not ids:
        return []
    people: list[Person] = []
    ordered = sorted(ids)
    for i in range(0, len(ordered), _CHUNK):
        id_chunk = ordered[i : i + _CHUNK]
        marks = ", ".join("?" * len(id_chunk))
        identities: dict[int, list[str]] = {}
        for pid, platform, user_id in conn.execute(
            "SELECT person_id, platform, user_id FROM core_identity "  # noqa: S608 - marks only
            f"WHERE person_id IN ({marks}) ORDER BY id",
            id_chunk,
        ):
            identities.setdefault(pid, []).append(f"{platform}:{user_id}")
        roles: dict[int, set[Role]] = {}
        for pid, role, scope in conn.execute(
            f"SELECT person_id, role, scope FROM core_role WHERE person_id IN ({marks})",  # noqa: S608
            id_chunk,
        ):
            roles.setdefault(pid, set()).add(Role(role, scope))
        for pid, display, real, lang in conn.execute(
            "SELECT id, display_name, real_name, lang FROM core_person "  # noqa: S608
            f"WHERE id IN ({marks})",
            id_chunk,
        ):
            people.append(
                Person(pid, display, real, lang, tuple(identities.get(pid, ())),
                       frozenset(roles.get(pid, ())))
            )  # fmt: skip
    return people


def create_direct(db: Database, users: list[UserRef], clock: Clock) -> list[Person]:
    """First contacts on SQLite's direct connection: a row each, read back by rowid."""
    created = sqlite_time(clock.now())
    people = []
    with db.direct_transaction() as conn:
        for u in users:
            cur = conn.execute(
                "INSERT INTO core_person (display_name, real_name, lang, created_at) "
                "VALUES (?, '', NULL, ?)",
                (u.display_name, created),
            )
            person_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO core_identity (person_id, platform, user_id, display_name) "
                "VALUES (?, ?, ?, ?)",
                (person_id, u.platform, u.user_id, u.display_name),
            )
            people.append(Person(person_id, u.display_name, "", None, (u.key,), frozenset()))
    return people
