"""`WallClock`: the real clock's pace from a chosen moment, for the story tests that run a bot
on a platform emulator in real time but must reach Friday 18:00 without waiting for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock

__all__ = ["WallClock"]


class WallClock(SystemClock):
    """The real clock's pace from a chosen moment: `jump` moves the date on (then wake the
    scheduler: ``app.scheduler.notify()``, or `move_to`, which does both), so a job due at 18:00
    runs without waiting until 18:00, while timers, pacing and the emulator's limits keep real
    seconds."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, delta: timedelta) -> None:
        self._offset += delta

    def move_to(self, app: App, when: datetime) -> None:
        """Jump to `when` and wake `app`'s scheduler (its jobs due by then run)."""
        self.jump(when - self.now())
        app.scheduler.notify()
