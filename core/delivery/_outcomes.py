"""Recording what became of sent messages: one transaction for many outcomes (group commit).

The sender finishes messages one by one, but writes their outcomes back together:

* ``sent``: the message is marked sent with the platform's message id (edits need it);
* ``retry``: its next attempt time, attempt count and last error are stored;
* ``failed``: marked failed with the error;
* ``gone`` (bot removed, blocked): failed, the chat is marked inactive and everything still
  queued for it fails at once.

On SQLite, when no chat is gone (the hot path), the rows are written on the direct connection;
on PostgreSQL, when all were delivered, in one statement that does not wait for the disk
(`_record_sent` says why that loses nothing a sender dying could not).
`Retries` decides what a failed attempt becomes: ``RetryLater`` waits as long as the platform
asked (not a failed attempt); ``PermanentFailure`` fails (``gone`` with ``chat_gone``); anything
else is retried with exponential backoff and jitter, up to ``max_attempts``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text, update

from qunzhu.core._tally import Tally
from qunzhu.core.delivery._outbox import OUTBOX, Outgoing
from qunzhu.core.errors import PermanentFailure, RetryLater
from qunzhu.core.storage._database import Database, sqlite_time
from qunzhu.core.storage._tables import ChatRow

__all__ = ["Outcome", "Retries", "record"]

log = logging.getLogger("qunzhu.sender")

_BY_ID = OUTBOX.c.id == bindparam("b_id")
_MARK_SENT = update(OUTBOX).where(_BY_ID).values(status="sent", message_id=bindparam("b_mid"))
_MARK_RETRY = (
    update(OUTBOX)
    .where(_BY_ID)
    .values(next_attempt_at=bindparam("b_at"), attempts=bindparam("b_n"), error=bindparam("b_err"))
)
_MARK_FAILED = update(OUTBOX).where(_BY_ID).values(status="failed", error=bindparam("b_err"))
_SQLITE_MARK_SENT = (
    "UPDATE core_outbox SET status = 'sent', message_id = ?, sent_at = ? WHERE id = ?"
)

_SQLITE_MARK_RETRY = (
    "UPDATE core_outbox SET next_attempt_at = ?, attempts = ?, error = ? WHERE id = ?"
)
_SQLITE_MARK_FAILED = "UPDATE core_outbox SET status = 'failed', error = ? WHERE id = ?"
# One statement, committed on its own (no BEGIN and COMMIT round trips), by the primary key
# (the same plan with or without planner statistics).
_PG_MARK_SENT = text(
    "UPDATE core_outbox SET status = 'sent', sent_at = :now, message_id = v.mid "
    "FROM unnest(CAST(:ids AS BIGINT[]), CAST(:mids AS VARCHAR[])) AS v(id, mid) "
    "WHERE core_outbox.id = v.id"
)


@dataclass(slots=True)
class Outcome:
    """How one attempt to send ended; recorded with others in one transaction."""

    out: Outgoing
    status: str  # sent | retry | failed | gone
    message_id: str | None = None
    delay: float = 0.0
    attempts: int = 0
    error: str | None = None


@dataclass(slots=True)
class Retries:
    """What a failed attempt becomes, for one platform's sender."""

    platform: str
    max_attempts: int = 12
    backoff: float = 1.0
    backoff_max: float = 300.0
    #: Where retries, platform waits (429) and failures are counted (``GET /metrics``).
    tally: Tally = field(default_factory=Tally)
    rng: random.Random = field(default_factory=random.Random)

    def outcome_of(self, out: Outgoing, exc: Exception) -> Outcome:
        where = (self.platform, out.chat.chat_id)
        self.tally.inc("delivery_problems", platform=self.platform, kind=_kind(exc))
        if isinstance(exc, RetryLater):
            self.tally.inc("platform_wait_seconds", exc.seconds or 0.0, platform=self.platform)
            log.warning("event=retry_later platform=%s chat=%s seconds=%s", *where, exc.seconds)
            return Outcome(out, "retry", delay=exc.seconds, attempts=out.attempts, error=str(exc))
        if isinstance(exc, PermanentFailure):
            log.warning(
                "event=delivery_failed platform=%s chat=%s gone=%s error=%s",
                *where,
                exc.chat_gone,
                exc,
            )
            status = "gone" if exc.chat_gone else "failed"
            return Outcome(out, status, error=str(exc)[:500])
        attempts = out.attempts + 1
        if attempts >= self.max_attempts:
            log.error(
                "event=delivery_gave_up platform=%s chat=%s attempts=%d error=%s",
                *where,
                attempts,
                exc,
            )
            return Outcome(out, "failed", attempts=attempts, error=str(exc)[:500])
        delay = min(self.backoff * 2 ** (attempts - 1), self.backoff_max)
        delay *= 0.5 + self.rng.random() / 2  # jitter: senders that failed together spread out
        log.warning(
            "event=delivery_retry platform=%s chat=%s attempt=%d delay=%.1f error=%s",
            *where,
            attempts,
            delay,
            exc,
        )
        return Outcome(out, "retry", delay=delay, attempts=attempts, error=str(exc)[:500])


async def record(db: Database, platform: str, now: datetime, batch: list[Outcome]) -> None:
    """Write `batch` back to the outbox in one transaction; a chat gone is marked inactive
    and what is still queued for it fails."""
    sent = [{"b_id": o.out.id, "b_mid": o.message_id} for o in batch if o.status == "sent"]
    retry = [
        {
            "b_id": o.out.id,
            "b_at": now + timedelta(seconds=o.delay),
            "b_n": o.attempts,
            "b_err": o.error,
        }
        for o in batch
        if o.status == "retry"
    ]
    failed = [{"b_id": o.out.id, "b_err": o.error} for o in batch if o.status in ("failed", "gone")]
    gone = {o.out.chat.chat_id: o for o in batch if o.status == "gone"}
    table = OUTBOX
    if db.direct() is not None and not gone:  # the hot path on SQLite
        async with db.writing():
            _record_direct(db, now, sent=sent, retry=retry, failed=failed)
        return
    if not db.is_sqlite and sent and not (retry or failed or gone):  # ... and on PostgreSQL
        await _record_sent(db, now, sent)
        return
    async with db.writing(), db.session() as s, s.begin():
        conn = await s.connection()
        if sent:
            await conn.execute(_MARK_SENT.values(sent_at=now), sent)
        if retry:
            await conn.execute(_MARK_RETRY, retry)
        if failed:
            await conn.execute(_MARK_FAILED, failed)
        for chat_id, o in gone.items():
            await s.merge(
                ChatRow(
                    platform=platform,
                    chat_id=chat_id,
                    kind=o.out.chat.kind.value,
                    active=False,
                    reason=o.error,
                    changed_at=now,
                )
            )
            await conn.execute(
                update(table)
                .where(
                    table.c.platform == platform,
                    table.c.chat_id == chat_id,
                    table.c.status == "pending",
                )
                .values(status="failed", error="chat is inactive")
            )


async def _record_sent(db: Database, now: datetime, sent: list[dict[str, Any]]) -> None:
    """Deliveries on PostgreSQL: one statement for them all, one round trip, committed on its
    own.

    The sender's slots are held until this commits, so its latency bounds how many messages a
    second leave; one statement by primary key in place of a transaction of single-row updates
    takes one commit instead of many round trips. The commit still waits for the WAL flush
    (``synchronous_commit`` as the server has it): a delivery once recorded is not forgotten
    by a server that crashes, so a reply is sent twice only when a sender dies between sending
    and recording, at most the messages holding its slots. (Not waiting was tried: it gained
    nothing measurable here and would widen that window to whatever the server forgot.)"""
    params = {"now": now, "ids": [o["b_id"] for o in sent], "mids": [o["b_mid"] for o in sent]}
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(_PG_MARK_SENT, params)


def _record_direct(
    db: Database, now: datetime, *, sent: list[dict[str, Any]], retry: list[dict[str, Any]],
    failed: list[dict[str, Any]],
) -> None:  # fmt: skip
    """Outcomes on SQLite's direct connection (see `Database.direct`)."""
    with db.direct_transaction() as conn:
        if sent:
            sent_at = sqlite_time(now)
            conn.executemany(_SQLITE_MARK_SENT, [(o["b_mid"], sent_at, o["b_id"]) for o in sent])
        if retry:
            conn.executemany(
                _SQLITE_MARK_RETRY,
                [(sqlite_time(o["b_at"]), o["b_n"], o["b_err"], o["b_id"]) for o in retry],
            )
        if failed:
            conn.executemany(_SQLITE_MARK_FAILED, [(o["b_err"], o["b_id"]) for o in failed])


def _kind(exc: Exception) -> str:
    """How a failed attempt is counted: asked to wait (429), refused for good, or retried."""
    if isinstance(exc, RetryLater):
        return "wait"
    if isinstance(exc, PermanentFailure):
        return "gone" if exc.chat_gone else "refused"
    return "retry"
