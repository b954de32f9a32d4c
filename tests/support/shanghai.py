"""`at`: a local time in Shanghai (UTC+8, no daylight saving) as the aware UTC moment the fake
clock is set to, for the story tests whose people live by Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["SHANGHAI", "at"]

SHANGHAI = timedelta(hours=8)


def at(day: str, hour: int, minute: int = 0) -> datetime:
    """``at("2026-11-16", 9)``: 9:00 on that day in Shanghai."""
    local = datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}")
    return (local - SHANGHAI).replace(tzinfo=UTC)
