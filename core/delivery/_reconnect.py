"""`keep_connected`: how an adapter keeps its platform connection (a long-lived WebSocket, a
stream) open until it is stopped: one connection's whole life at a time, and after it ends or
fails a pause of 1, 2, 4 … seconds up to `max_backoff` before the next, which starts over at 1 s
once a connection got through. The WeCom and DingTalk adapters use it; an adapter author gets it
from ``qunzhu.core.adapter``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["keep_connected"]


async def keep_connected(
    connect_once: Callable[[], Awaitable[bool]],
    stopped: Callable[[], bool],
    *,
    name: str,
    max_backoff: float,
    log: logging.Logger,
    again_at_once: bool = False,
) -> None:
    """Call `connect_once` again and again until `stopped()`.

    `connect_once` runs one connection to its end and returns True when it got through (the
    platform accepted it: the pause starts over); any exception but cancellation is logged
    (``event=<name>_connection_failed``, with the exception's type) and is followed by a pause.
    With `again_at_once`, a connection that got through is followed by the next one at once
    (the platform closed it on purpose, or asked the client to go). Each pause is logged as
    ``event=<name>_reconnect``."""
    attempt = 0
    while not stopped():
        through = False
        try:
            through = await connect_once()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a connection: reconnect
            log.warning(
                "event=%s_connection_failed error=%s", name, type(exc).__name__, exc_info=True
            )
        if stopped():
            return
        if through:
            attempt = 0
            if again_at_once:
                continue
        delay = min(2.0**attempt, max_backoff)
        attempt += 1
        log.info("event=%s_reconnect in=%.0fs attempt=%d", name, delay, attempt)
        await asyncio.sleep(delay)
