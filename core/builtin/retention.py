"""The ``core.retention`` jobs: every night at 03:30, the handled events and delivered messages
older than ``database.keep_days`` leave the database (`qunzhu.core.delivery._retention`), so that
the inbox and the outbox stay the size of the last few months however long the bot runs.

A run removes a bounded share (it holds SQLite's one writer meanwhile, and a person's message
waits for it); when more is left, ``prune_more`` goes on half a minute later, until the backlog
of a first night, or of a busy city's day, is gone. Once it is committed, the rows removed are
counted towards the tables' next ``ANALYZE`` on PostgreSQL (`qunzhu.core.storage._statistics`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from qunzhu.core.context import Context
from qunzhu.core.delivery._retention import prune
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.scheduling._jobs import Job, job
from qunzhu.core.storage._tables import InboxRow, OutboxRow

log = logging.getLogger("qunzhu.retention")


#: The pause between two runs while old rows remain.
AGAIN = timedelta(seconds=30)


@job(
    "prune",
    cron="30 3 * * *",
    misfire="skip",
    help=N_("Remove old handled events and sent messages"),
)
async def prune_job(ctx: Context) -> None:
    await _prune(ctx)


@job("prune_more", help=N_("Go on removing old events and messages"))
async def prune_more(ctx: Context) -> None:
    await _prune(ctx)


async def _prune(ctx: Context) -> None:
    days = ctx.app.settings.database.keep_days
    if days == 0:
        return
    pruned = await prune(ctx.db, ctx.now(), timedelta(days=days))
    if pruned.inbox or pruned.outbox:
        log.info(
            "event=pruned inbox=%d outbox=%d more=%s", pruned.inbox, pruned.outbox, pruned.more
        )
        statistics = ctx.app.db.statistics  # PostgreSQL re-plans for the smaller tables
        ctx.after_commit(lambda: statistics.changed(InboxRow.__tablename__, pruned.inbox))
        ctx.after_commit(lambda: statistics.changed(OutboxRow.__tablename__, pruned.outbox))
    if pruned.more:
        await ctx.schedule("prune_more", at=ctx.now() + AGAIN)


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [prune_job, prune_more]
