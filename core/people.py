"""People and roles. A `Person` owns one or more platform identities (``telegram:123``,
``matrix:@ana:example.org``, ``console:ana``), has a display and a real name, and roles.

Roles are plain names (``admin``, ``supervisor``, ``member``, ``seller``, ``approver``), optionally
scoped (``member:housing`` = member of the housing department). ``admin`` passes every role check.
Roles come from the YAML ``people:`` list (re-applied at every start) and from admin commands
(kept in the database). The directory that finds, creates and changes people (``app.people``,
cached in memory; the first message of an unknown identity creates its Person) is private to the
core: `qunzhu.core._people_directory`.
"""

from __future__ import annotations

from dataclasses import dataclass

from qunzhu.core.i18n._catalogs import N_

__all__ = ["ADMIN", "KNOWN_ROLES", "Person", "PersonSpec", "Role", "parse_role"]

ADMIN = "admin"
#: The roles the built-in plugins use; their names are translated when shown.
KNOWN_ROLES = (N_("admin"), N_("supervisor"), N_("member"), N_("seller"), N_("approver"))


@dataclass(frozen=True, slots=True, order=True)
class Role:
    name: str
    scope: str = ""

    def __str__(self) -> str:
        return f"{self.name}:{self.scope}" if self.scope else self.name


def parse_role(text: str) -> Role:
    name, _, scope = text.strip().partition(":")
    return Role(name.strip().lower(), scope.strip())


@dataclass(frozen=True, slots=True)
class Person:
    """A person as plugins see them: immutable; changes go through ``app.people``."""

    id: int
    display_name: str
    real_name: str
    lang: str | None
    identities: tuple[str, ...]
    roles: frozenset[Role]

    @property
    def name(self) -> str:
        return (
            self.real_name or self.display_name or (self.identities[0] if self.identities else "?")
        )

    @property
    def is_admin(self) -> bool:
        return any(r.name == ADMIN for r in self.roles)

    def has_role(self, name: str, scope: str | None = None) -> bool:
        """True when the person has role `name` (in `scope`, if given), or is an admin."""
        if self.is_admin:
            return True
        return any(r.name == name and (scope is None or r.scope == scope) for r in self.roles)

    def scopes(self, name: str) -> list[str]:
        """The scopes in which the person has role `name` (``member`` → department names)."""
        return sorted(r.scope for r in self.roles if r.name == name and r.scope)


@dataclass(frozen=True, slots=True)
class PersonSpec:
    """A person declared in the YAML (``people:``) or given as admins (``bot.admins``)."""

    identities: tuple[str, ...]
    real_name: str = ""
    roles: tuple[str, ...] = ()
    lang: str | None = None
