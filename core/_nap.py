"""`Nap`: how a background loop (the sender, the scheduler) waits: until a timer on the injected
clock fires or until it is woken, whichever comes first, and whether it is waiting right now
(the test harness's ``settle`` asks, so that it knows when everything is quiet)."""

from __future__ import annotations

import asyncio
from typing import Any

from qunzhu.core.clock import Clock

__all__ = ["Nap"]


class Nap:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._wake = asyncio.Event()
        self._timer: asyncio.Future[None] | None = None
        #: True while the loop waits (or, for a standby sender, has nothing to do at all).
        self.parked = False

    def wake(self) -> None:
        self._wake.set()

    def clear(self) -> None:
        self._wake.clear()

    @property
    def woken(self) -> bool:
        return self._wake.is_set()

    @property
    def quiet(self) -> bool:
        """Waiting, not woken, and its timer (if any) has not fired."""
        timer = self._timer
        return self.parked and not self._wake.is_set() and (timer is None or not timer.done())

    async def __call__(self, seconds: float | None) -> None:
        """Wait `seconds` of clock time (None: until woken), or less if woken."""
        if self._wake.is_set():
            return
        timer = None if seconds is None else self._clock.timer(seconds)
        self._timer = timer
        self.parked = True
        waiter = asyncio.ensure_future(self._wake.wait())
        pending: set[asyncio.Future[Any]] = {waiter} if timer is None else {waiter, timer}
        try:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.parked = False
            self._timer = None
            for fut in pending:
                fut.cancel()
