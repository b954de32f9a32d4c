"""The persistent scheduler: runs declared and run-time jobs from the ``core_job`` table.

Declared jobs (`register_jobs`) get a row each at start-up; ``ctx.schedule(...)`` adds rows at run
time (a one-shot reminder, a per-chat check-in), in the handler's own transaction. The loop sleeps
on the injected clock until the earliest ``next_run_at``; due rows are claimed (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several workers never run one slot twice) and each job runs in its own
savepoint inside the transaction that also moves the row to its next slot: a job's writes, its
messages and its schedule advance together or not at all. After downtime a job's misfire policy
decides: run once, late, for the latest missed slot ("once"), or wait for the next ("skip").
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core._nap import Nap
from qunzhu.core.clock import aware
from qunzhu.core.model._events import SYSTEM_CHAT, SYSTEM_USER, ChatKind, ChatRef, JobTick
from qunzhu.core.people import Person, Role
from qunzhu.core.plugins import domain_of
from qunzhu.core.scheduling._cron import Misfire, next_fire, plan
from qunzhu.core.scheduling._jobs import Job
from qunzhu.core.storage._tables import JobRow

if TYPE_CHECKING:
    from qunzhu.core.app import App
    from qunzhu.core.context import Context

__all__ = ["SYSTEM_PERSON", "Scheduler"]

log = logging.getLogger("qunzhu.scheduler")
SYSTEM_PERSON = Person(0, "qunzhu", "qunzhu", None, ("system:qunzhu",), frozenset({Role("admin")}))


class Scheduler:
    def __init__(self, app: App) -> None:
        self._app = app
        self._jobs: dict[tuple[str, str], Job] = {
            (plugin, j.name): j for plugin, jobs in app.plugins.jobs.items() for j in jobs
        }
        self._nap = Nap(app.clock)
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    # -- life cycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        try:
            await self._sync_declared()
        except IntegrityError:  # another worker wrote the same rows at the same moment
            await self._sync_declared()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def notify(self) -> None:
        self._nap.wake()

    @property
    def idle(self) -> bool:
        return self._nap.quiet

    # -- scheduling ----------------------------------------------------------------------------
    async def schedule(
        self,
        ctx: Context,
        name: str,
        *,
        at: datetime | None = None,
        cron: str | None = None,
        every: float | None = None,
        key: str = "",
        chat: ChatRef | None = None,
        payload: dict[str, Any] | None = None,
        timezone: str | None = None,
    ) -> JobRow:
        """Schedule the plugin's job `name` (declared with `job`): once `at` a time, or on a
        `cron`/`every` schedule; `key` tells several schedules of one job apart (default: the
        chat's key). Scheduling the same (name, key) again replaces it."""
        declared = self._jobs.get((ctx.plugin, name))
        if declared is None:
            msg = f"plugin {ctx.plugin!r} has no job named {name!r} (declare it with @job)"
            raise LookupError(msg)
        if sum(x is not None for x in (at, cron, every)) != 1:
            msg = "schedule needs exactly one of at=, cron= or every="
            raise ValueError(msg)
        tz = timezone or declared.timezone or self._app.settings.bot.timezone
        key = key or (chat.key if chat else "")
        now = self._app.clock.now()
        first = at if at is not None else next_fire(cron=cron, every=every, tz=tz, after=now)
        row = await ctx.db.scalar(
            select(JobRow).where(
                JobRow.plugin == ctx.plugin, JobRow.name == name, JobRow.key == key
            )
        )
        if row is None:
            row = JobRow(plugin=ctx.plugin, name=name, key=key, runs=0, declared=False)
            ctx.db.add(row)
        row.cron, row.every, row.timezone = cron, every, tz
        row.misfire, row.grace, row.enabled = declared.misfire, declared.grace, True
        row.next_run_at = first
        row.payload = payload or {}
        if chat is not None:
            row.chat_platform, row.chat_id, row.chat_kind = (
                chat.platform,
                chat.chat_id,
                chat.kind.value,
            )
        ctx.after_commit(self.notify)
        return row

    async def cancel(self, ctx: Context, name: str, key: str = "") -> bool:
        """Remove a schedule made with `schedule`; False when there was none."""
        result = await ctx.db.execute(
            delete(JobRow).where(
                JobRow.plugin == ctx.plugin,
                JobRow.name == name,
                JobRow.key == key,
                JobRow.declared.is_(False),
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def _sync_declared(self) -> None:
        now = self._app.clock.now()
        async with self._app.db.writing(), self._app.db.session() as s, s.begin():
            rows = {
                (r.plugin, r.name): r
                for r in (await s.scalars(select(JobRow).where(JobRow.declared.is_(True)))).all()
            }
            for (plugin, name), job in self._jobs.items():
                if not job.recurring:
                    continue
                tz = job.timezone or self._app.settings.bot.timezone
                row = rows.pop((plugin, name), None)
                if row is None:
                    row = JobRow(
                        plugin=plugin, name=name, key="", declared=True, runs=0, payload={}
                    )
                    s.add(row)
                changed = (row.cron, row.every, row.timezone) != (job.cron, job.every, tz)
                row.cron, row.every, row.timezone = job.cron, job.every, tz
                row.misfire, row.grace, row.enabled = job.misfire, job.grace, True
                if changed or row.next_run_at is None:
                    row.next_run_at = next_fire(cron=job.cron, every=job.every, tz=tz, after=now)
            for row in rows.values():  # declared once, not any more
                row.enabled = False

    # -- running -------------------------------------------------------------------------------
    async def _loop(self) -> None:
        while True:
            self._nap.clear()
            try:
                ran = await self.run_due()
            except Exception:  # the database is unreachable: try again in a while
                log.exception("event=scheduler_failed")
                await self._nap(5.0)
                continue
            if ran:
                continue
            wait = await self._seconds_to_next()
            if self._app.dispatcher.shared:  # jobs scheduled by other workers: look again soon
                poll = self._app.settings.dispatcher.poll_interval
                wait = poll if wait is None else min(wait, poll)
            await self._nap(wait)

    async def run_due(self, limit: int = 50) -> int:
        """Run every job that is due now; returns how many rows were handled."""
        now = self._app.clock.now()
        query = (
            select(JobRow)
            .where(JobRow.enabled.is_(True), JobRow.next_run_at <= now)
            .order_by(JobRow.next_run_at)
            .limit(limit)
        )
        if not self._app.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        contexts: list[Context] = []
        async with self._app.db.writing(), self._app.db.session() as s:
            rows = list((await s.scalars(query)).all())
            for row in rows:
                await self._run_one(s, row, now, contexts)
            await s.commit()
        for ctx in contexts:
            ctx.committed()
        return len(rows)

    async def _run_one(
        self, s: AsyncSession, row: JobRow, now: datetime, contexts: list[Context]
    ) -> None:
        due = aware(row.next_run_at or now)
        decision = plan(
            cron=row.cron,
            every=row.every,
            tz=row.timezone,
            scheduled_for=due,
            now=now,
            misfire=cast(Misfire, row.misfire),
            grace=row.grace,
        )
        if decision.missed:
            log.warning(
                "event=job_missed job=%s.%s key=%s missed=%d",
                row.plugin,
                row.name,
                row.key,
                decision.missed,
            )
        job = self._jobs.get((row.plugin, row.name))
        if decision.run and job is not None:
            ctx = self._context(s, row, decision.slot)
            contexts.append(ctx)
            await self._call(s, ctx, job)
            row.runs += 1
            row.last_run_at = decision.slot
            self.runs += 1
            self._app.tally.inc("job_runs", plugin=row.plugin)
            self._app.tally.inc("job_lag_seconds", max(0.0, (now - due).total_seconds()))
        elif job is None:
            log.error(
                "event=job_unknown job=%s.%s: its plugin no longer declares it",
                row.plugin,
                row.name,
            )
        if decision.next_at is None:
            await s.delete(row)
        else:
            row.next_run_at = decision.next_at

    def _context(self, s: AsyncSession, row: JobRow, slot: datetime) -> Context:
        from qunzhu.core.context import Context

        chat = SYSTEM_CHAT
        if row.chat_platform and row.chat_id:
            chat = ChatRef(row.chat_platform, row.chat_id, ChatKind(row.chat_kind or "group"))
        tick = JobTick(
            f"job:{row.id}:{slot.isoformat()}",
            chat,
            SYSTEM_USER,
            f"{row.plugin}.{row.name}",
            row.key,
            slot,
            dict(row.payload or {}),
        )
        settings = self._app.settings
        lang = settings.chat_language(chat.key) or settings.bot.language
        t = self._app.catalogs.translator(lang, domain_of(row.plugin))
        return Context(self._app, tick, row.plugin, SYSTEM_PERSON, t=t, db=s)

    async def _call(self, s: AsyncSession, ctx: Context, job: Job) -> None:
        nested = await s.begin_nested()
        try:
            async with asyncio.timeout(self._app.settings.dispatcher.handler_timeout):
                await job.handler(ctx)
            await s.flush()
            await nested.commit()
        except Exception:
            await nested.rollback()
            ctx.rolled_back()
            tick = ctx.event
            assert isinstance(tick, JobTick)
            log.exception("event=job_failed job=%s key=%s", tick.job, tick.key)

    async def _seconds_to_next(self) -> float | None:
        async with self._app.db.session() as s:
            when = await s.scalar(
                select(func.min(JobRow.next_run_at)).where(JobRow.enabled.is_(True))
            )
        if when is None:
            return None
        return max((aware(when) - self._app.clock.now()).total_seconds(), 0.0)
