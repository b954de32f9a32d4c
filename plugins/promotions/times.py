"""Times as the database keeps them: in UTC (SQLite stores a datetime's wall clock and hands it
back without a timezone)."""

from __future__ import annotations

from datetime import UTC, datetime

from qunzhu.core import Context

__all__ = ["aware", "local", "utc"]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    """A datetime read back from the database, as an aware UTC datetime."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local(ctx: Context, moment: datetime) -> str:
    """A moment as people read it: month-day hours:minutes in the bot's timezone."""
    return moment.astimezone(ctx.app.settings.bot.tz).strftime("%m-%d %H:%M")
