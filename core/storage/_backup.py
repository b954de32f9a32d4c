"""``qunzhu db backup FILE``: a copy of a SQLite database taken while the bot runs.

Copying ``qunzhu.db`` with ``cp`` while the bot writes can give a torn file (a page from before a
commit, the next from after; the write-ahead log left behind). SQLite's online backup API copies
a consistent snapshot page by page, letting the bot's writes go on between steps; the copy is
written beside its target and renamed into place, so a half-written backup never carries the
target's name. PostgreSQL has its own tool, ``pg_dump``, which the operations guide shows.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from qunzhu.core.errors import StorageError

__all__ = ["backup_sqlite"]

#: Pages copied per step; between steps the bot may write.
_PAGES = 1024


def backup_sqlite(url: str, target: Path) -> Path:
    """Copy the SQLite database of `url` to `target` (which must not exist); the source path."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        message = (
            f"db backup copies SQLite databases; for {parsed.get_backend_name()} use its own "
            "tool: pg_dump --format=custom (see docs/operations.md)"
        )
        raise StorageError(message)
    source = Path(parsed.database or "")
    if not parsed.database or parsed.database == ":memory:":
        raise StorageError("db backup: the database is in memory, there is nothing to copy")
    if not source.is_file():
        raise StorageError(f"db backup: {source} does not exist (run the bot or db upgrade first)")
    if target.exists():
        raise StorageError(f"db backup: {target} exists already: choose a new name")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst, pages=_PAGES)
            finally:
                dst.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"db backup: {type(exc).__name__}: {exc}") from None
    return source
