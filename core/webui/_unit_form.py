"""The unit form of the console: what an admin typed, read into an `OrgUnitSettings`, and checked
as strictly as the loader checks ``org:`` (a key of one word, a name, chats as
``platform:chat_id``, a parent that exists and no circle of parents, aliases that find this unit
only), each problem said in the admin's language beside its field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qunzhu.core.config._types import CHAT_KEY_PATTERN, LANGUAGES
from qunzhu.core.config.org import OrgUnitSettings
from qunzhu.core.org._overlay import problems

if TYPE_CHECKING:
    from qunzhu.core.i18n._catalogs import Translator

__all__ = ["UnitForm", "read_unit_form", "removal_problem", "unit_form_of"]

_KEY = re.compile(r"[^\s:@/?#%]{1,64}")
_SPLIT = re.compile(r"[\n,，、;；]+")


@dataclass
class UnitForm:
    """The form's fields as text (what is shown again after an error) and the problems."""

    key: str = ""
    name: str = ""
    names: dict[str, str] = field(default_factory=dict)
    aliases: str = ""
    parent: str = ""
    chats: str = ""
    head: str = ""
    members: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def unit_form_of(key: str, unit: OrgUnitSettings) -> UnitForm:
    """The form filled with `unit` as it is."""
    return UnitForm(
        key=key,
        name=unit.name,
        names={str(lang): text for lang, text in unit.names.items()},
        aliases="\n".join(unit.aliases),
        parent=unit.parent or "",
        chats="\n".join(unit.chats),
        head=unit.head or "",
        members="\n".join(unit.members),
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in _SPLIT.split(text) if p.strip()))


def read_unit_form(
    form: Mapping[str, Any],
    units: Mapping[str, OrgUnitSettings],
    t: Translator,
    *,
    key: str | None,
) -> tuple[UnitForm, OrgUnitSettings | None]:
    """The typed form and the unit it makes, or None with `UnitForm.errors` by field. `units` is
    the organisation in use; `key` the unit edited (None: a new unit, its key in the form)."""
    got = UnitForm(
        key=key if key is not None else str(form.get("key", "")).strip(),
        name=str(form.get("name", "")).strip(),
        names={lang: str(form.get(f"name_{lang}", "")).strip() for lang in LANGUAGES},
        aliases=str(form.get("aliases", "")),
        parent=str(form.get("parent", "")).strip(),
        chats=str(form.get("chats", "")),
        head=str(form.get("head", "")).strip(),
        members=str(form.get("members", "")),
    )
    errors = got.errors
    if key is None:
        if not _KEY.fullmatch(got.key):
            errors["key"] = t("Write the key as one word without spaces, ':' or '@', e.g. housing.")
        elif got.key in units:
            errors["key"] = t("There is a unit '{key}' already.", key=got.key)
    if not got.name:
        errors["name"] = t("Write the unit's name.")
    bad = [c for c in _lines(got.chats) if not CHAT_KEY_PATTERN.fullmatch(c)]
    if bad:
        errors["chats"] = t(
            "Write each chat as platform:chat_id, e.g. telegram:-1001234 ({chat} is not).",
            chat=bad[0],
        )
    if got.parent:
        errors.update(_parent_problem(got.key, got.parent, units, t))
    if errors:
        return got, None
    try:
        unit = OrgUnitSettings.model_validate(
            {
                "name": got.name,
                "names": {lang: text for lang, text in got.names.items() if text},
                "aliases": _lines(got.aliases),
                "parent": got.parent or None,
                "chats": _lines(got.chats),
                "head": got.head or None,
                "members": _lines(got.members),
            }
        )
    except ValidationError as exc:  # what the checks above did not foresee: said, not raised
        for problem in exc.errors():
            where = str(problem["loc"][0]) if problem["loc"] else "name"
            errors.setdefault(where if where != "names" else "name", problem["msg"])
        return got, None
    errors.update(_chart_problems(got.key, unit, units, t))
    return got, (None if errors else unit)


def _chart_problems(
    key: str, unit: OrgUnitSettings, units: Mapping[str, OrgUnitSettings], t: Translator
) -> dict[str, str]:
    """The loader's own checks across the chart with `unit` in it, by field of the form."""
    errors: dict[str, str] = {}
    for path, message in problems({**units, key: unit}):
        if path[1] != key:
            continue
        if len(path) > 2 and path[2] == "aliases":
            alias = unit.aliases[int(path[3])] if len(path) > 3 else ""
            errors["aliases"] = t(
                "The alias {alias} already finds another unit: {message}",
                alias=alias,
                message=message,
            )
        else:
            errors.setdefault(str(path[2]) if len(path) > 2 else "key", message)
    return errors


def _parent_problem(
    key: str, parent: str, units: Mapping[str, OrgUnitSettings], t: Translator
) -> dict[str, str]:
    if parent not in units:
        return {"parent": t("There is no unit '{key}' to be the parent.", key=parent)}
    seen: list[str] = [key]
    at: str | None = parent
    while at is not None:
        if at == key:
            circle = " → ".join([*seen, key])
            return {"parent": t("The parents would go round in a circle: {circle}", circle=circle)}
        if at in seen or at not in units:
            break
        seen.append(at)
        at = units[at].parent
    return {}


def removal_problem(
    key: str,
    units: Mapping[str, OrgUnitSettings],
    references: Mapping[str, str],
    t: Translator,
) -> str:
    """Why the unit `key` cannot be removed ("" when it can): units below it, or the settings of
    a plugin that name it (`references`: unit key → where it is named)."""
    below = [k for k, u in units.items() if u.parent == key]
    if below:
        return t("Units below it: {units}. Give them another parent first.", units=", ".join(below))
    if key in references:
        return t(
            "The configuration file names it ({where}): change that first.", where=references[key]
        )
    return ""
