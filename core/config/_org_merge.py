"""``org:`` and the units plugins still declare in their old sections, merged into one chart.

A plugin config model that implements `DeclaresOrgUnits` (``plugins.complaints.departments``,
``plugins.checkins.units``) has its units read as if they were written under ``org:``; each such
section gets a warning, at its line, saying how to move it. One that implements `NamesOrgUnits`
(a complaint category's ``department``) has each unit it names checked against the merged chart.
Every problem names the key path where the unit or the reference was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from ._problems import KeyPath, Problem
from ._yaml import Document
from .org import DeclaresOrgUnits, NamesOrgUnits, OrgUnitSettings, PlacedUnit, org_problems

__all__ = ["MergedOrg", "merge_org"]


@dataclass
class MergedOrg:
    """The merged units (by key, ``org:`` first), and what is wrong or old about them."""

    units: dict[str, OrgUnitSettings] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def merge_org(
    doc: Document,
    written: Mapping[str, OrgUnitSettings] | None,
    plugins: Mapping[str, BaseModel],
) -> MergedOrg:
    """Merge ``org:`` (`written`; None when it did not validate) with the plugins' old sections.

    The checks across units run only when ``org:`` validated: otherwise its units are unknown and
    every reference to them would be reported as well."""
    merged = MergedOrg()
    placed = [PlacedUnit(key, ("org", key), unit) for key, unit in (written or {}).items()]
    for name, model in plugins.items():
        if not isinstance(model, DeclaresOrgUnits):
            continue
        sections: set[str | int] = set()
        for legacy in model.legacy_org_units():
            placed.append(PlacedUnit(legacy.key, ("plugins", name, *legacy.path), legacy.unit))
            sections.add(legacy.path[0])
        for section in sorted(sections, key=str):
            merged.warnings.append(_moved(doc, ("plugins", name, section)))
    for unit in placed:
        merged.units.setdefault(unit.key, unit.unit)
    if written is None:
        return merged
    for path, message in org_problems(placed):
        merged.problems.append(Problem(*_where(doc, path), path, message))
    for name, model in plugins.items():
        if not isinstance(model, NamesOrgUnits):
            continue
        for inner, key in model.org_references():
            if key not in merged.units:
                path = ("plugins", name, *inner)
                message = f"no unit '{key}' in org: (write one of its keys: {_keys(merged)})"
                merged.problems.append(Problem(*_where(doc, path), path, message))
    return merged


def _moved(doc: Document, path: KeyPath) -> Problem:
    message = (
        "deprecated: read as units of org:; move each entry under a top-level org: section "
        "(key: {name, names, aliases, parent, chats, head, members}; a chat becomes "
        "chats: [its chat]), then delete this key"
    )
    return Problem(*_where(doc, path), path, message)


def _keys(merged: MergedOrg) -> str:
    return ", ".join(merged.units) or "org: is empty"


def _where(doc: Document, path: KeyPath) -> tuple[int, int]:
    """The position of `path`'s key (or value), else of its nearest written ancestor."""
    for depth in range(len(path), -1, -1):
        here = path[:depth]
        found = doc.keys.get(here) or doc.values.get(here)
        if found is not None:
            return found
    return 1, 1
