"""The database: one async SQLAlchemy engine, the shared `Base` for every table, and sessions.

SQLite (the default, ``sqlite+aiosqlite:///qunzhu.db``) runs in WAL mode with foreign keys on and
real SAVEPOINT support; PostgreSQL is reached by URL (``postgresql+asyncpg://...``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import StaticPool

from qunzhu.core.errors import StorageError
from qunzhu.core.storage._statistics import Statistics

__all__ = ["Base", "Database", "QueuedWrites", "Writer", "sqlite_time"]

log = logging.getLogger("qunzhu.storage")
# aiosqlite logs every statement with the values bound to it at DEBUG (people's names, phones
# and messages): a bot run with --log-level debug must not write them.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declare every table on this base; plugin tables are prefixed with the plugin name."""

    metadata = MetaData(naming_convention=NAMING)


class Writer(Protocol):
    """Writes queued items of one kind: through a session, or on SQLite's direct connection."""

    def __call__(self, session: Session, items: list[Any], /) -> None: ...

    def direct(self, conn: sqlite3.Connection, dialect: Any, items: list[Any], /) -> None: ...


class QueuedWrites:
    """Items to write in bulk when the session next flushes or commits, by their writer.

    The hot tables (the outbox) are written this way rather than through ORM objects: a handler
    queues plain objects, and they reach the database in its transaction, before any ORM row
    that might refer to them, with one statement per writer (``writer(session, items)``)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[Writer, list[Any]] = {}

    @classmethod
    def of(cls, session: Session) -> QueuedWrites:
        queued = session.info.get("qunzhu.queued")
        if queued is None:
            queued = session.info["qunzhu.queued"] = cls()
        return queued

    def add(self, writer: Writer, item: Any) -> None:
        self.items.setdefault(writer, []).append(item)

    def holds(self, writer: Writer, item: Any) -> bool:
        return any(queued is item for queued in self.items.get(writer, ()))

    def discard(self, writer: Writer, item: Any) -> None:
        """Take back an item not written yet (its handler was rolled back)."""
        items = self.items.get(writer, [])
        for i, queued in enumerate(items):
            if queued is item:
                del items[i]
                return

    def write_direct(self, conn: sqlite3.Connection, dialect: Any) -> None:
        """Write everything on SQLite's direct connection, in its open transaction."""
        batches, self.items = self.items, {}
        for writer, items in batches.items():
            if items:
                writer.direct(conn, dialect, items)

    def write(self, session: Session) -> None:
        if not self.items:
            return
        batches, self.items = self.items, {}
        for writer, items in batches.items():
            if items:
                writer(session, items)


class _Session(Session):
    """The ORM session of every qunzhu transaction: writes `QueuedWrites` first."""

    def flush(self, objects: Any = None) -> None:
        queued = self.info.get("qunzhu.queued")
        if queued is not None and queued.items:
            queued.write(self)
        super().flush(objects)

    def commit(self) -> None:
        queued = self.info.get("qunzhu.queued")
        if queued is not None and queued.items:
            queued.write(self)
        super().commit()

    def rollback(self) -> None:
        self.info.pop("qunzhu.queued", None)
        super().rollback()

    def close(self) -> None:
        self.info.pop("qunzhu.queued", None)
        super().close()


class Database:
    """Owns the engine and hands out sessions. Built by the application factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            folder = Path(self.url.database).expanduser().resolve().parent
            if not folder.is_dir():
                msg = f"the folder of the SQLite database does not exist: {folder}"
                raise StorageError(msg)
        # A failed statement's error (logged with its traceback) and the echo would carry the
        # values bound to it: people's names, phones and messages. Never log them.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite and self.url.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
            kwargs["connect_args"] = {"check_same_thread": False}
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=_Session
        )
        self._write_lock: _WriteLock | None = _WriteLock() if self.is_sqlite else None
        self._direct: sqlite3.Connection | None = None
        #: PostgreSQL's planner statistics of the tables the bot grows (nothing on SQLite).
        self.statistics = Statistics(None if self.is_sqlite else self.engine)

    @property
    def display_url(self) -> str:
        """The URL with its secrets hidden (the password, and ``?password=`` in the query)."""
        from qunzhu.core.config.redact import hide_url_password

        return str(hide_url_password(self.url.render_as_string(hide_password=False)))

    def session(self) -> AsyncSession:
        return self.sessions()

    def writing(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold while a transaction writes. SQLite allows one writer at a time and makes the
        others sleep and retry (its busy handler sleeps up to 100 ms a turn); taking turns here
        instead keeps latency flat. On PostgreSQL it does nothing.

        Asking for it again from the task that holds it (a handler, inside its batch, writing
        through its own transaction instead of ``ctx.db``) raises `StorageError` at once: it
        would wait for itself until the handler timed out."""
        return self._write_lock if self._write_lock is not None else contextlib.nullcontext()

    def direct(self) -> sqlite3.Connection | None:
        """On a SQLite file: a plain ``sqlite3`` connection used on the event loop's own thread,
        for the core's short writes on the hot path (the inbox, delivery records), always under
        `writing()`. A transaction there costs about a tenth of one through the async driver,
        whose every call is a round trip to its worker thread. None for an in-memory database
        and on PostgreSQL."""
        if not self.is_sqlite or self.url.database in (None, "", ":memory:"):
            return None
        if self._direct is None:
            conn = sqlite3.connect(self.url.database, isolation_level=None)
            for pragma in _SQLITE_PRAGMAS:
                conn.execute(pragma)
            self._direct = conn
        return self._direct

    @contextlib.contextmanager
    def direct_transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on the direct connection (take `writing()` first): ``BEGIN
        IMMEDIATE``, then ``COMMIT``, or ``ROLLBACK`` if the block raises."""
        conn = self.direct()
        if conn is None:
            msg = "no direct connection: only a SQLite file has one"
            raise StorageError(msg)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def create_all(self) -> None:
        """Create every declared table directly (tests, throwaway databases)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.statistics.close()
        if self._direct is not None:
            self._direct.close()
            self._direct = None
        await self.engine.dispose()


_SQLITE_DATETIME = DateTime(timezone=True).bind_processor(sqlite.dialect())


def sqlite_time(when: datetime) -> Any:
    """`when` as SQLAlchemy stores a ``DateTime`` on SQLite (for the direct connection's SQL)."""
    return _SQLITE_DATETIME(when) if _SQLITE_DATETIME is not None else when


_SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
)


class _WriteLock:
    """An `asyncio.Lock` that knows which task holds it, so that a task asking for it twice
    fails at once instead of waiting for itself."""

    __slots__ = ("_lock", "_owner")

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            msg = (
                "this task already holds the database's write lock: inside a handler, write "
                "through ctx.db (for a person, ctx.person_of), not through a transaction of "
                "your own"
            )
            raise StorageError(msg)
        await self._lock.acquire()
        self._owner = task

    async def __aexit__(self, *exc: object) -> None:
        self._owner = None
        self._lock.release()


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and SQLAlchemy's documented fix for pysqlite's transaction handling
    (emit BEGIN ourselves) so that SAVEPOINTs work."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
