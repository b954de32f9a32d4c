"""The ``org:`` section: the organisation's units as written, and the checks across them.

Each unit is a mapping under its key (``housing:``) with its name, names per language, aliases,
parent, group chats, head and members. The checks that need every unit at once (a parent that
exists, no circle of parents, an alias naming one unit only) run on the units of ``org:`` merged
with those that plugins still declare in their legacy sections (`LegacyOrgUnit`), so the
problems name the key path where each was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol, runtime_checkable

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ._problems import KeyPath, format_path
from ._types import ChatKey, Language

__all__ = [
    "DeclaresOrgUnits",
    "LegacyOrgUnit",
    "NamesOrgUnits",
    "OrgUnitSettings",
    "PlacedUnit",
    "UnitKey",
    "org_problems",
]

_KEY = re.compile(r"[^\s:@]+")


def _check_key(value: str) -> str:
    if not _KEY.fullmatch(value):
        message = f"{value!r} is not a unit key: write one word without ':' or '@', e.g. housing"
        raise ValueError(message)
    return value


UnitKey = Annotated[str, AfterValidator(_check_key)]
"""A unit's key under ``org:`` (``housing``); roles scoped to it are ``member:housing``."""


class OrgUnitSettings(BaseModel):
    """One unit under ``org:``: a village, a township, a district, a bureau, a leader's office."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Shown to people; `names` may give it per language.
    name: str = Field(min_length=1)
    names: dict[Language, str] = {}
    #: Other words that find it (``/task @住建 ...``).
    aliases: tuple[str, ...] = ()
    #: The key of the unit above it (village → township → district): escalations go there.
    parent: str | None = None
    #: Its group chats; the first is where its work (ticket cards) is posted.
    chats: tuple[ChatKey, ...] = ()
    #: Its head: an identity (``telegram:123``) or a name of ``people:``.
    head: str | None = None
    #: People (identities or names of ``people:``) and roles (``role:mayor``); whoever holds
    #: ``member:<key>`` belongs to it too.
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LegacyOrgUnit:
    """A unit a plugin's old section still declares (``plugins.complaints.departments``):
    `path` is where it is written inside the plugin's section, e.g. ``("departments", "housing")``.
    """

    key: str
    path: KeyPath
    unit: OrgUnitSettings


@runtime_checkable
class DeclaresOrgUnits(Protocol):
    """A plugin config model whose old section declares units (see docs/plugins.md)."""

    def legacy_org_units(self) -> Sequence[LegacyOrgUnit]:
        """The units this section declares the old way, for the core to merge into ``org:``."""
        ...


@runtime_checkable
class NamesOrgUnits(Protocol):
    """A plugin config model that names units (a complaint category's ``department``)."""

    def org_references(self) -> Sequence[tuple[KeyPath, str]]:
        """Each unit key this section names, with where it is written inside the section
        (``(("categories", "roads", "department"), "transport")``); the core checks them."""
        ...


@dataclass(frozen=True, slots=True)
class PlacedUnit:
    """A unit of the merged organisation and the key path it was written at."""

    key: str
    path: KeyPath
    unit: OrgUnitSettings


def org_problems(units: Sequence[PlacedUnit]) -> list[tuple[KeyPath, str]]:
    """What is wrong across `units`: the same key twice, unknown parents, circles of parents,
    an alias finding two units. Each problem is (key path, message)."""
    problems: list[tuple[KeyPath, str]] = []
    first: dict[str, PlacedUnit] = {}
    for placed in units:
        other = first.setdefault(placed.key, placed)
        if other is not placed:
            message = f"unit '{placed.key}' is also declared at {format_path(other.path)}"
            problems.append((placed.path, message))
    for placed in first.values():
        parent = placed.unit.parent
        if parent is not None and parent not in first:
            message = f"no unit '{parent}' in org: (the parent must be a unit's key)"
            problems.append(((*placed.path, "parent"), message))
    problems += _circles(first)
    problems += _aliases(first.values())
    return problems


def _circles(units: Mapping[str, PlacedUnit]) -> list[tuple[KeyPath, str]]:
    problems: list[tuple[KeyPath, str]] = []
    for key, placed in units.items():
        seen, at = [key], placed.unit.parent
        while at is not None and at in units:
            if at == key:
                circle = " → ".join([*seen, key])
                message = f"the parents go round in a circle: {circle}"
                problems.append(((*placed.path, "parent"), message))
                break
            if at in seen:
                break  # a circle above this unit: reported at the units in it
            seen.append(at)
            at = units[at].unit.parent
    return problems


def _aliases(units: Iterable[PlacedUnit]) -> list[tuple[KeyPath, str]]:
    problems: list[tuple[KeyPath, str]] = []
    keys = {placed.key.casefold(): placed for placed in units}
    owner: dict[str, PlacedUnit] = {}
    for placed in keys.values():
        for i, alias in enumerate(placed.unit.aliases):
            word = alias.strip().lstrip("@").casefold()
            other = owner.setdefault(word, placed)
            if other is placed and word in keys and keys[word] is not placed:
                other = keys[word]
            if other is not placed:
                where = format_path(other.path)
                message = f"alias '{alias}' also finds unit '{other.key}' ({where})"
                problems.append(((*placed.path, "aliases", i), message))
    return problems
