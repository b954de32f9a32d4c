"""When does a job fire: pure arithmetic on aware datetimes, no clock and no database.

The job runner keeps one row per job with the slot it is due at; it asks `next_fire` for the
first slot and `plan` what to do once that slot has come.

Interval jobs (``every``) are anchored to their previous slot: the slot after ``s`` is
``s + every``, however late ``s`` actually ran, so they never drift.

Cron jobs are evaluated in the job's timezone, in local wall-clock time: ``0 9 * * *`` fires at
09:00 local every day, 23 or 25 hours apart in UTC across daylight-saving changes. Around a change
the rule is Vixie cron's, and it depends on the hour field:

- A job that names its hours (``30 2 * * *``, ``0 */2 * * *``) fires once for each local time it
  names. A time that does not exist (02:30 when clocks jump from 02:00 to 03:00) fires at the first
  instant after the gap (03:00 local), once however many of its times fell in the gap. A time that
  happens twice (02:30 when clocks go back from 03:00 to 02:00) fires at its first occurrence only.
- A job whose hour field is ``*`` (``0 * * * *``, ``*/15 * * * *``) follows real time: the hour
  that does not exist has no fires (23 hourly fires that day), and the hour that happens twice
  fires in both passes (25 hourly fires that day), so its fires stay evenly spaced in UTC.

croniter itself gets the second rule right but fires a fixed-time job twice on the fall-back day,
so croniter is only asked for naive local times and this module turns those into instants.

Every function takes aware datetimes in any timezone, refuses naive ones with `ValueError`, and
returns aware UTC datetimes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["MISSED_CAP", "Misfire", "Plan", "check_cron", "check_timezone", "next_fire", "plan"]

Misfire = Literal["once", "skip"]

MISSED_CAP = 10_000
"""`plan` counts missed cron slots up to this many, then reports exactly this many."""

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with a job whose slot has come.

    ``run``: run the handler now. ``slot``: the slot being run, or when ``run`` is false the
    latest slot being skipped (UTC). ``missed``: due slots that will not run, the skipped one
    included and the run one not (capped at `MISSED_CAP` for cron jobs). ``next_at``: the next slot
    to store, always later than ``now`` (UTC; None for a one-shot job)."""

    run: bool
    slot: datetime
    missed: int
    next_at: datetime | None


def next_fire(
    *, cron: str | None = None, every: float | None = None, tz: str, after: datetime
) -> datetime:
    """The first fire time strictly after `after`, as aware UTC.

    For a cron job, `tz` is the IANA zone its fields are read in. For an interval job, `after` is
    its previous slot (the anchor) and the answer is ``after + every``; `tz` is not used."""
    after = _utc(after, "after")
    if every is not None and cron is None:
        return after + _period(every)
    if cron is not None and every is None:
        return next(_cron_fires(cron, tz, after))
    msg = "next_fire needs exactly one of cron= and every="
    raise ValueError(msg)


def plan(
    *,
    cron: str | None,
    every: float | None,
    tz: str,
    scheduled_for: datetime,
    now: datetime,
    misfire: Misfire,
    grace: float,
) -> Plan:
    """Decide what to do with a job whose row says it is due at `scheduled_for` (<= `now`).

    All slots up to `now` are due: `scheduled_for` and, after a downtime, the ones that followed it.
    They are served by at most one run, for the latest due slot. That run happens when the latest
    slot is at most `grace` seconds late, and otherwise only if `misfire` is ``"once"``; with
    ``"skip"`` nothing runs until the next slot. A one-shot job (neither `cron` nor `every`) has
    one slot and no next one."""
    first = _utc(scheduled_for, "scheduled_for")
    now = _utc(now, "now")
    if first > now:
        msg = f"plan: scheduled_for {first.isoformat()} is later than now {now.isoformat()}"
        raise ValueError(msg)
    if misfire not in ("once", "skip"):
        msg = f"plan: misfire must be 'once' or 'skip', not {misfire!r}"
        raise ValueError(msg)
    if cron is not None and every is not None:
        msg = "plan: a job has cron= or every=, not both"
        raise ValueError(msg)

    later: int  # due slots after the first one
    next_at: datetime | None
    if every is not None:
        period = _period(every)
        later = (now - first) // period
        latest = first + later * period
        next_at = latest + period
    elif cron is not None:
        latest, later, next_at = _catch_up(cron, tz, first, now)
    else:
        latest, later, next_at = first, 0, None

    run = (now - latest).total_seconds() <= grace or misfire == "once"
    missed = later if run else later + 1
    if cron is not None:
        missed = min(missed, MISSED_CAP)
    return Plan(run=run, slot=latest, missed=missed, next_at=next_at)


def check_cron(cron: str) -> None:
    """Raise ValueError unless `cron` is a 5-field cron expression that fires at some time."""
    from croniter import CroniterError, croniter  # imported when cron is used: it is not small

    if len(cron.split()) != 5 or not croniter.is_valid(cron):
        msg = f"{cron!r} is not a 5-field cron expression (minute hour day month weekday)"
        raise ValueError(msg)
    try:
        croniter(cron, datetime(2000, 1, 1)).get_next(datetime)  # noqa: DTZ001 - naive on purpose
    except CroniterError as exc:
        msg = f"cron {cron!r} never fires"
        raise ValueError(msg) from exc


def check_timezone(tz: str) -> ZoneInfo:
    """The zone named `tz`; ValueError unless it is a valid IANA timezone name."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        msg = f"{tz!r} is not an IANA timezone name (like 'Asia/Shanghai')"
        raise ValueError(msg) from exc


def _catch_up(cron: str, tz: str, first: datetime, now: datetime) -> tuple[datetime, int, datetime]:
    """The latest cron slot <= now, how many slots came after `first` up to it, and the first slot
    after now. Counting stops at `MISSED_CAP`; then the latest slot is found by looking back from
    now instead of stepping through every slot."""
    fires = _cron_fires(cron, tz, first)
    latest, later = first, 0
    for slot in fires:
        if slot > now:
            return latest, later, slot
        latest, later = slot, later + 1
        if later >= MISSED_CAP:
            break
    lookback = timedelta(minutes=1)
    while (slot := next_fire(cron=cron, tz=tz, after=now - lookback)) > now:
        lookback *= 2
    fires = _cron_fires(cron, tz, slot)
    latest = slot
    while (slot := next(fires)) <= now:
        latest = slot
    return latest, later, slot


def _cron_fires(cron: str, tz: str, after: datetime) -> Iterator[datetime]:
    """Every fire time of `cron` in zone `tz` strictly after `after`, ascending, in UTC.

    croniter steps through naive local times; each becomes zero, one or two instants
    (see `_instants`). The first instant of successive local times never decreases, and a
    second pass's instant is never earlier than the first instant of any later local time, so
    an instant can be given out as soon as a later local time's first instant reaches it."""
    zone = check_timezone(tz)
    every_hour = _hour_is_star(cron)
    local = after.astimezone(zone).replace(tzinfo=None, fold=0)
    first, second = _instants(local, zone, every_hour=True)
    if first is not None and second is not None:  # in a repeated hour: start before its first pass
        local -= second - first
    start = local.replace(second=0, microsecond=0) - timedelta(minutes=1)
    from croniter import croniter

    steps = croniter(cron, start)
    pending: list[datetime] = []
    last = after
    while True:
        first, second = _instants(steps.get_next(datetime), zone, every_hour=every_hour)
        if second is not None:
            heapq.heappush(pending, second)
        if first is None:
            continue
        heapq.heappush(pending, first)
        while pending and pending[0] <= first:
            instant = heapq.heappop(pending)
            if instant > last:
                last = instant
                yield instant


def _instants(
    local: datetime, zone: ZoneInfo, *, every_hour: bool
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants a naive local time fires at: (first, second pass). A time that exists
    once gives (it, None); one in a repeated hour gives (first occurrence, second occurrence if
    `every_hour` else None); one in a gap gives (None, None) if `every_hour`, else (the first
    instant after the gap, None)."""
    early = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return early, None
    if early < late:
        return early, late if every_hour else None
    if every_hour:
        return None, None
    # In a gap, fold=0 reads the time with the offset from before the change and fold=1 with the
    # one after, so the change happened in (late, early]; find it to the second.
    before, after = late, early
    while after - before > _SECOND:
        middle = before + (after - before) // 2
        middle -= timedelta(microseconds=middle.microsecond)
        if middle <= before:
            break
        if middle.astimezone(zone).utcoffset() == after.astimezone(zone).utcoffset():
            after = middle
        else:
            before = middle
    return after, None


@lru_cache(maxsize=256)
def _hour_is_star(cron: str) -> bool:
    """Whether the cron's hour field matches every hour (``*``, ``*/1``, ``0-23``)."""
    from croniter import croniter

    return bool(croniter(cron).expanded[1] == ["*"])


def _period(every: float) -> timedelta:
    try:
        period = timedelta(seconds=every)
    except (OverflowError, ValueError, TypeError) as exc:
        msg = f"every={every!r} is not a number of seconds"
        raise ValueError(msg) from exc
    if period <= timedelta(0):
        msg = f"every={every!r} must be a positive number of seconds (at least a microsecond)"
        raise ValueError(msg)
    return period


def _utc(when: datetime, name: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        msg = f"{name}={when.isoformat()} is naive; pass a timezone-aware datetime"
        raise ValueError(msg)
    return when.astimezone(UTC)
