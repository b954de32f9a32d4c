"""Ticket numbers ``Q-2026-0001``: a sequence per year, unique and without gaps even with
several workers on one PostgreSQL database.

The counter row of the year is incremented with ``UPDATE … RETURNING`` in the ticket's own
transaction. The update locks the row until that transaction ends, so a second worker filing a
ticket at the same moment waits and then reads the committed value; a transaction that rolls
back takes its increment with it, so no number is skipped. A new year's row is created with an
insert that ignores a conflict (two workers may both try). On SQLite writers are serialised
anyway.
"""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Counter

__all__ = ["NUMBER", "format_number", "next_seq", "parse_number"]

NUMBER = re.compile(r"(?<![A-Za-z0-9])[QqＱ][-－]?(\d{4})[-－]?(\d{1,6})(?!\d)")


def format_number(year: int, seq: int) -> str:
    return f"Q-{year}-{seq:04d}"


def parse_number(text: str) -> str | None:
    """``q-2026-1`` or ``Q20260001`` → ``Q-2026-0001``; None when `text` holds no number."""
    match = NUMBER.search(text.strip())
    if match is None:
        return None
    return format_number(int(match.group(1)), int(match.group(2)))


async def next_seq(db: AsyncSession, year: int) -> int:
    """The next number of `year`, taken in `db`'s transaction."""
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await db.execute(insert(Counter).values(year=year, last=0).on_conflict_do_nothing())
    result = await db.execute(
        update(Counter)
        .where(Counter.year == year)
        .values(last=Counter.last + 1)
        .returning(Counter.last)
    )
    return int(result.scalar_one())
