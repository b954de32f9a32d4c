"""Who sees which tickets on the web console, and what of them: the same rules as in chat.

Supervisors and admins see every ticket; a unit's member sees the tickets of their units and
of the units below them (those they may act on, as ``/export_tickets`` scopes its file); anyone
else sees none and does not get the pages. An anonymous reporter is never named on the web (in
chat only an admin in private learns who it was); a reporter's phone is shown only to the
members of the unit handling the ticket, as on its card in that unit's group.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from qunzhu.core import Org, Person

from .models import Ticket, TicketEvent

__all__ = ["may_open", "may_see", "scope_filter", "shows_phone", "units_seen"]


def units_seen(person: Person, org: Org) -> set[str] | None:
    """The unit keys whose tickets `person` may see; None for all of them."""
    if person.is_admin or person.has_role("supervisor"):
        return None
    keys: set[str] = set()
    for unit in org.units_of(person):
        keys.update(u.key for u in org.subtree(unit))
    return keys


def may_open(person: Person, org: Org) -> bool:
    """Whether the complaints pages are for `person` at all."""
    units = units_seen(person, org)
    return units is None or bool(units)


def may_see(person: Person, org: Org, ticket: Ticket) -> bool:
    units = units_seen(person, org)
    return units is None or (ticket.department is not None and ticket.department in units)


def scope_filter(person: Person, org: Org) -> ColumnElement[bool]:
    units = units_seen(person, org)
    if units is None:
        return true()
    return Ticket.department.in_(sorted(units)) if units else false()


def shows_phone(person: Person, org: Org, ticket: Ticket) -> bool:
    """A member of the handling unit itself (not an admin, not a unit above it)."""
    return bool(ticket.department) and org.is_member(person, ticket.department or "")


def by_reporter(ticket: Ticket, event: TicketEvent) -> bool:
    """Whether the reporter did this (filed, confirmed, reopened, rated...)."""
    if event.actor_id is not None and event.actor_id == ticket.reporter_id:
        return True
    return bool(ticket.reporter_name) and event.actor_name == ticket.reporter_name
