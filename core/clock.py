"""Time, injected. Code asks its `Clock` for the time instead of calling `datetime.now()`, so the
test harness can move time forward and every deadline, timeout and job can be tested without
sleeping. `aware` turns a time read back from the database into an aware one."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock", "aware"]


def aware(when: datetime) -> datetime:
    """A time read back from the database, timezone-aware: SQLite hands back naive datetimes,
    which were stored in UTC; an aware one is returned as it is."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; only differences mean anything."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""

    def timer(self, seconds: float) -> asyncio.Future[None]:
        """A future that completes after `seconds` of this clock's time, armed at once (so a
        test that moves a fake clock right after cannot miss it)."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def timer(self, seconds: float) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        handle = loop.call_later(max(seconds, 0.0), _resolve, fut)
        fut.add_done_callback(lambda _: handle.cancel())
        return fut


class FakeClock:
    """A clock that moves only when told. `await clock.advance(...)` wakes every sleeper whose
    time has come, in order, letting each run before the next is woken."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
        if self._now.tzinfo is None:
            msg = "FakeClock needs a timezone-aware start time"
            raise ValueError(msg)
        self._mono = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        #: Awaited after each wake-up during `advance` (the test harness sets the app's
        #: ``settle``), so that timers armed by what a wake-up ran fire within the same advance.
        self.settle: Callable[[], Awaitable[None]] | None = None

    def now(self) -> datetime:
        return self._now.astimezone(UTC)

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        await self.timer(seconds)

    def timer(self, seconds: float) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if seconds <= 0:
            fut.set_result(None)
        else:
            heapq.heappush(self._sleepers, (self._mono + seconds, next(self._seq), fut))
        return fut

    def set(self, when: datetime) -> None:
        """Jump to `when` without waking sleepers (use before anything sleeps)."""
        self._mono += (when - self._now).total_seconds()
        self._now = when

    async def advance(self, delta: timedelta | float) -> None:
        """Move time forward by `delta`, waking sleepers one deadline at a time."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        target = self._mono + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            wake_at, _, fut = heapq.heappop(self._sleepers)
            self._step_to(max(wake_at, self._mono))
            if not fut.done():
                fut.set_result(None)
            for _ in range(5):  # let the woken task and what it starts run
                await asyncio.sleep(0)
            if self.settle is not None:
                await self.settle()
        self._step_to(target)
        await asyncio.sleep(0)

    def _step_to(self, mono: float) -> None:
        self._now += timedelta(seconds=mono - self._mono)
        self._mono = mono


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
