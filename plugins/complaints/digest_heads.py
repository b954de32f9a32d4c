"""The morning digest for the heads of units (``digest.heads: true``, issue 14): each head of a
unit in ``org:`` gets the digest of the problems his desk shows (`desk_items.scope_of`: the
units he heads or belongs to and every unit below them, with their groups), not the whole
city's; with the other plugins' parts for him (his units' overdue tasks). A head who is a
``supervisor`` gets the supervisors' digest once, not two.

Heads with the same scope (the deputies of one unit) share one reading of the figures.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement

from qunzhu.core import Context, Person

from .desk_items import Scope
from .models import Ticket

__all__ = ["ScopeKey", "scope_key", "unit_heads", "within"]

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


def within(scope: Scope | None) -> ColumnElement[bool] | None:
    """The tickets `scope` covers, in SQL (`Scope.covers`); None for every ticket."""
    if scope is None or scope.everything:
        return None
    return or_(Ticket.department.in_(scope.units), Ticket.source_chat.in_(scope.chats))
