"""Jobs: work a plugin runs on a schedule, declared with the `job` decorator and returned from
`register_jobs`::

    @job("overdue_scan", cron="0 9 * * FRI", help=N_("Remind owners of overdue tickets"))
    async def overdue_scan(ctx: Context) -> None: ...

    @job("sync", every=300)  # every five minutes, anchored to the previous run's slot
    async def sync(ctx: Context) -> None: ...

A cron job's fields are read in local time of its ``timezone`` (the bot's ``bot.timezone`` when
None); `qunzhu.core.scheduling._cron` says what happens around daylight-saving changes and
after downtime.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from qunzhu.core.scheduling._cron import Misfire, check_cron, check_timezone

__all__ = ["Job", "Misfire", "job"]

Handler = Callable[..., Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Job:
    """A recurring or one-shot job a plugin declares (`register_jobs`) or schedules at run time.

    Exactly one of ``cron`` (5-field cron, e.g. ``"0 9 * * FRI"``) and ``every`` (seconds between
    runs) for a recurring job, neither for a one-shot. ``misfire`` says what happens to slots
    missed while the bot was down: ``"once"`` runs once, late, for the latest one; ``"skip"``
    waits for the next. A slot at most ``grace`` seconds late counts as on time. ``help`` is a
    message id translated in the plugin's catalog."""

    name: str
    handler: Handler
    cron: str | None = None
    every: float | None = None
    timezone: str | None = None
    misfire: Misfire = "once"
    grace: float = 60.0
    help: str = ""

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            msg = f"job {self.name!r}: {problem}"
            raise ValueError(msg)

    @property
    def recurring(self) -> bool:
        return self.cron is not None or self.every is not None


def job(
    name: str,
    *,
    cron: str | None = None,
    every: float | None = None,
    timezone: str | None = None,
    misfire: Misfire = "once",
    grace: float = 60.0,
    help: str = "",  # noqa: A002 - the word users and plugin authors expect
) -> Callable[[Handler], Job]:
    """Declare a job from an async function; return it from `register_jobs`. With `cron` or
    `every` it runs on that schedule by itself; with neither, it runs when a handler schedules it
    (``ctx.schedule(name, at=...)``). `help` defaults to the docstring's first line."""

    def decorate(fn: Handler) -> Job:
        return Job(
            name,
            fn,
            cron,
            every,
            timezone,
            misfire,
            grace,
            help or (inspect.getdoc(fn) or "").split("\n")[0],
        )

    return decorate


def _problem(declared: Job) -> str:  # noqa: PLR0911 - one return per check
    """The first thing wrong with a declaration, or "" when nothing is."""
    if not isinstance(declared.name, str) or not declared.name.strip():
        return "needs a non-empty name"
    handler: Any = declared.handler
    if not inspect.iscoroutinefunction(handler):
        what = getattr(handler, "__qualname__", repr(handler))
        return f"handler {what} must be an async function (async def)"
    if declared.cron is not None and declared.every is not None:
        return "give cron= or every=, not both"
    if declared.cron is not None:
        try:
            check_cron(declared.cron)
        except ValueError as exc:
            return str(exc)
    if declared.every is not None and not _positive_seconds(declared.every):
        return f"every={declared.every!r} must be a positive number of seconds"
    if declared.timezone is not None:
        try:
            check_timezone(declared.timezone)
        except ValueError as exc:
            return str(exc)
    if declared.misfire not in ("once", "skip"):
        return f"misfire must be 'once' or 'skip', not {declared.misfire!r}"
    if not _non_negative(declared.grace):
        return f"grace={declared.grace!r} must be a number of seconds >= 0"
    return ""


def _positive_seconds(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 1e-6
    )


def _non_negative(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )
