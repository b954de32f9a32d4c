"""The dispatcher's handler timeout (`qunzhu.core.dispatch._watchdog`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from qunzhu.core.dispatch._watchdog import Watchdog


@pytest.fixture
async def watchdog() -> AsyncIterator[Watchdog]:
    dog = Watchdog(0.1)
    dog.start()
    yield dog
    await dog.stop()


async def test_a_quick_handler_returns_its_result(watchdog: Watchdog) -> None:
    async def quick() -> int:
        await asyncio.sleep(0)
        return 7

    assert await watchdog.run(quick()) == 7


async def test_a_slow_handler_is_stopped_between_one_and_about_one_point_one_timeouts(
    watchdog: Watchdog,
) -> None:
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        await watchdog.run(asyncio.sleep(5))
    elapsed = time.perf_counter() - started
    assert 0.1 <= elapsed < 0.5
    # the task is not left cancelled: the next handler runs normally
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    assert await watchdog.run(asyncio.sleep(0, "next")) == "next"


async def test_a_handler_that_swallows_the_cancel_does_not_leave_the_task_cancelled(
    watchdog: Watchdog,
) -> None:
    async def stubborn() -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            return "swallowed"
        return "slept"

    assert await watchdog.run(stubborn()) == "swallowed"
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    await asyncio.sleep(0.01)  # no cancellation is pending either


async def test_a_cancel_from_outside_stays_a_cancel(watchdog: Watchdog) -> None:
    task = asyncio.ensure_future(watchdog.run(asyncio.sleep(5)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_without_the_watch_task_it_falls_back_to_asyncio_timeout() -> None:
    dog = Watchdog(0.05)
    with pytest.raises(TimeoutError):
        await dog.run(asyncio.sleep(5))
