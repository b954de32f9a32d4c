"""Waiting for the database at start-up.

A server rebooted with its database, or a network blip at boot, must not leave the bot down: with
no supervisor to start it again, an exit is an outage. `wait_until_reachable` asks the database for
``SELECT 1`` until it answers, pausing between attempts (`FIRST_PAUSE`, doubled up to `MAX_PAUSE`)
and saying so in the log at each attempt. Only a database that cannot be *reached* (connection
refused or reset, no route, a time-out) is waited for: a wrong password or a missing database will
not mend itself, and stop the start at once with one line that says what is wrong.
SQLite is a file: nothing to wait for.
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from qunzhu.core.clock import Clock
from qunzhu.core.errors import StorageError
from qunzhu.core.storage._database import Database

__all__ = ["FIRST_PAUSE", "MAX_PAUSE", "wait_until_reachable"]

log = logging.getLogger("qunzhu.storage")
FIRST_PAUSE = 0.5
MAX_PAUSE = 30.0


async def wait_until_reachable(db: Database, clock: Clock) -> int:
    """Return once the database answers; the number of failed attempts before it did."""
    if db.is_sqlite:
        return 0
    failures = 0
    while True:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            cause = _root(exc)
            if not isinstance(cause, OSError | TimeoutError):
                message = f"database {db.display_url}: {type(cause).__name__}: {_first_line(cause)}"
                raise StorageError(message) from None
            failures += 1
            pause = min(FIRST_PAUSE * 2 ** (failures - 1), MAX_PAUSE)
            log.warning(
                "event=database_unreachable db=%s attempt=%d pause=%.1f error=%s: %s",
                db.display_url,
                failures,
                pause,
                type(cause).__name__,
                _first_line(cause),
            )
            await clock.sleep(pause)
            continue
        if failures:
            log.warning("event=database_reachable db=%s attempts=%d", db.display_url, failures)
        return failures


def _root(exc: BaseException) -> BaseException:
    """The driver's own error under SQLAlchemy's wrappers (``orig``, ``__cause__``)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "orig", None) or exc.__cause__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""
