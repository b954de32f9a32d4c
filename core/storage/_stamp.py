"""The schema stamp: lets a SQLite database that is already up to date start without Alembic.

The default SQLite database is upgraded at every start: Alembic runs every branch to its head and
then compares the whole schema with the declared models, so that a table without a migration
stops start-up. When nothing changed since the last start that costs about a quarter of a second
and Alembic's import, a good share of the console's start-up (compass: 1 s).

So once an upgrade and its comparison passed, the database is stamped (SQLite's own
``PRAGMA user_version``) with a fingerprint of what they checked: every migration file of the
core and of the loaded plugins, the DDL of every declared table, and the revisions the database
is at. A later start computes the same fingerprint (file reads and SQLAlchemy, no Alembic); when
it matches, nothing can differ and the upgrade is skipped. A changed or added migration, model
or plugin, or a database moved to other revisions, gives another fingerprint: the full upgrade
and comparison run, and stamp again.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, CreateTable

from qunzhu.core.plugins import PluginSet
from qunzhu.core.storage._database import Base, Database
from qunzhu.core.storage._tables import CORE_TABLES

__all__ = ["is_current", "stamp"]

_VERSIONS = Path(__file__).parent / "migrations" / "versions"


async def is_current(db: Database, plugins: PluginSet) -> bool:
    """Whether this SQLite database was stamped after an upgrade of exactly this code."""
    if not db.is_sqlite:
        return False
    async with db.engine.connect() as conn:
        stamped = (await conn.execute(text("PRAGMA user_version"))).scalar_one()
        revisions = await _revisions(conn)
    return bool(stamped) and stamped == _fingerprint(plugins, revisions)


async def stamp(db: Database, plugins: PluginSet) -> None:
    """Record that the database matches this code (after a passed upgrade)."""
    if not db.is_sqlite:
        return
    async with db.engine.begin() as conn:
        value = _fingerprint(plugins, await _revisions(conn))
        await conn.execute(text(f"PRAGMA user_version = {value:d}"))


async def _revisions(conn: AsyncConnection) -> list[str]:
    try:
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no such table: never upgraded
        return []
    return sorted(str(r[0]) for r in rows)


def _fingerprint(plugins: PluginSet, revisions: list[str]) -> int:
    crc = zlib.crc32("\n".join(revisions).encode())
    for folder in [_VERSIONS, *plugins.migrations.values()]:
        for path in sorted(Path(folder).glob("*.py")):
            crc = zlib.crc32(path.name.encode(), crc)
            crc = zlib.crc32(path.read_bytes(), crc)
    names = set(CORE_TABLES)
    names |= {m.__tablename__ for models in plugins.models.values() for m in models}
    dialect = sqlite.dialect()
    for table in Base.metadata.sorted_tables:
        if table.name in names:
            crc = zlib.crc32(str(CreateTable(table).compile(dialect=dialect)).encode(), crc)
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                crc = zlib.crc32(str(CreateIndex(index).compile(dialect=dialect)).encode(), crc)
    return (crc & 0x7FFFFFFF) or 1  # user_version is a signed 32-bit integer; 0: never stamped
