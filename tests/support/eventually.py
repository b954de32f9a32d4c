"""`eventually`: wait until a condition about a running bot holds (a platform emulator saw a
message, a row was written), for the adapter and story tests that run a real App."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["eventually"]


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until `check()` (sync or async) is truthy; returns its value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            msg = f"not reached within {timeout} s: last value {value!r}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.02)
