"""``GET /metrics``: the bot's figures in Prometheus' text format.

Counted since start (`Tally`, kept by the application): events recorded, duplicates and handled per
platform, handler errors by kind, delivery problems per platform and kind (``wait`` is a 429, with
the seconds the platform asked for), job runs and their lag. Read from the database at each scrape:
what waits in the outbox (pending, failed) per platform, how old the oldest unhandled event of the
inbox is (the inbox lag), and how late the most overdue job is. Nothing here names a person or a
chat: counts only. The text is made by the official client (``prometheus_client``) from a registry
built for the one scrape, so nothing is registered globally.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from qunzhu.core.clock import aware
from qunzhu.core.storage._tables import InboxRow, JobRow, OutboxRow

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["CONTENT_TYPE", "delivery_figures", "job_figures", "metrics_text"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_HELP = {
    "events_recorded": "Events the inbox recorded, per platform.",
    "events_duplicate": "Events the inbox had already recorded (dropped), per platform.",
    "events_handled": "Events the dispatcher handled, per platform.",
    "handler_errors": "Handlers that failed (exception) or ran out of time (timeout).",
    "delivery_problems": "Failed delivery attempts per platform: wait (429), retry, refused, gone.",
    "platform_wait_seconds": "Seconds the platform asked the bot to wait (429 retry_after).",
    "job_runs": "Jobs run, per plugin.",
    "job_lag_seconds": "Seconds jobs ran after their time, summed.",
}


async def metrics_text(app: App) -> bytes:
    """Everything, as the text a Prometheus server scrapes."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    outbox, inbox_lag, job_lag = await delivery_figures(app)

    class _Snapshot:
        def collect(self) -> Iterator[Any]:
            families: dict[str, CounterMetricFamily] = {}
            for name, labels, value in app.tally.items():
                if name not in families:
                    families[name] = CounterMetricFamily(
                        f"qunzhu_{name}", _HELP.get(name, name), labels=[k for k, _ in labels]
                    )
                families[name].add_metric([v for _, v in labels], value)
            yield from families.values()
            waiting = GaugeMetricFamily(
                "qunzhu_outbox_messages", "Messages in the outbox by platform and status.",
                labels=["platform", "status"],
            )  # fmt: skip
            for (platform, status), count in sorted(outbox.items()):
                waiting.add_metric([platform, status], count)
            yield waiting
            yield GaugeMetricFamily(
                "qunzhu_inbox_lag_seconds", "Age of the oldest event not handled yet.", inbox_lag
            )
            yield GaugeMetricFamily(
                "qunzhu_job_lag_seconds", "How late the most overdue job is now.", job_lag
            )

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot())
    return generate_latest(registry)


async def delivery_figures(app: App) -> tuple[dict[tuple[str, str], int], float, float]:
    now = app.clock.now()
    async with app.db.session() as s:
        rows = await s.execute(
            select(OutboxRow.platform, OutboxRow.status, func.count())
            .where(OutboxRow.status.in_(("pending", "failed")))
            .group_by(OutboxRow.platform, OutboxRow.status)
        )
        outbox = {(str(p), str(st)): int(n) for p, st, n in rows.all()}
        oldest = await s.scalar(
            select(func.min(InboxRow.received_at)).where(InboxRow.handled_at.is_(None))
        )
        due = await s.scalar(
            select(func.min(JobRow.next_run_at)).where(
                JobRow.enabled.is_(True), JobRow.next_run_at <= now
            )
        )
    inbox_lag = max(0.0, (now - aware(oldest)).total_seconds()) if oldest is not None else 0.0
    job_lag = max(0.0, (now - aware(due)).total_seconds()) if due is not None else 0.0
    return outbox, inbox_lag, job_lag


async def job_figures(app: App) -> tuple[int, int]:
    """(due, late): enabled jobs whose time has come, and those of them past their grace (the
    seconds a job may start after its time and still count as on time)."""
    now = app.clock.now()
    async with app.db.session() as s:
        rows = await s.execute(
            select(JobRow.next_run_at, JobRow.grace).where(
                JobRow.enabled.is_(True), JobRow.next_run_at <= now
            )
        )
        found = rows.all()
    late = [at for at, grace in found if at and (now - aware(at)).total_seconds() > (grace or 0.0)]
    return len(found), len(late)
