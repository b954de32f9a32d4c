"""`People`: the directory of people (``app.people``): finds them by identity or name, creates
them on first contact, gives and takes roles, and makes the database match the YAML ``people:``.

People are cached in memory by identity key, at most ``dispatcher.people_cache`` identities (the
least recently used forgotten first: a city has 300,000 people; one forgotten is read back from
the database, roles and all, when they next speak). With several workers (``dispatcher.shared``)
another process may change roles, so the cache is forgotten every minute. First contacts of a
batch are created together before the batch's transaction; on SQLite the batch's senders are
read and created on the direct connection (`qunzhu.core._people_direct`).
The types plugins see (`Person`, `Role`) are in `qunzhu.core.people`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core._lru import LRU
from qunzhu.core._people_direct import create_direct, read_direct
from qunzhu.core._people_pg import read_known
from qunzhu.core.clock import Clock
from qunzhu.core.model._events import UserRef
from qunzhu.core.people import Person, PersonSpec, Role, parse_role
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import IdentityRow, PersonRow, RoleRow

__all__ = ["People"]

log = logging.getLogger("qunzhu.people")
_T = TypeVar("_T")
#: Tries at creating first contacts that other workers are creating at the same moment.
_CREATE_ATTEMPTS = 3


class People:
    """Looks people up, creates them on first contact, changes roles. One per application."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        cache_seconds: float | None = None,
        cache_size: int = 50_000,
    ) -> None:
        self._db = db
        self._clock = clock
        #: Person by identity key, the most recently seen `cache_size` identities.
        self._cache: LRU[str, Person] = LRU(cache_size)
        # With several workers another process may change roles: forget everything this often.
        self._cache_seconds = cache_seconds
        self._cache_since = clock.monotonic()

    async def resolve_many(self, users: Iterable[UserRef]) -> None:
        """Make sure these identities are cached: one query for those the database knows, one
        transaction creating the others (the dispatcher calls this once per batch)."""
        self._expire()
        missing = {u.key: u for u in users if u.key not in self._cache}
        if not missing:
            return
        direct = self._db.direct()
        if direct is not None:  # SQLite: plain queries on the direct connection, no ORM
            known: set[str] = set()
            for person in read_direct(direct, missing.values()):
                known.update(self._remember(person).identities)
            first = [u for key, u in missing.items() if key not in known]
            if first:
                async with self._db.writing():
                    people = create_direct(self._db, first, self._clock)
                for person in people:
                    self._remember(person)
                log.info("event=people_created count=%d", len(people))
            return
        new = await self._unknown(list(missing.values()))
        for attempt in range(_CREATE_ATTEMPTS):
            if not new:
                return
            try:
                people = await self._create(new)
            except IntegrityError:  # another worker met some of them at the same moment
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                new = await self._unknown(new)  # read theirs, create the others again
                continue
            for person in people:
                self._remember(person)
            self._grew(len(people))
            log.info("event=people_created count=%d", len(people))
            return

    async def _unknown(self, users: list[UserRef]) -> list[UserRef]:
        """Cache those of `users` the database knows (one query); the others, by identity key
        (the order in which workers insert them: two workers meeting the same new people insert
        them in one order, so one waits for the other instead of both for each other)."""
        read: set[str] = set()
        async with self._db.session() as s:
            if self._db.is_sqlite:  # an in-memory database (a file has the direct connection)
                keys = [(u.platform, u.user_id) for u in users]
                query = select(PersonRow).join(IdentityRow).where(_identities(keys))
                known = [_to_person(row) for row in (await s.scalars(query)).unique().all()]
            else:
                known = await read_known(s, users)
            for person in known:
                read.update(self._remember(person).identities)
        # (not "not in the cache": a small cache may already have forgotten some of those found)
        return sorted((u for u in users if u.key not in read), key=lambda u: u.key)

    async def _create(self, new: list[UserRef]) -> list[Person]:
        """First contacts, in one transaction: all of them, or none when one exists already."""
        async with self._db.writing(), self._db.session() as s, s.begin():
            # Core, not ORM objects: one multi-row statement per table for a batch of
            # first contacts (the ORM inserts rows with database-made ids one by one)
            now = self._clock.now()
            ids = (
                await s.scalars(
                    insert(PersonRow).returning(PersonRow.id, sort_by_parameter_order=True),
                    [
                        {"display_name": u.display_name, "real_name": "", "lang": None,
                         "created_at": now}
                        for u in new
                    ],
                )
            ).all()  # fmt: skip
            await s.execute(
                insert(IdentityRow),
                [
                    {"person_id": pid, "platform": u.platform, "user_id": u.user_id,
                     "display_name": u.display_name}
                    for pid, u in zip(ids, new, strict=True)
                ],
            )  # fmt: skip
        return [
            Person(pid, u.display_name, "", None, (u.key,), frozenset())
            for pid, u in zip(ids, new, strict=True)
        ]

    def _grew(self, count: int) -> None:
        """`count` people were created (their planner statistics may be due: `Statistics`)."""
        self._db.statistics.changed(PersonRow.__tablename__, count)
        self._db.statistics.changed(IdentityRow.__tablename__, count)

    def _expire(self) -> None:
        if self._cache_seconds is not None:
            now = self._clock.monotonic()
            if now - self._cache_since > self._cache_seconds:
                self._cache.clear()
                self._cache_since = now

    async def resolve(self, user: UserRef) -> Person:
        """The Person behind a platform identity, created on first contact."""
        self._expire()
        found = self._cache.get(user.key)
        if found is None:
            await self.resolve_many([user])
            # a person with more identities than the cache holds may have pushed this one out
            found = self._cache.get(user.key) or await self._load_by_identity(
                user.platform, user.user_id
            )
            assert found is not None  # resolve_many made them
        return found

    async def resolve_in(self, s: AsyncSession, user: UserRef) -> tuple[Person, bool]:
        """The Person behind `user`, read or created in the session `s` (a handler's own
        transaction): `resolve` would wait for the write lock that the handler's batch holds.
        Returns whether it was created here (then remember it only once `s` commits)."""
        self._expire()
        found = self._cache.get(user.key)
        if found is not None:
            return found, False
        row = await s.scalar(
            select(PersonRow)
            .join(IdentityRow)
            .where(IdentityRow.platform == user.platform, IdentityRow.user_id == user.user_id)
        )
        if row is not None:
            return self._remember(_to_person(row)), False
        person_id = await s.scalar(
            insert(PersonRow).returning(PersonRow.id),
            {"display_name": user.display_name, "real_name": "", "lang": None,
             "created_at": self._clock.now()},
        )  # fmt: skip
        assert person_id is not None
        await s.execute(
            insert(IdentityRow),
            {"person_id": person_id, "platform": user.platform, "user_id": user.user_id,
             "display_name": user.display_name},
        )  # fmt: skip
        return Person(person_id, user.display_name, "", None, (user.key,), frozenset()), True

    def remember(self, person: Person) -> None:
        """Cache `person` (created by `resolve_in`, once its transaction committed)."""
        self._remember(person)

    async def find(self, key: str) -> Person | None:
        """Find by identity key (``console:ana``) or by name (real or display, exact)."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        platform, sep, user_id = key.partition(":")
        if sep:
            person = await self._load_by_identity(platform, user_id)
            if person is not None:
                return self._remember(person)
        async with self._db.session() as s:
            ids = await ids_named(s, key, limit=2)
        if len(ids) == 1:
            return await self.get(ids[0])
        return None

    async def find_many(self, keys: Iterable[str]) -> dict[str, Person]:
        """`find` for many keys at once (a roster's dozen names): one query for the identity
        keys, one for the names, one for the people found, instead of a few per key. Keys
        that name nobody, or several people, are left out."""
        found: dict[str, Person] = {}
        missing = []
        for key in dict.fromkeys(keys):
            cached = self._cache.get(key)
            if cached is not None:
                found[key] = cached
            elif key:
                missing.append(key)
        if not missing:
            return found
        ids: dict[str, int] = {}
        async with self._db.session() as s:
            for chunk in _chunks([k for k in missing if ":" in k]):
                pairs = [(k.split(":", 1)[0], k.split(":", 1)[1]) for k in chunk]
                by_identity = await s.execute(
                    select(IdentityRow.platform, IdentityRow.user_id, IdentityRow.person_id).where(
                        _identities(pairs)
                    )
                )
                ids.update({f"{r[0]}:{r[1]}": r[2] for r in by_identity})
            named: dict[str, set[int]] = {}
            for chunk in _chunks([k for k in missing if k not in ids]):
                by_name = await s.execute(
                    select(PersonRow.id, PersonRow.real_name, PersonRow.display_name).where(
                        PersonRow.real_name.in_(chunk) | PersonRow.display_name.in_(chunk)
                    )
                )
                wanted = set(chunk)
                for pid, real, display in by_name:
                    for name in {real, display} & wanted:
                        named.setdefault(name, set()).add(pid)
            ids.update({name: next(iter(pids)) for name, pids in named.items() if len(pids) == 1})
            people: dict[int, Person] = {}
            for id_chunk in _chunks(sorted(set(ids.values()))):
                rows = await s.scalars(select(PersonRow).where(PersonRow.id.in_(id_chunk)))
                for row in rows:
                    people[row.id] = self._remember(_to_person(row))
        for key in missing:
            person = people.get(ids.get(key, -1))
            if person is not None:
                found[key] = person
        return found

    async def get(self, person_id: int) -> Person | None:
        async with self._db.session() as s:
            row = await s.get(PersonRow, person_id)
            return None if row is None else self._remember(_to_person(row))

    async def with_role(self, name: str, scope: str | None = None) -> list[Person]:
        """Everyone holding role `name` (in `scope`, if given); admins are not implied here."""
        q = select(RoleRow.person_id).where(RoleRow.role == name)
        if scope is not None:
            q = q.where(RoleRow.scope == scope)
        async with self._db.session() as s:
            ids = sorted(set((await s.scalars(q)).all()))
            people = []
            for chunk in _chunks(ids):  # the holders at once, not a session each
                rows = await s.scalars(select(PersonRow).where(PersonRow.id.in_(chunk)))
                people += [self._remember(_to_person(row)) for row in rows]
        return sorted(people, key=lambda p: p.id)

    async def grant(self, s: AsyncSession, person_id: int, role: Role, *,
                    source: str = "command") -> bool:  # fmt: skip
        """Give a role, in the caller's transaction (``ctx.db``); False when the person had it.
        Call `forget` once that commits."""
        exists = await s.scalar(
            select(RoleRow.id).where(
                RoleRow.person_id == person_id,
                RoleRow.role == role.name,
                RoleRow.scope == role.scope,
            )
        )
        if exists is not None:
            return False
        s.add(RoleRow(person_id=person_id, role=role.name, scope=role.scope, source=source))
        return True

    async def revoke(self, s: AsyncSession, person_id: int, role: Role) -> bool:
        """Take a role away, in the caller's transaction; False when the person lacked it."""
        result = await s.execute(
            delete(RoleRow).where(
                RoleRow.person_id == person_id,
                RoleRow.role == role.name,
                RoleRow.scope == role.scope,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_lang(self, s: AsyncSession, person_id: int, lang: str | None) -> None:
        """Set the language a person chose, in the caller's transaction."""
        row = await s.get(PersonRow, person_id)
        if row is not None:
            row.lang = lang

    def forget(self, person_id: int) -> None:
        """Drop a person from the cache (after a change to them committed)."""
        self._forget(person_id)

    async def apply_config(self, specs: Sequence[PersonSpec]) -> None:
        """Make the database match the YAML: each declared person exists with all the listed
        identities, their real name and exactly their configured roles (roles given by commands
        are kept)."""
        for spec in specs:
            async with self._db.writing(), self._db.session() as s, s.begin():
                row = await _person_for_identities(s, spec.identities)
                if row is None:
                    row = PersonRow(
                        display_name="",
                        real_name=spec.real_name,
                        identities=[],
                        roles=[],
                        created_at=self._clock.now(),
                    )
                    s.add(row)
                    await s.flush()
                if spec.real_name:
                    row.real_name = spec.real_name
                if spec.lang:
                    row.lang = spec.lang
                await _attach_identities(s, row, spec.identities)
                wanted = {parse_role(r) for r in spec.roles}
                for r in list(row.roles):
                    if r.source == "config" and Role(r.role, r.scope) not in wanted:
                        row.roles.remove(r)
                have = {Role(r.role, r.scope) for r in row.roles}
                for role in wanted - have:
                    row.roles.append(RoleRow(role=role.name, scope=role.scope, source="config"))
        self._cache.clear()

    async def _load_by_identity(self, platform: str, user_id: str) -> Person | None:
        async with self._db.session() as s:
            row = await s.scalar(
                select(PersonRow)
                .join(IdentityRow)
                .where(IdentityRow.platform == platform, IdentityRow.user_id == user_id)
            )
            return None if row is None else _to_person(row)

    def _remember(self, person: Person) -> Person:
        for key in person.identities:
            self._cache.put(key, person)
        return person

    def _forget(self, person_id: int) -> None:
        for key, person in self._cache.items():
            if person.id == person_id:
                self._cache.pop(key)


def _identities(pairs: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """``platform = p AND user_id IN (...)`` per platform: an index range each. A row-value
    ``(platform, user_id) IN (...)`` of a batch's 256 senders was planned on PostgreSQL, before
    its statistics were taken, as a scan of every identity of the platform checked against each
    pair: a second a batch at 80,000 identities (96 ms in this form, 1 ms once analyzed)."""
    by_platform: dict[str, list[str]] = {}
    for platform, user_id in pairs:
        by_platform.setdefault(platform, []).append(user_id)
    return or_(
        *(
            and_(IdentityRow.platform == platform, IdentityRow.user_id.in_(users))
            for platform, users in by_platform.items()
        )
    )


def _chunks(items: list[_T], size: int = 500) -> list[list[_T]]:
    """`items` in lists of at most `size` (bound parameters per statement stay few)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def _to_person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        display_name=row.display_name,
        real_name=row.real_name,
        lang=row.lang,
        identities=tuple(f"{i.platform}:{i.user_id}" for i in row.identities),
        roles=frozenset(Role(r.role, r.scope) for r in row.roles),
    )


async def _person_for_identities(s: AsyncSession, identities: Iterable[str]) -> PersonRow | None:
    for key in identities:
        platform, _, user_id = key.partition(":")
        row = await s.scalar(
            select(PersonRow)
            .join(IdentityRow)
            .where(IdentityRow.platform == platform, IdentityRow.user_id == user_id)
        )
        if row is not None:
            return row
    return None


async def _attach_identities(s: AsyncSession, row: PersonRow, identities: Iterable[str]) -> None:
    have = {f"{i.platform}:{i.user_id}" for i in row.identities}
    for key in identities:
        if key in have:
            continue
        platform, _, user_id = key.partition(":")
        other = await s.scalar(
            select(IdentityRow).where(
                IdentityRow.platform == platform, IdentityRow.user_id == user_id
            )
        )
        if other is not None:  # first met on its own: move it to the declared person
            other_person = other.person_id
            other.person_id = row.id
            await s.flush()
            leftover = await s.get(PersonRow, other_person)
            if leftover is not None and not [i for i in leftover.identities if i.id != other.id]:
                await s.delete(leftover)
        else:
            row.identities.append(IdentityRow(platform=platform, user_id=user_id))


async def ids_named(s: AsyncSession, name: str, *, limit: int) -> list[int]:
    """The ids of the people whose real or platform display name is exactly `name` (at most
    `limit`, oldest first)."""
    found = await s.scalars(
        select(PersonRow.id)
        .where((PersonRow.real_name == name) | (PersonRow.display_name == name))
        .order_by(PersonRow.id)
        .limit(limit)
    )
    return list(found.all())
