"""Rows appended without ORM objects: ``ctx.insert(Model, **values)``.

A plugin table written on every message (a log of reports, an audit trail) pays for each ORM
object far more than for the row itself. `queue_insert` queues the values in the session
instead; they are inserted when the session next flushes or commits (before any ORM row that
may refer to them), all rows of a table with one ``executemany``: through the driver on SQLite,
through Core elsewhere. Python-side column defaults (``default=new_id``) are filled at once, so
the returned values carry the row's id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from qunzhu.core.storage._database import QueuedWrites, Writer

__all__ = ["queue_insert"]

_WRITER = "qunzhu.insert_writer"


def queue_insert(
    session: AsyncSession, target: Any, values: dict[str, Any]
) -> tuple[Writer, dict[str, Any]]:
    """Queue one row of `target` (a mapped class or a `Table`); returns its writer (to take it
    back with ``QueuedWrites.discard``) and the full values."""
    table = _table_of(target)
    writer = table.info.get(_WRITER)
    if writer is None:
        writer = table.info[_WRITER] = _Writer(table)
    row = dict(values)
    for key, default in writer.defaults:
        if key not in row:
            row[key] = default()
    if len(row) > writer.width or not writer.keys.issuperset(row):
        unknown = set(row) - writer.keys
        msg = f"{table.name} has no column {', '.join(sorted(unknown))}"
        raise TypeError(msg)
    QueuedWrites.of(session.sync_session).add(writer, row)
    return writer, row


def _by_keys(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return groups


def _table_of(target: Any) -> Table:
    if isinstance(target, Table):
        return target
    table = getattr(target, "__table__", None)
    if not isinstance(table, Table):
        msg = f"ctx.insert needs a mapped class or a Table, not {target!r}"
        raise TypeError(msg)
    return table


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    if default.is_callable:
        fn = default.arg  # type: ignore[attr-defined]
        return lambda: fn(None)  # SQLAlchemy wraps a no-argument default to take a context
    return None


class _Writer:
    """Writes the queued rows of one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.keys = set(table.c.keys())
        self.width = len(self.keys)
        self.defaults = [(c.key, fn) for c in table.c if (fn := _python_default(c)) is not None]
        self._statements: dict[tuple[str, ...], tuple[str, list[Any]]] = {}

    def __call__(self, session: Session, rows: list[dict[str, Any]]) -> None:
        conn = session.connection()
        for keys, group in _by_keys(rows).items():
            if conn.dialect.name != "sqlite":
                conn.execute(self.table.insert(), group)
            else:
                conn.exec_driver_sql(*self._sqlite(keys, group, conn.dialect))

    def direct(self, conn: sqlite3.Connection, dialect: Any, rows: list[dict[str, Any]]) -> None:
        for keys, group in _by_keys(rows).items():
            conn.executemany(*self._sqlite(keys, group, dialect))

    def _sqlite(
        self, keys: tuple[str, ...], group: list[dict[str, Any]], dialect: Any
    ) -> tuple[str, list[tuple[Any, ...]]]:
        sql, processors = self._sqlite_statement(keys, dialect)
        params = [
            tuple(
                value if proc is None or value is None else proc(value)
                for proc, value in zip(processors, (row[k] for k in keys), strict=True)
            )
            for row in group
        ]
        return sql, params

    def _sqlite_statement(self, keys: tuple[str, ...], dialect: Any) -> tuple[str, list[Any]]:
        found = self._statements.get(keys)
        if found is None:
            columns = [self.table.c[k] for k in keys]
            names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
            marks = ", ".join("?" for _ in columns)
            table = dialect.identifier_preparer.format_table(self.table)
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            found = self._statements[keys] = (
                sql,
                [c.type.bind_processor(dialect) for c in columns],
            )
        return found
