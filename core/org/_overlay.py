"""Units edited on the web console, laid over the YAML's: the organisation a running bot uses.

The YAML (``org:``, with the legacy plugin sections merged in) seeds the chart. An admin who
saves a unit on the console writes one row of ``core_org_edit`` under the unit's key: the whole
unit as saved (it replaces the YAML's unit of that key, or adds one), or None when the unit was
removed. At start-up and after each edit the application lays the rows over the YAML's units
(`lay_over`), checks the result as strictly as the loader checks ``org:`` (`problems`: parents
that exist, no circle of parents, an alias finding one unit) and replaces ``app.org``; plugins
read ``ctx.org`` at each call, so the next message already sees the new chart. Nothing is kept in
a module: the rows are the database's, the `Org` is the application's.

When the YAML changes so that the edits no longer fit (a parent an edit names was deleted from
the file), the bot still starts: it logs each problem and runs on the YAML's chart alone, and
``qunzhu config show`` and the units page name the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError
from sqlalchemy import delete, select

from qunzhu.core.config._problems import KeyPath
from qunzhu.core.config.org import OrgUnitSettings, PlacedUnit, org_problems
from qunzhu.core.storage._tables import OrgEditRow

from ._config import org_from_settings
from ._model import Org

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from qunzhu.core.storage._database import Database

__all__ = [
    "OrgEdit",
    "OrgState",
    "Source",
    "build_org",
    "drop_edit",
    "lay_over",
    "load_edits",
    "problems",
    "save_edit",
    "sources",
]

log = logging.getLogger("qunzhu.org")
#: Where a unit comes from: the YAML as written, the YAML's unit as edited on the console, a
#: unit added on the console, a unit of the YAML removed on the console.
Source = Literal["yaml", "edited", "added", "removed"]


@dataclass(frozen=True, slots=True)
class OrgEdit:
    """One saved edit: the unit as saved (None: removed), by whom (a person id), when."""

    key: str
    unit: OrgUnitSettings | None
    edited_by: int | None
    edited_at: datetime


@dataclass(frozen=True, slots=True)
class OrgState:
    """The organisation in use, the edits it was built from and, when the edits did not fit the
    YAML (the chart then is the YAML's alone), what is wrong."""

    org: Org
    edits: tuple[OrgEdit, ...] = ()
    problems: tuple[str, ...] = ()


async def load_edits(db: Database) -> list[OrgEdit]:
    """Every saved edit, by key. A row whose unit no longer validates (a field renamed in a
    later version) is logged and read as no edit."""
    async with db.session() as s:
        rows = (await s.scalars(select(OrgEditRow).order_by(OrgEditRow.key))).all()
    edits = []
    for row in rows:
        try:
            unit = None if row.unit is None else OrgUnitSettings.model_validate(row.unit)
        except ValidationError:
            log.warning("event=org_edit_unreadable key=%s", row.key)
            continue
        edits.append(OrgEdit(row.key, unit, row.edited_by, row.edited_at))
    return edits


def lay_over(
    units: Mapping[str, OrgUnitSettings], edits: Sequence[OrgEdit]
) -> dict[str, OrgUnitSettings]:
    """The YAML's `units` with `edits` laid over them: edited units replaced in place, added
    ones after, removed ones gone."""
    merged = dict(units)
    for edit in edits:
        if edit.unit is None:
            merged.pop(edit.key, None)
        else:
            merged[edit.key] = edit.unit
    return merged


def problems(units: Mapping[str, OrgUnitSettings]) -> list[tuple[KeyPath, str]]:
    """What is wrong across `units`, as the loader checks ``org:``: (key path, message)."""
    return org_problems([PlacedUnit(key, ("org", key), unit) for key, unit in units.items()])


def sources(units: Mapping[str, OrgUnitSettings], edits: Sequence[OrgEdit]) -> dict[str, Source]:
    """Where each unit (of the YAML or of an edit) comes from."""
    found: dict[str, Source] = dict.fromkeys(units, "yaml")
    for edit in edits:
        if edit.unit is None:
            if edit.key in found:
                found[edit.key] = "removed"
        else:
            found[edit.key] = "edited" if edit.key in units else "added"
    return found


def build_org(units: Mapping[str, OrgUnitSettings], edits: Sequence[OrgEdit]) -> OrgState:
    """The organisation of the YAML's `units` with `edits` laid over them; the YAML's alone,
    with the problems, when the edits do not fit it."""
    merged = lay_over(units, edits)
    found = [f"{'.'.join(map(str, path))}: {message}" for path, message in problems(merged)]
    if found:
        for text in found:
            log.warning("event=org_edits_ignored problem=%r", text)
        return OrgState(org_from_settings(units), tuple(edits), tuple(found))
    return OrgState(org_from_settings(merged), tuple(edits))


async def save_edit(
    s: AsyncSession, key: str, unit: OrgUnitSettings | None, person_id: int, now: datetime
) -> None:
    """Keep `unit` (None: removed) as the unit `key`, in the caller's transaction."""
    data = None if unit is None else unit.model_dump(mode="json", exclude_defaults=True)
    row = await s.get(OrgEditRow, key)
    if row is None:
        s.add(OrgEditRow(key=key, unit=data, edited_by=person_id, edited_at=now))
    else:
        row.unit, row.edited_by, row.edited_at = data, person_id, now


async def drop_edit(s: AsyncSession, key: str) -> None:
    """Forget the edit of `key`: the unit is the YAML's again (or gone, if only added)."""
    await s.execute(delete(OrgEditRow).where(OrgEditRow.key == key))
