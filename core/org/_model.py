"""The organisation: units (village → township → district, bureaus beside them), read-only.

An `Org` is built once from the validated ``org:`` section (and the legacy plugin sections merged
into it) and shared by every plugin as ``ctx.org``; it holds no global state and never changes
while the bot runs. A unit is found by its key, its name in any language, or an alias (``@住建局``,
``住建``); people belong to a unit by identity, by name, by a role listed under ``members``
(``role:mayor``), as its head, or by the role scoped to it (``member:housing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qunzhu.core.config import Settings
    from qunzhu.core.people import Person

__all__ = ["MEMBER_ROLE", "ROLE_PREFIX", "Org", "OrgUnit"]

#: The role that makes a person a member of a unit when scoped to its key (``member:housing``).
MEMBER_ROLE = "member"
#: A `members` entry starting with this names a role (``role:mayor``, ``role:member:housing``).
ROLE_PREFIX = "role:"
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """One unit of the organisation, as plugins see it."""

    key: str
    name: str
    names: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    aliases: tuple[str, ...] = ()
    #: The key of the unit above it, or None at the top.
    parent: str | None = None
    #: Its group chats, ``platform:chat_id``; the first is where its work is posted.
    chats: tuple[str, ...] = ()
    #: Its head: an identity or a name of ``people:``.
    head: str | None = None
    #: People (identities or names) and roles (``role:mayor``) belonging to it.
    members: tuple[str, ...] = ()

    @property
    def chat(self) -> str | None:
        """The unit's main group chat (the first of `chats`), if it has one."""
        return self.chats[0] if self.chats else None

    @property
    def member_role(self) -> str:
        """The scoped role that makes someone a member: ``member:<key>``."""
        return f"{MEMBER_ROLE}:{self.key}"

    def label(self, lang: str) -> str:
        """The unit's name in `lang` (``zh_Hans``, ``zh_Hant``, ``en``), else its `name`."""
        return self.names.get(lang, self.name)

    def people_entries(self) -> tuple[str, ...]:
        """Who belongs to the unit, as entries a people lookup understands: the head, the
        members, and the holders of the scoped role (``role:member:<key>``), each once."""
        head = (self.head,) if self.head else ()
        entries = (*head, *self.members, f"{ROLE_PREFIX}{self.member_role}")
        return tuple(dict.fromkeys(entries))


def _word(text: str) -> str:
    return text.strip().lstrip("@").strip().casefold()


class Org:
    """The units and how they hang together. Built by the core; plugins only read it."""

    __slots__ = ("_by_chat", "_by_word", "_children", "_units")

    def __init__(self, units: Iterable[OrgUnit] = ()) -> None:
        self._units: dict[str, OrgUnit] = {unit.key: unit for unit in units}
        self._children: dict[str, list[OrgUnit]] = {}
        self._by_chat: dict[str, list[OrgUnit]] = {}
        names: dict[str, list[str]] = {}
        aliases: dict[str, str] = {}
        for unit in self._units.values():
            if unit.parent is not None:
                self._children.setdefault(unit.parent, []).append(unit)
            for chat in unit.chats:
                self._by_chat.setdefault(chat, []).append(unit)
            for alias in unit.aliases:
                aliases.setdefault(_word(alias), unit.key)
            for name in dict.fromkeys((unit.name, *unit.names.values())):
                names.setdefault(_word(name), []).append(unit.key)
        # A name two units share finds neither: they are told apart by key or alias.
        self._by_word = {word: keys[0] for word, keys in names.items() if len(set(keys)) == 1}
        self._by_word.update(aliases)
        self._by_word.update({_word(key): key for key in self._units})

    @classmethod
    def from_settings(cls, settings: Settings) -> Org:
        """The organisation of loaded settings (``org:`` with the old plugin sections merged);
        for command-line tools. A running bot has it as ``app.org`` and ``ctx.org``."""
        from ._config import org_from_settings

        return org_from_settings(settings.org)

    def __repr__(self) -> str:
        return f"Org({', '.join(self._units)})"

    def __bool__(self) -> bool:
        return bool(self._units)

    @property
    def units(self) -> tuple[OrgUnit, ...]:
        """Every unit, in the order written."""
        return tuple(self._units.values())

    def unit(self, key_or_alias: str) -> OrgUnit | None:
        """The unit with this key, alias or name (a leading ``@`` and case are ignored)."""
        found = self._units.get(key_or_alias)
        if found is not None:
            return found
        key = self._by_word.get(_word(key_or_alias))
        return self._units[key] if key is not None else None

    def parent(self, unit: OrgUnit | str) -> OrgUnit | None:
        """The unit above `unit`, or None at the top (or for an unknown unit)."""
        found = self._get(unit)
        if found is None or found.parent is None:
            return None
        return self._units.get(found.parent)

    def chain(self, unit: OrgUnit | str) -> tuple[OrgUnit, ...]:
        """`unit`, its parent, its grandparent... up to the top; empty for an unknown unit."""
        found: list[OrgUnit] = []
        at = self._get(unit)
        while at is not None and at not in found:
            found.append(at)
            at = self._units.get(at.parent) if at.parent is not None else None
        return tuple(found)

    def children(self, unit: OrgUnit | str) -> tuple[OrgUnit, ...]:
        """The units right below `unit`."""
        found = self._get(unit)
        return tuple(self._children.get(found.key, ())) if found is not None else ()

    def subtree(self, unit: OrgUnit | str) -> tuple[OrgUnit, ...]:
        """`unit` and every unit below it, top first."""
        found = self._get(unit)
        out: list[OrgUnit] = []
        todo = [found] if found is not None else []
        while todo:
            at = todo.pop(0)
            if at not in out:
                out.append(at)
                todo.extend(self._children.get(at.key, ()))
        return tuple(out)

    def unit_of_chat(self, chat_key: str) -> OrgUnit | None:
        """The unit whose group chat `chat_key` (``platform:chat_id``) is (the first written)."""
        found = self._by_chat.get(chat_key)
        return found[0] if found else None

    def head_of(self, unit: OrgUnit | str) -> str | None:
        """The head of `unit` as written (an identity or a name), if it has one."""
        found = self._get(unit)
        return found.head if found is not None else None

    def is_member(self, person: Person, unit: OrgUnit | str) -> bool:
        """Whether `person` belongs to `unit`: its head, a member named by identity or name, a
        holder of a role listed in its members, or of ``member:<key>``. Being an admin does not
        make one a member of every unit."""
        found = self._get(unit)
        if found is None:
            return False
        return any(_names(person, entry) for entry in found.people_entries())

    def is_head(self, person: Person, unit: OrgUnit | str) -> bool:
        """Whether `person` is the head of `unit` (named by identity or name). Being an admin
        or a member does not make one its head."""
        found = self._get(unit)
        if found is None or not found.head or found.head.lstrip().startswith(ROLE_PREFIX):
            return False
        return _names(person, found.head)

    def units_of(self, person: Person) -> tuple[OrgUnit, ...]:
        """The units `person` belongs to (see `is_member`), in the order written."""
        return tuple(unit for unit in self._units.values() if self.is_member(person, unit))

    def _get(self, unit: OrgUnit | str) -> OrgUnit | None:
        return self._units.get(unit.key if isinstance(unit, OrgUnit) else unit)


def _names(person: Person, entry: str) -> bool:
    """Whether the members entry `entry` names `person`."""
    text = entry.strip().lstrip("@")
    if text.startswith(ROLE_PREFIX):
        name, _, scope = text.removeprefix(ROLE_PREFIX).partition(":")
        return any(
            r.name == name.strip().lower() and (not scope or r.scope == scope.strip())
            for r in person.roles
        )
    return text in person.identities or text in (person.real_name, person.display_name)
