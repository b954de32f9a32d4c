"""Starting an adapter, waiting for a platform it cannot reach.

A server rebooted while its network comes up, or the platform down for a minute, must not leave
the bot down: `start_when_reachable` starts the adapter, and when the start raises
`PlatformUnreachable` (no connection, a time-out, a 5xx or 429 answer: each adapter decides what
is worth waiting for) it says so in the log, pauses (`FIRST_PAUSE`, doubled up to `MAX_PAUSE`)
and tries again, as start-up does for the database (`qunzhu.core.storage._reach`). Any other
error (a refused token, a wrong address) stops the start at once, after the adapter has closed
what it opened, with one line that says what is wrong.
"""

from __future__ import annotations

import contextlib
import logging

from qunzhu.core.adapter import Adapter, EventSink
from qunzhu.core.clock import Clock
from qunzhu.core.errors import PlatformUnreachable

__all__ = ["FIRST_PAUSE", "MAX_PAUSE", "start_when_reachable"]

log = logging.getLogger("qunzhu.app")
FIRST_PAUSE = 1.0
MAX_PAUSE = 60.0


async def start_when_reachable(name: str, adapter: Adapter, sink: EventSink, clock: Clock) -> int:
    """Start `adapter`; the number of failed attempts before it started."""
    failures = 0
    while True:
        try:
            await adapter.start(sink)
        except PlatformUnreachable as exc:
            failures += 1
            pause = min(FIRST_PAUSE * 2 ** (failures - 1), MAX_PAUSE)
            log.warning(
                "event=platform_unreachable adapter=%s attempt=%d pause=%.1f error=%s",
                name,
                failures,
                pause,
                _first_line(exc),
            )
            await clock.sleep(pause)
            continue
        except Exception:
            with contextlib.suppress(Exception):
                await adapter.close()
            raise
        if failures:
            log.warning("event=platform_reachable adapter=%s attempts=%d", name, failures)
        return failures


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
