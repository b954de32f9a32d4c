"""Who sees which tickets on the web console, and what of them: the same rules as in chat.

Whose tickets: the problem desk's scope (`desk_items.scope_of`), one rule for the desk, the
list, the overview's chart and a ticket's page, so that every item listed on a person's desk
opens for them. Supervisors and admins see every ticket; a unit's head or member sees the
tickets of their units and of the units below them, and those raised in those units' groups
(wherever they were routed since); anyone else sees none and does not get the pages. An
anonymous reporter is never named on the web (in chat only an admin in private learns who it
was); a reporter's phone is shown only to the members of the unit handling the ticket, as on
its card in that unit's group.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, true

from qunzhu.core import Org, Person

from .desk_items import scope_of, tickets_in
from .models import Ticket, TicketEvent

__all__ = ["may_open", "may_see", "scope_filter", "shows_phone", "units_seen"]


def units_seen(person: Person, org: Org) -> set[str] | None:
    """The unit keys whose tickets `person` may see; None for all of them."""
    scope = scope_of(person, org)
    return None if scope.everything else set(scope.units)


def may_open(person: Person, org: Org) -> bool:
    """Whether the complaints pages are for `person` at all."""
    return bool(scope_of(person, org))


def may_see(person: Person, org: Org, ticket: Ticket) -> bool:
    """Whether `ticket` is in `person`'s scope, as the desk lists it."""
    return scope_of(person, org).covers(ticket.department, ticket.source_chat)


def scope_filter(person: Person, org: Org) -> ColumnElement[bool]:
    """The tickets `person` may see, as a condition (`may_see`'s)."""
    scope = scope_of(person, org)
    if not scope:
        return false()
    return and_(true(), *tickets_in(scope))


def shows_phone(person: Person, org: Org, ticket: Ticket) -> bool:
    """A member of the handling unit itself (not an admin, not a unit above it)."""
    return bool(ticket.department) and org.is_member(person, ticket.department or "")


def by_reporter(ticket: Ticket, event: TicketEvent) -> bool:
    """Whether the reporter did this (filed, confirmed, reopened, rated...)."""
    if event.actor_id is not None and event.actor_id == ticket.reporter_id:
        return True
    return bool(ticket.reporter_name) and event.actor_name == ticket.reporter_name
