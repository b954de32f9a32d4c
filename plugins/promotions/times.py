"""Times as the database keeps them: in UTC (SQLite stores a datetime's wall clock and hands it
back without a timezone)."""

from __future__ import annotations

from datetime import UTC, datetime

from qunzhu.core import Context

__all__ = ["local", "utc"]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def local(ctx: Context, moment: datetime) -> str:
    """A moment as people read it: month-day hours:minutes in the bot's timezone."""
    return moment.astimezone(ctx.app.settings.bot.tz).strftime("%m-%d %H:%M")
