"""Administration, people: find a person among a city's 300,000 (by name or account, a page at a
time), see their accounts and roles, give and take roles (scoped ones such as ``member:housing``
among them). Admins only (the pages' `roles`).

Roles given here are kept in ``core_role`` with the source ``web`` and survive restarts, as those
given by ``/role`` do; a role the YAML's ``people:`` gives is set again at every start, so the
page says so and offers no button to take it (it is taken away in the file). An admin cannot take
their own ``admin`` role: the last admin would lock everyone out.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from sqlalchemy import Select, or_, select

from qunzhu.core.people import ADMIN, KNOWN_ROLES, Role, parse_role
from qunzhu.core.storage._tables import IdentityRow, PersonRow, RoleRow
from qunzhu.core.webui._pages import Template, Visit

__all__ = ["PAGE_SIZE", "grant_or_revoke", "people_page", "people_query", "person_page"]

log = logging.getLogger("qunzhu.web")
PAGE_SIZE = 50
_ROLE_NAME = "abcdefghijklmnopqrstuvwxyz0123456789_-"
_ACCOUNT = re.compile(r"[a-z][a-z0-9_]*:\S+")


async def people_page(visit: Visit) -> Template:
    """``/web/admin/people?q=&after=``: 50 people at a time, by id (a keyset, so the 6,000th page
    costs what the first does): those whose real or display name contains `q`, or whose account
    `q` is (``telegram:77``)."""
    q = visit.request.query.get("q", "").strip()[:100]
    after = _int(visit.request.query.get("after", "0"))
    query = people_query(q, after)
    async with visit.session() as s:
        rows = list((await s.scalars(query)).all())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    people = [
        {
            "id": r.id,
            "name": r.real_name or r.display_name or "?",
            "accounts": [f"{i.platform}:{i.user_id}" for i in r.identities],
            "roles": [_label(visit, Role(x.role, x.scope)) for x in sorted(r.roles, key=_order)],
        }
        for r in rows
    ]
    values = {
        "title": visit.t("People"),
        "q": q,
        "people": people,
        "next_after": rows[-1].id if more and rows else None,
        "first": after > 0,
    }
    return Template("core/people.html", values)


def people_query(q: str, after: int) -> Select[PersonRow]:
    """The next page (and one more, to know there is a next) of people after id `after`: those
    whose real or display name contains `q`, or whose account `q` is (``telegram:77``: the
    account's own index, one row); everyone when `q` is empty."""
    query = select(PersonRow).where(PersonRow.id > after).order_by(PersonRow.id)
    if _ACCOUNT.fullmatch(q):  # telegram:77: the account's own index, one row
        platform, _, user_id = q.partition(":")
        query = query.where(
            PersonRow.id.in_(
                select(IdentityRow.person_id).where(
                    IdentityRow.platform == platform, IdentityRow.user_id == user_id
                )
            )
        )
    elif q:  # a name, or a part of one: one pass over the names
        query = query.where(
            or_(
                PersonRow.real_name.contains(q, autoescape=True),
                PersonRow.display_name.contains(q, autoescape=True),
            )
        )
    return query.limit(PAGE_SIZE + 1)


async def person_page(visit: Visit) -> Template:
    """``/web/admin/people/{id}``: the person's accounts and roles, and the role form."""
    return await _person(visit, visit.request.query.get("done", ""), "")


async def grant_or_revoke(visit: Visit) -> web.StreamResponse | Template:
    """``POST /web/admin/people/{id}``: ``action=add`` with ``role`` (``member:housing``), or
    ``action=remove`` with the role to take. A role the form cannot take is said on the page."""
    person_id = _int(visit.request.match_info["id"])
    form = await visit.request.post()
    action = str(form.get("action", ""))
    text = str(form.get("role", "")).strip()
    target = await visit.app.people.get(person_id)
    if target is None:
        raise web.HTTPNotFound
    role = parse_role(text)
    error = _role_error(visit, role, text) if action == "add" else ""
    if action == "remove" and role.name == ADMIN and person_id == visit.person.id:
        error = visit.t("You cannot take your own admin role: another admin can.")
    if action not in ("add", "remove"):
        error = visit.t("Choose a role to give or to take.")
    if error:
        return await _person(visit, "", error, status=400, typed=text)
    async with visit.app.db.writing(), visit.session() as s:
        if action == "add":
            changed = await visit.app.people.grant(s, person_id, role, source="web")
        else:
            config = await s.scalar(
                select(RoleRow.id).where(
                    RoleRow.person_id == person_id,
                    RoleRow.role == role.name,
                    RoleRow.scope == role.scope,
                    RoleRow.source == "config",
                )
            )
            if config is not None:
                msg = visit.t(
                    "This role is given in the configuration file (people:); take it away there."
                )
                return await _person(visit, "", msg, status=400)
            changed = await visit.app.people.revoke(s, person_id, role)
        await s.commit()
    visit.app.people.forget(person_id)
    log.info("event=web_role action=%s person=%s role=%s by=%s changed=%s",
             action, person_id, role, visit.person.id, changed)  # fmt: skip
    done = "added" if action == "add" else "removed"
    location = f"/web/admin/people/{person_id}?done={done if changed else 'same'}"
    return web.Response(status=303, headers={"Location": location})


def _role_error(visit: Visit, role: Role, text: str) -> str:
    if not role.name or any(c not in _ROLE_NAME for c in role.name) or " " in role.scope:
        return visit.t("Write a role as a word, or scoped to a unit: member:housing")
    if role.name == "member" and not role.scope:
        return visit.t("A member belongs to a unit: choose it (member:housing).")
    unit = visit.org.unit(role.scope) if role.name == "member" else None
    if role.name == "member" and unit is None:
        return visit.t("There is no unit '{key}'. Write the key of a unit.", key=role.scope)
    if unit is not None and unit.key != role.scope:
        return visit.t("Write the unit's key: member:{key}", key=unit.key)
    return "" if text else visit.t("Choose a role to give or to take.")


async def _person(
    visit: Visit, done: str, error: str, *, status: int = 200, typed: str = ""
) -> Template:
    person_id = _int(visit.request.match_info["id"])
    async with visit.session() as s:
        row = await s.get(PersonRow, person_id)
        if row is None:
            raise web.HTTPNotFound
        roles = [
            {
                "value": str(Role(r.role, r.scope)),
                "label": _label(visit, Role(r.role, r.scope)),
                "config": r.source == "config",
            }
            for r in sorted(row.roles, key=_order)
        ]
        accounts = [
            {"key": f"{i.platform}:{i.user_id}", "shown": i.display_name} for i in row.identities
        ]
        name = row.real_name or row.display_name or "?"
    flash = {
        "added": visit.t("The role was given."),
        "removed": visit.t("The role was taken away."),
        "same": visit.t("Nothing changed: it was so already."),
    }.get(done, "")
    choices = [{"value": r, "label": visit.t(r)} for r in KNOWN_ROLES if r != "member"]
    choices += [
        {"value": u.member_role, "label": visit.t("member of {unit}", unit=u.label(visit.lang))}
        for u in visit.org.units
    ]
    values: dict[str, Any] = {
        "title": name,
        "person_id": person_id,
        "accounts": accounts,
        "roles": roles,
        "choices": choices,
        "typed": typed,
        "flash": error or flash,
        "flash_error": bool(error),
    }
    return Template("core/person.html", values, status=status)


def _label(visit: Visit, role: Role) -> str:
    name = visit.t(role.name) if role.name in KNOWN_ROLES else role.name
    if not role.scope:
        return name
    unit = visit.org.unit(role.scope) if role.name == "member" else None
    return f"{name}:{unit.label(visit.lang) if unit else role.scope}"


def _order(row: RoleRow) -> tuple[str, str]:
    return (row.role, row.scope)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
