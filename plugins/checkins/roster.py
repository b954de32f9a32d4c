"""Who is who: the people a campaign or a unit names (by name, identity or role), who is excused,
and how to mention someone on a platform."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import App, Person, parse_role

from .config import Campaign
from .models import Leave

__all__ = ["Member", "excused", "mentions", "people", "roster"]

log = logging.getLogger("checkins")


@dataclass(frozen=True, slots=True)
class Member:
    """A person as the plugin stores them (in a round's roster, a task's assignees)."""

    id: int
    name: str
    identities: tuple[str, ...] = ()

    @classmethod
    def of(cls, person: Person) -> Member:
        return cls(person.id, person.name, person.identities)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "identities": list(self.identities)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Member:
        ids = data.get("identities") or []
        return cls(int(str(data["id"])), str(data["name"]), tuple(str(i) for i in ids))  # type: ignore[attr-defined]


async def people(app: App, entries: Iterable[str], roles: Iterable[str] = ()) -> list[Person]:
    """The people named by `entries` (identities ``telegram:123``, real or display names, or
    ``role:mayor``) and holding any of `roles`, each once, in the order named."""
    found: dict[int, Person] = {}
    unknown = 0
    texts = [entry.strip().lstrip("@") for entry in entries]
    # the named ones in one look-up (one by one, a check-in opened in 5,000 groups of 12 took
    # 11 minutes, 4x longer than sending its prompts)
    named = await app.people.find_many(t for t in texts if not t.startswith("role:"))
    for text in texts:
        if text.startswith("role:"):
            for person in await _with_role(app, text.removeprefix("role:")):
                found.setdefault(person.id, person)
            continue
        one = named.get(text)
        if one is None:
            unknown += 1
            continue
        found.setdefault(one.id, one)
    if unknown:  # how many, never who: no personal data in the log (`qunzhu config show` has them)
        log.warning("event=checkins_unknown_people count=%d", unknown)
    for role in roles:
        for person in await _with_role(app, role):
            found.setdefault(person.id, person)
    return list(found.values())


async def _with_role(app: App, text: str) -> list[Person]:
    role = parse_role(text)
    return await app.people.with_role(role.name, role.scope or None)


async def roster(app: App, campaign: Campaign) -> list[Member]:
    """The campaign's participants. An owner is one only when named: one who merely holds a
    participants' role reads the reports and does not owe one (else the roster counts them and
    the owners' own 👍 could never complete it)."""
    found = await people(app, campaign.participants, campaign.participant_roles)
    named = [e for e in campaign.participants if not e.strip().lstrip("@").startswith("role:")]
    named_ids = {p.id for p in await people(app, named)} if named else set()
    owner_ids = {p.id for p in await owners(app, campaign)}
    return [Member.of(p) for p in found if p.id in named_ids or p.id not in owner_ids]


async def owners(app: App, campaign: Campaign) -> list[Person]:
    return await people(app, campaign.owners, campaign.owner_roles)


async def is_owner(app: App, campaign: Campaign, person: Person) -> bool:
    if person.is_admin:
        return True
    return any(p.id == person.id for p in await owners(app, campaign))


async def excused(
    db: AsyncSession, person_ids: Sequence[int], chat: str, day: date
) -> dict[int, str]:
    """Who of `person_ids` is excused on `day` in `chat`: person id → ``leave`` or ``left``."""
    if not person_ids:
        return {}
    rows = await db.scalars(
        select(Leave).where(
            Leave.person_id.in_(person_ids),
            Leave.first <= day,
            Leave.last >= day,
            or_(Leave.chat == "", Leave.chat == chat),
        )
    )
    out: dict[int, str] = {}
    for row in rows:
        if out.get(row.person_id) != "left":
            out[row.person_id] = row.reason
    return out


def mentions(members: Iterable[Member], platform: str) -> tuple[str, ...]:
    """The identities of `members` on `platform`, for `Reply.mentions`."""
    keys = []
    for member in members:
        keys += [i for i in member.identities if i.startswith(f"{platform}:")][:1]
    return tuple(keys)
