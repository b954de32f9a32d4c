"""`Watchdog`: the dispatcher's handler timeout, without a timer per handler.

``asyncio.timeout`` schedules and cancels a timer handle for every call, which costs more than
the dispatch of a simple handler itself. The watchdog notes when the running handler started (a
float) and looks every tenth of the timeout; a handler found running past its time is cancelled
and its caller gets `TimeoutError`, as with ``asyncio.timeout``. A handler is thus stopped
between 1.0 and 1.1 times the timeout after it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["Watchdog"]

T = TypeVar("T")


class Watchdog:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._interval = min(max(timeout / 10, 0.005), 1.0)
        self._task: asyncio.Task[object] | None = None
        self._started = 0.0
        self._expired = False
        self._watcher: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self._watch(), name="watchdog")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None

    async def run(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable` (a handler's coroutine); `TimeoutError` if it runs too long."""
        if self._watcher is None or self._task is not None:  # not started, or nested: plain
            async with asyncio.timeout(self.timeout):
                return await awaitable
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._started = asyncio.get_running_loop().time()
        self._expired = False
        before = task.cancelling()
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self._expired:
                self._expired = False
                if task.uncancel() <= before:  # ours, not also a cancel from outside
                    raise TimeoutError from None
            raise
        finally:
            if self._expired and task.cancelling() > before:  # the handler swallowed ours
                task.uncancel()
            self._task = None
            self._expired = False

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._interval)
            task = self._task
            if (
                task is not None
                and not self._expired
                and loop.time() - self._started >= self.timeout
            ):
                self._expired = True
                task.cancel()
