"""People on PostgreSQL: the senders of a batch that the people cache does not hold, read in one
statement per platform whose text never changes.

Through the ORM that read was a join and two ``selectin`` loads, each an ``IN`` list as long as
the batch's misses: a new statement text for every count, which asyncpg prepares again (a round
trip and a plan each time) and which crowds its cache of prepared statements. Once a city's
people outnumber the cache, most senders of a batch are such misses, so that cost grew with the
people table. Here the senders' ids go as one array (``= ANY``), each person's identities and
roles come back as arrays beside it, and the statement is prepared once per connection.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.model._events import UserRef
from qunzhu.core.people import Person, Role

__all__ = ["read_known"]

_KNOWN = text(
    "SELECT p.id, p.display_name, p.real_name, p.lang, "
    "ARRAY(SELECT i.platform || ':' || i.user_id FROM core_identity i "
    "      WHERE i.person_id = p.id ORDER BY i.id) AS identities, "
    "ARRAY(SELECT r.role FROM core_role r WHERE r.person_id = p.id ORDER BY r.id) AS roles, "
    "ARRAY(SELECT r.scope FROM core_role r WHERE r.person_id = p.id ORDER BY r.id) AS scopes "
    "FROM core_person p WHERE p.id IN ("
    "  SELECT k.person_id FROM core_identity k "
    "  WHERE k.platform = :platform AND k.user_id = ANY(CAST(:users AS VARCHAR[])))"
)


async def read_known(s: AsyncSession, users: Iterable[UserRef]) -> list[Person]:
    """The people behind those of `users` that have an identity already, with all their
    identities and roles: one statement per platform."""
    by_platform: dict[str, list[str]] = {}
    for u in users:
        by_platform.setdefault(u.platform, []).append(u.user_id)
    people: list[Person] = []
    for platform, user_ids in by_platform.items():
        rows = await s.execute(_KNOWN, {"platform": platform, "users": user_ids})
        for pid, display, real, lang, identities, roles, scopes in rows:
            people.append(
                Person(pid, display, real, lang, tuple(identities),
                       frozenset(Role(r, sc) for r, sc in zip(roles, scopes, strict=True)))
            )  # fmt: skip
    return people
