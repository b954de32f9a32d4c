"""The morning digest for the heads of units (``digest.heads: true``, issue 14): each head of a
unit in ``org:`` gets the digest of the problems his desk shows (`desk_items.scope_of`: the
units he heads or belongs to and every unit below them, with their groups), not the whole
city's; with the other plugins' parts for him (his units' overdue tasks). A head who is a
``supervisor`` gets the supervisors' digest once, not two.

Heads with the same scope share one reading of the figures, and all the scopes are read
together (`digest_read.read_scoped`).
"""

from __future__ import annotations

from collections.abc import Iterable

from qunzhu.core import Context, Person

from .desk_items import Scope

__all__ = ["ScopeKey", "scope_key", "unit_heads"]

#: A scope as a dictionary key: (units, chats, everything).
ScopeKey = tuple[frozenset[str], frozenset[str], bool]


async def unit_heads(ctx: Context, leave_out: Iterable[Person]) -> list[Person]:
    """The people who head a unit of ``org:`` (named by identity or name), each once, in the
    order of the units; those in `leave_out` (the supervisors) left out."""
    units = [u for u in ctx.org.units if u.head and not u.head.strip().startswith("role:")]
    found = await ctx.app.people.find_many(_entry(u.head) for u in units)
    skip = {person.id for person in leave_out}
    heads: dict[int, Person] = {}
    for unit in units:
        person = found.get(_entry(unit.head))
        if person is not None and person.id not in skip and ctx.org.is_head(person, unit):
            heads.setdefault(person.id, person)
    return list(heads.values())


def _entry(head: str | None) -> str:
    return (head or "").strip().lstrip("@")


def scope_key(scope: Scope) -> ScopeKey:
    return scope.units, scope.chats, scope.everything
