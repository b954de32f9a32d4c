"""Time-ordered 63-bit ids made in Python (the "snowflake" layout).

An ORM row whose id the database must generate is inserted one statement at a time on SQLite (the
id has to be read back row by row); a row with its id already set goes into one batched
``executemany``. Tables written on every message (the outbox, a plugin's busiest table) can use
`new_id` as the Python-side default of their primary key::

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)

Layout: milliseconds since 2026-01-01 (41 bits) | process tag (10 bits) | sequence (12 bits).
Ids made by one process only ever grow; several processes get distinct random tags.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["new_id"]

_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
_TAG = int.from_bytes(os.urandom(2), "big") & 0x3FF
_lock = threading.Lock()
_last = 0


def new_id() -> int:
    """A new id, larger than every id this process made before."""
    global _last  # noqa: PLW0603 - the one piece of process state the layout needs
    with _lock:
        candidate = ((int(time.time() * 1000) - _EPOCH_MS) << 22) | (_TAG << 12)
        _last = max(candidate, _last + 1)
        return _last
