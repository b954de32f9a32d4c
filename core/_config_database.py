"""What ``qunzhu config show`` adds after the file: the settings that live in the database.

The YAML seeds the organisation and the people's roles; admins change both on the web console
(and roles with ``/role``), and those changes are kept in the database, over the file. So that
``config show`` tells the whole truth, it appends a section ``from_database:`` with the units
edited, added or removed on the console (each with who and when) and the roles given outside the
file (by ``/role`` or on the console), and says when the edits do not fit the file. Nothing is
written: a database that does not exist yet (a SQLite file not created) or cannot be reached is
named in a comment, never created or waited for.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from qunzhu.core.clock import aware
from qunzhu.core.org._overlay import build_org, load_edits, sources
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import IdentityRow, PersonRow, RoleRow

if TYPE_CHECKING:
    from qunzhu.core.config import Settings

__all__ = ["database_part"]

_TIMEOUT = 5.0


async def database_part(settings: Settings) -> dict[str, Any] | str:
    """The ``from_database:`` section, or a line saying why the database was not read."""
    url = settings.database.url
    if url.startswith("sqlite") and ":memory:" not in url:
        file = url.split(":///", 1)[-1].split("?", 1)[0]
        if not Path(file).is_file():
            return f"no database at {file} yet: nothing edited on the console"
    db = Database(url)
    try:
        return await asyncio.wait_for(_read(db, settings), _TIMEOUT)
    except Exception as exc:  # unreachable, not upgraded yet: one line, not a traceback
        first = (str(exc).splitlines() or [""])[0][:200]
        return f"database not read ({type(exc).__name__}: {first})"
    finally:
        await db.dispose()


async def _read(db: Database, settings: Settings) -> dict[str, Any]:
    edits = await load_edits(db)
    state = build_org(settings.org, edits)
    where = sources(settings.org, edits)
    editors: dict[int, str] = {}
    async with db.session() as s:
        wanted = {e.edited_by for e in edits if e.edited_by is not None}
        if wanted:
            named = await s.execute(
                select(PersonRow.id, PersonRow.real_name, PersonRow.display_name).where(
                    PersonRow.id.in_(wanted)
                )
            )
            editors = {int(i): f"{real or shown or '?'} ({i})" for i, real, shown in named.all()}
    tz = settings.bot.tz
    units: dict[str, Any] = {}
    for edit in edits:
        entry: dict[str, Any] = {
            "source": where.get(edit.key, "removed"),
            "edited_at": aware(edit.edited_at).astimezone(tz).isoformat(timespec="minutes"),
            "edited_by": editors.get(edit.edited_by or 0, edit.edited_by),
        }
        if edit.unit is not None:
            entry["unit"] = edit.unit.model_dump(mode="json", exclude_defaults=True)
        units[edit.key] = entry
    async with db.session() as s:
        rows = await s.execute(
            select(
                RoleRow.person_id, RoleRow.role, RoleRow.scope, RoleRow.source, PersonRow.real_name
            )
            .join(PersonRow, PersonRow.id == RoleRow.person_id)
            .where(RoleRow.source != "config")
            .order_by(RoleRow.person_id, RoleRow.role, RoleRow.scope)
        )
        found = rows.all()
        ids = {r[0] for r in found}
        accounts: dict[int, str] = {}
        if ids:
            for person_id, platform, user_id in await s.execute(
                select(IdentityRow.person_id, IdentityRow.platform, IdentityRow.user_id)
                .where(IdentityRow.person_id.in_(ids))
                .order_by(IdentityRow.id)
            ):
                accounts.setdefault(int(person_id), f"{platform}:{user_id}")
    roles = [
        {
            "person": person_id,
            "account": accounts.get(int(person_id), ""),
            "name": name,
            "role": f"{role}:{scope}" if scope else role,
            "given_by": "web console" if source == "web" else "/role",
        }
        for person_id, role, scope, source, name in found
    ]
    part: dict[str, Any] = {"org_units": units, "roles": roles}
    if state.problems:
        part["org_problems"] = list(state.problems)
    return part
