"""Times as the database keeps them: in UTC (SQLite stores a datetime's wall clock and hands it
back without a timezone)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["aware", "utc"]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    """A datetime read back from the database, as an aware UTC datetime."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
