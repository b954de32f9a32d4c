"""Administration, the organisation: its units as a tree (where each comes from: the YAML, edited
here, added here, removed here), a unit's form (name, names, aliases, parent, group chats, head,
members) and who belongs to it, a new unit, removing one, and going back to the YAML's version.
Admins only.

A save is one row of ``core_org_edit`` (`qunzhu.core.org._overlay`); then ``app.reload_org()``
lays the rows over the YAML's units again and hands the new chart to the plugins, so the next
message is routed by it. Each form is checked (`qunzhu.core.webui._unit_form`) and shown again
with what is wrong beside its field: the page never fails.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy import select

from qunzhu.core.config._types import LANGUAGES
from qunzhu.core.config.org import NamesOrgUnits, OrgUnitSettings
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.org._overlay import drop_edit, lay_over, save_edit, sources
from qunzhu.core.storage._tables import PersonRow, RoleRow
from qunzhu.core.webui._pages import Template, Visit
from qunzhu.core.webui._unit_form import UnitForm, read_unit_form, removal_problem, unit_form_of

__all__ = ["new_unit", "save_unit", "unit_page", "units_page"]

log = logging.getLogger("qunzhu.web")
_SHOWN_MEMBERS = 50
_LANG_LABELS = {
    "zh_Hans": N_("Name in simplified Chinese"),
    "zh_Hant": N_("Name in traditional Chinese"),
    "en": N_("Name in English"),
}


def _units(visit: Visit) -> dict[str, OrgUnitSettings]:
    """The units in use: the YAML's with the edits laid over (when they fit)."""
    state = visit.app.org_state
    if state.problems:
        return dict(visit.app.settings.org)
    return lay_over(visit.app.settings.org, state.edits)


async def units_page(visit: Visit) -> Template:
    """``/web/admin/units``: every unit, top first, each under its parent."""
    org, state = visit.org, visit.app.org_state
    source = sources(visit.app.settings.org, state.edits)
    rows: list[dict[str, Any]] = []
    tops = [u for u in org.units if u.parent is None or org.unit(u.parent) is None]
    for top in tops:
        for unit in org.subtree(top):
            rows.append({
                "key": unit.key,
                "name": unit.label(visit.lang),
                "depth": len(org.chain(unit)) - 1,
                "chats": ", ".join(unit.chats),
                "head": unit.head or "",
                "source": source.get(unit.key, "yaml"),
            })  # fmt: skip
    removed = [k for k, s in source.items() if s == "removed"]
    done = visit.request.query.get("done", "")
    flash = {
        "removed": visit.t("The unit was removed."),
        "reverted": visit.t("The unit is the configuration file's again."),
    }.get(done, "")
    values = {
        "title": visit.t("Units"),
        "rows": rows,
        "removed": removed,
        "problems": state.problems,
        "flash": flash,
    }
    return Template("core/units.html", values)


async def unit_page(visit: Visit) -> Template:
    """``/web/admin/units/{key}``: the unit's form and who belongs to it."""
    key = visit.request.match_info["key"]
    unit = _units(visit).get(key)
    if unit is None:
        raise web.HTTPNotFound
    saved = visit.request.query.get("done") == "saved"
    flash = visit.t("Saved. The bot uses it from now on.") if saved else ""
    return await _form(visit, unit_form_of(key, unit), flash=flash)


async def new_unit(visit: Visit) -> Template:
    """``/web/admin/new-unit``: an empty form (its parent chosen when ``?parent=`` says it)."""
    return await _form(visit, UnitForm(parent=visit.request.query.get("parent", "")), new=True)


async def save_unit(visit: Visit) -> web.StreamResponse | Template:
    """``POST /web/admin/units/{key}`` (``action`` save, remove or revert) and
    ``POST /web/admin/new-unit``."""
    key = visit.request.match_info.get("key")
    units = _units(visit)
    if key is not None and key not in units and key not in visit.app.settings.org:
        raise web.HTTPNotFound
    form = await visit.request.post()
    action = str(form.get("action", "save"))
    if action == "revert" and key is not None:
        return await _write(visit, key, None, revert=True)
    if action == "remove" and key is not None:
        problem = removal_problem(key, units, _references(visit), visit.t)
        if problem:
            got = unit_form_of(key, units[key])
            got.errors["remove"] = problem
            return await _form(visit, got, status=400)
        return await _write(visit, key, None)
    got, unit = read_unit_form(form, units, visit.t, key=key)
    if unit is None:
        return await _form(visit, got, new=key is None, status=400)
    return await _write(visit, got.key, unit)


async def _write(
    visit: Visit, key: str, unit: OrgUnitSettings | None, *, revert: bool = False
) -> web.StreamResponse:
    async with visit.app.db.writing(), visit.session() as s:
        if revert:
            await drop_edit(s, key)
        else:
            await save_edit(s, key, unit, visit.person.id, visit.now())
        await s.commit()
    state = await visit.app.reload_org()
    what = "revert" if revert else "remove" if unit is None else "save"
    log.info("event=web_org_edit action=%s unit=%s by=%s problems=%d",
             what, key, visit.person.id, len(state.problems))  # fmt: skip
    if revert or unit is None:
        location = f"/web/admin/units?done={'reverted' if revert else 'removed'}"
    else:
        location = f"/web/admin/units/{key}?done=saved"
    return web.Response(status=303, headers={"Location": location})


async def _form(
    visit: Visit, got: UnitForm, *, new: bool = False, status: int = 200, flash: str = ""
) -> Template:
    units = _units(visit)
    source = sources(visit.app.settings.org, visit.app.org_state.edits).get(got.key, "added")
    parents = [
        {"key": k, "name": visit.org.unit(k).label(visit.lang) if visit.org.unit(k) else k}  # type: ignore[union-attr]
        for k in units
        if k != got.key
    ]
    values: dict[str, Any] = {
        "title": visit.t("New unit") if new else got.name or got.key,
        "form": got,
        "new": new,
        "langs": [{"code": code, "label": visit.t(_LANG_LABELS[code])} for code in LANGUAGES],
        "parents": parents,
        "source": source,
        "in_yaml": got.key in visit.app.settings.org,
        "holders": [] if new else await _holders(visit, got.key),
        "flash": flash or (visit.t("Nothing was saved: see below.") if got.errors else ""),
        "flash_error": bool(got.errors),
    }
    return Template("core/unit.html", values, status=status)


async def _holders(visit: Visit, key: str) -> list[dict[str, Any]]:
    """The first people holding ``member:<key>`` (a unit of a city may have thousands)."""
    async with visit.session() as s:
        rows = await s.execute(
            select(PersonRow.id, PersonRow.real_name, PersonRow.display_name)
            .join(RoleRow, RoleRow.person_id == PersonRow.id)
            .where(RoleRow.role == "member", RoleRow.scope == key)
            .order_by(PersonRow.id)
            .limit(_SHOWN_MEMBERS)
        )
        return [{"id": i, "name": real or shown or "?"} for i, real, shown in rows.all()]


def _references(visit: Visit) -> dict[str, str]:
    """Unit key → where a plugin's settings name it (``complaints: categories.roads``)."""
    found: dict[str, str] = {}
    for name, model in visit.app.settings.plugins.items():
        if isinstance(model, NamesOrgUnits):
            for path, key in model.org_references():
                found.setdefault(key, f"plugins.{name}.{'.'.join(map(str, path))}")
    return found
