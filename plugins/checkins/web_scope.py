"""Who sees which check-ins on the web console: the chat's rules, decided without a query.

Supervisors and admins see every campaign; an owner sees the campaigns they own (named in
``owners``, or holding one of ``owner_roles``); a participant sees only their own reports (the
round's page, with everyone's reports, is not for them); anyone else sees nothing. A person is
matched as the campaign names them: an account (``telegram:123``), a real or display name, or
``role:mayor``, so that 5,000 campaigns are sorted without looking anyone up.
"""

from __future__ import annotations

from collections.abc import Iterable

from qunzhu.core import Person, parse_role

from .config import Campaign

__all__ = ["oversees", "owns", "sees"]


def oversees(person: Person) -> bool:
    """Whether `person` sees every campaign."""
    return person.is_admin or person.has_role("supervisor")


def _named(person: Person, entries: Iterable[str], roles: Iterable[str]) -> bool:
    names = {person.real_name, person.display_name, *person.identities} - {""}
    for entry in entries:
        text = entry.strip().lstrip("@")
        if text.startswith("role:"):
            role = parse_role(text.removeprefix("role:"))
            if person.has_role(role.name, role.scope or None):
                return True
        elif text in names:
            return True
    return any(person.has_role(parse_role(r).name, parse_role(r).scope or None) for r in roles)


def owns(person: Person, campaign: Campaign) -> bool:
    return _named(person, campaign.owners, campaign.owner_roles)


def sees(person: Person, campaign: Campaign) -> bool:
    """Whether `person` sees the campaign's rounds and everyone's reports."""
    return oversees(person) or owns(person, campaign)
