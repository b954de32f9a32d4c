"""Schedule arithmetic: cron in local wall-clock time across DST, interval anchoring, catch-up
after downtime (`qunzhu.core.scheduling._cron`), and job declarations
(`qunzhu.core.scheduling._jobs`)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter

from qunzhu.core.scheduling._cron import MISSED_CAP, Misfire, Plan, next_fire, plan
from qunzhu.core.scheduling._jobs import Job, job

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
SHANGHAI = "Asia/Shanghai"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: str, reading: str, fold: int = 0) -> datetime:
    """``local(BERLIN, "2026-10-25 02:30", fold=1)``: a wall-clock reading in zone `tz`."""
    return datetime.fromisoformat(reading).replace(tzinfo=ZoneInfo(tz), fold=fold)


def fires(cron: str, tz: str, after: datetime, until: datetime) -> list[datetime]:
    """Every fire in (after, until], by repeated next_fire (the way the runner walks)."""
    out: list[datetime] = []
    while (after := next_fire(cron=cron, tz=tz, after=after)) <= until:
        out.append(after)
    return out


def fires_on(cron: str, tz: str, day: date) -> list[datetime]:
    """Every fire whose local date is `day`, in UTC."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(seconds=1)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return [t for t in fires(cron, tz, start, end) if t.astimezone(zone).date() == day]


# --- cron without DST -------------------------------------------------------------------------


def test_weekly_friday_nine_in_shanghai() -> None:
    monday = utc(2026, 1, 5, 1, 0)  # Monday 09:00 in Shanghai
    first = next_fire(cron="0 9 * * FRI", tz=SHANGHAI, after=monday)
    assert first == utc(2026, 1, 9, 1, 0)
    assert first.tzinfo is UTC
    assert first.astimezone(ZoneInfo(SHANGHAI)) == local(SHANGHAI, "2026-01-09 09:00")
    weeks = fires("0 9 * * FRI", SHANGHAI, monday, utc(2026, 2, 28))
    assert weeks == [utc(2026, 1, 9, 1) + timedelta(weeks=n) for n in range(8)]


def test_next_fire_is_strictly_after() -> None:
    friday = utc(2026, 1, 9, 1, 0)
    assert next_fire(cron="0 9 * * FRI", tz=SHANGHAI, after=friday) == utc(2026, 1, 16, 1, 0)
    just_before = friday - timedelta(microseconds=1)
    assert next_fire(cron="0 9 * * FRI", tz=SHANGHAI, after=just_before) == friday


def test_after_may_be_in_any_timezone() -> None:
    in_new_york = local(NEW_YORK, "2026-01-08 11:59")  # 16:59 UTC, Friday 00:59 in Shanghai
    assert next_fire(cron="0 9 * * FRI", tz=SHANGHAI, after=in_new_york) == utc(2026, 1, 9, 1)
    plus_eight = datetime(2026, 1, 9, 8, 59, tzinfo=timezone(timedelta(hours=8)))
    assert next_fire(cron="0 9 * * FRI", tz=SHANGHAI, after=plus_eight) == utc(2026, 1, 9, 1)


def test_shanghai_hourly_has_24_fires_every_day() -> None:
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1), date(2026, 3, 8)):
        assert len(fires_on("0 * * * *", SHANGHAI, day)) == 24


def test_cron_fields_are_read_in_the_jobs_zone() -> None:
    after = utc(2026, 6, 1, 0, 0)
    assert next_fire(cron="0 9 * * *", tz="UTC", after=after) == utc(2026, 6, 1, 9)
    assert next_fire(cron="0 9 * * *", tz=SHANGHAI, after=after) == utc(2026, 6, 1, 1)
    assert next_fire(cron="0 9 * * *", tz=BERLIN, after=after) == utc(2026, 6, 1, 7)
    assert next_fire(cron="0 9 * * *", tz=NEW_YORK, after=after) == utc(2026, 6, 1, 13)


def test_weekday_follows_the_local_date() -> None:
    # Thursday 18:00 UTC is already Friday 02:00 in Shanghai.
    assert next_fire(cron="0 * * * FRI", tz=SHANGHAI, after=utc(2026, 1, 8, 17, 30)) == utc(
        2026, 1, 8, 18, 0
    )


# --- cron across DST changes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "days", "utc_hours"),
    [
        # Berlin springs forward on 2026-03-29 and falls back on 2026-10-25.
        (BERLIN, [(3, 28), (3, 29), (3, 30)], [8, 7, 7]),
        (BERLIN, [(10, 24), (10, 25), (10, 26)], [7, 8, 8]),
        # New York springs forward on 2026-03-08 and falls back on 2026-11-01.
        (NEW_YORK, [(3, 7), (3, 8), (3, 9)], [14, 13, 13]),
        (NEW_YORK, [(10, 31), (11, 1), (11, 2)], [13, 14, 14]),
    ],
)
def test_daily_nine_stays_at_nine_local(
    tz: str, days: list[tuple[int, int]], utc_hours: list[int]
) -> None:
    (m0, d0), *_ = days
    got = fires("0 9 * * *", tz, utc(2026, m0, d0, 0), utc(2026, m0, d0, 0) + timedelta(days=3))
    assert got == [utc(2026, m, d, h) for (m, d), h in zip(days, utc_hours, strict=True)]
    assert all(t.astimezone(ZoneInfo(tz)).hour == 9 for t in got)
    gaps = {got[1] - got[0], got[2] - got[1]}
    assert gaps == {timedelta(hours=23 if utc_hours[0] > utc_hours[1] else 25), timedelta(hours=24)}


def test_nonexistent_time_fires_once_at_the_end_of_the_gap_berlin() -> None:
    # 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST; 02:30 does not exist.
    got = fires("30 2 * * *", BERLIN, utc(2026, 3, 27, 12), utc(2026, 3, 31, 12))
    assert got == [
        utc(2026, 3, 28, 1, 30),  # 02:30 CET
        utc(2026, 3, 29, 1, 0),  # 03:00 CEST, the first instant after the gap
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
        utc(2026, 3, 31, 0, 30),
    ]
    assert got[1].astimezone(ZoneInfo(BERLIN)).isoformat() == "2026-03-29T03:00:00+02:00"


def test_nonexistent_time_fires_once_at_the_end_of_the_gap_new_york() -> None:
    # 2026-03-08 in New York: 02:00 EST becomes 03:00 EDT.
    got = fires_on("30 2 * * *", NEW_YORK, date(2026, 3, 8))
    assert got == [utc(2026, 3, 8, 7, 0)]
    assert got[0].astimezone(ZoneInfo(NEW_YORK)).isoformat() == "2026-03-08T03:00:00-04:00"


def test_every_time_in_the_gap_collapses_into_one_fire() -> None:
    # 02:00, 02:20 and 02:40 all fall in the gap: one fire at 03:00, and 03:00 itself is no slot.
    assert fires_on("*/20 2 * * *", BERLIN, date(2026, 3, 29)) == [utc(2026, 3, 29, 1, 0)]
    # A job at 02:30 and 03:00 fires at 03:00 once, not twice.
    assert fires_on("30 2 * * *", BERLIN, date(2026, 3, 29)) == [utc(2026, 3, 29, 1, 0)]
    assert fires_on("0,30 2,3 * * *", BERLIN, date(2026, 3, 29)) == [
        utc(2026, 3, 29, 1, 0),  # 02:00, 02:30 and 03:00
        utc(2026, 3, 29, 1, 30),  # 03:30
    ]


def test_ambiguous_time_fires_once_at_its_first_occurrence_berlin() -> None:
    # 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    got = fires("30 2 * * *", BERLIN, utc(2026, 10, 23, 12), utc(2026, 10, 27, 12))
    assert got == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),  # 02:30 CEST, fold=0
        utc(2026, 10, 26, 1, 30),  # 02:30 CET
        utc(2026, 10, 27, 1, 30),
    ]
    assert got[1].astimezone(ZoneInfo(BERLIN)).isoformat() == "2026-10-25T02:30:00+02:00"


def test_ambiguous_time_fires_once_at_its_first_occurrence_new_york() -> None:
    # 2026-11-01 in New York: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
    assert fires_on("30 1 * * *", NEW_YORK, date(2026, 11, 1)) == [utc(2026, 11, 1, 5, 30)]
    assert fires_on("30 2 * * *", NEW_YORK, date(2026, 11, 1)) == [utc(2026, 11, 1, 7, 30)]


def test_asking_from_inside_the_second_pass_does_not_fire_again() -> None:
    second_pass = local(BERLIN, "2026-10-25 02:15", fold=1)  # 01:15 UTC
    assert next_fire(cron="30 2 * * *", tz=BERLIN, after=second_pass) == utc(2026, 10, 26, 1, 30)


@pytest.mark.parametrize(
    ("tz", "day", "count"),
    [
        (BERLIN, date(2026, 3, 29), 23),
        (BERLIN, date(2026, 10, 25), 25),
        (BERLIN, date(2026, 10, 26), 24),
        (NEW_YORK, date(2026, 3, 8), 23),
        (NEW_YORK, date(2026, 11, 1), 25),
        (SHANGHAI, date(2026, 10, 25), 24),
    ],
)
def test_hourly_fires_at_every_real_hour(tz: str, day: date, count: int) -> None:
    got = fires_on("0 * * * *", tz, day)
    assert len(got) == count
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(got))


def test_hourly_on_fall_back_day_in_berlin_fires_both_two_oclocks() -> None:
    got = fires("0 * * * *", BERLIN, utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 3, 0))
    assert [t.astimezone(ZoneInfo(BERLIN)).isoformat() for t in got] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00",
    ]


def test_half_hourly_on_fall_back_day_runs_through_the_repeated_hour_in_order() -> None:
    start = local(BERLIN, "2026-10-25 01:45").astimezone(UTC)  # UTC, so + 3 h is real time
    got = fires("*/30 * * * *", BERLIN, start, start + timedelta(hours=3))
    assert got == [utc(2026, 10, 25, 0, 0) + timedelta(minutes=30 * n) for n in range(6)]


def test_next_fire_from_the_first_pass_finds_the_second_pass() -> None:
    first_pass = local(BERLIN, "2026-10-25 02:00", fold=0)  # 00:00 UTC
    assert next_fire(cron="0 * * * *", tz=BERLIN, after=first_pass) == utc(2026, 10, 25, 1, 0)
    between = local(BERLIN, "2026-10-25 02:45", fold=0)  # 00:45 UTC
    assert next_fire(cron="30 * * * *", tz=BERLIN, after=between) == utc(2026, 10, 25, 1, 30)
    assert next_fire(cron="0 * * * *", tz=BERLIN, after=between) == utc(2026, 10, 25, 1, 0)


def test_hourly_half_past_skips_the_hour_that_does_not_exist() -> None:
    got = fires_on("30 * * * *", BERLIN, date(2026, 3, 29))
    assert len(got) == 23
    assert utc(2026, 3, 29, 0, 30) in got  # 01:30 CET
    assert utc(2026, 3, 29, 1, 30) in got  # 03:30 CEST
    assert utc(2026, 3, 29, 1, 0) not in got


@pytest.mark.parametrize(
    ("cron", "tz"),
    [
        ("30 2 * * *", BERLIN),
        ("0 2 * * *", BERLIN),
        ("30 1 * * *", NEW_YORK),
        ("0 2 * * *", NEW_YORK),
        ("0 9 * * *", SHANGHAI),
    ],
)
def test_a_daily_job_fires_exactly_once_every_local_day_for_a_year(cron: str, tz: str) -> None:
    zone = ZoneInfo(tz)
    got = fires(cron, tz, datetime(2026, 1, 1, tzinfo=zone), datetime(2027, 1, 1, tzinfo=zone))
    days = [t.astimezone(zone).date() for t in got]
    assert days == [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]


def _oracle(cron: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """The documented rule, minute by minute in UTC: fire when the local reading matches, in the
    second pass of a repeated hour only if the hour field is `*`, and at the end of a gap for a
    job with named hours if any reading inside the gap matches."""
    zone = ZoneInfo(tz)
    every_hour = cron.split()[1] == "*"
    out: list[datetime] = []
    t = start
    while t <= end:
        reading = t.astimezone(zone)
        naive = reading.replace(tzinfo=None)
        before = (t - timedelta(minutes=1)).astimezone(zone).replace(tzinfo=None)
        matches = croniter.match(cron, naive) and (every_hour or reading.fold == 0)
        if not every_hour and naive - before > timedelta(minutes=1):  # t ends a gap
            gap = before + timedelta(minutes=1)
            while gap < naive and not matches:
                matches = croniter.match(cron, gap)
                gap += timedelta(minutes=1)
        if matches:
            out.append(t)
        t += timedelta(minutes=1)
    return out


@pytest.mark.parametrize(
    "cron",
    ["*/20 * * * *", "15 * * * *", "0 */2 * * *", "30 2 * * *", "*/10 1-3 * * *", "0 0 * * *"],
)
@pytest.mark.parametrize(
    ("tz", "around"),
    [
        (BERLIN, utc(2026, 3, 29, 1)),
        (BERLIN, utc(2026, 10, 25, 1)),
        (NEW_YORK, utc(2026, 3, 8, 7)),
        (NEW_YORK, utc(2026, 11, 1, 6)),
        ("Australia/Lord_Howe", utc(2026, 4, 4, 15)),  # a 30-minute change
        ("America/Havana", utc(2026, 3, 8, 5)),  # changes at midnight: 00:00 does not exist
        (SHANGHAI, utc(2026, 3, 29, 1)),
    ],
)
def test_next_fire_agrees_with_a_minute_by_minute_reading_of_the_rule(
    cron: str, tz: str, around: datetime
) -> None:
    start, end = around - timedelta(hours=6), around + timedelta(hours=6)
    assert fires(cron, tz, start - timedelta(minutes=1), end) == _oracle(cron, tz, start, end)


# --- interval jobs ----------------------------------------------------------------------------


def test_interval_next_fire_is_anchored_to_the_previous_slot() -> None:
    slot = utc(2026, 1, 5, 10, 0)
    assert next_fire(every=90, tz=SHANGHAI, after=slot) == utc(2026, 1, 5, 10, 1) + timedelta(
        seconds=30
    )
    assert next_fire(every=0.25, tz="UTC", after=slot) == slot + timedelta(milliseconds=250)


def test_interval_does_not_drift_when_runs_are_late() -> None:
    slot = utc(2026, 1, 5, 10, 0)
    for late in (0, 5, 59):
        result = plan(
            cron=None,
            every=60,
            tz="UTC",
            scheduled_for=slot,
            now=slot + timedelta(seconds=late),
            misfire="once",
            grace=60,
        )
        assert result == Plan(run=True, slot=slot, missed=0, next_at=utc(2026, 1, 5, 10, 1))


def test_interval_ignores_dst() -> None:
    before = local(BERLIN, "2026-03-29 01:30")  # 00:30 UTC; the next hour is 03:30 CEST
    after = next_fire(every=3600, tz=BERLIN, after=before)
    assert after == utc(2026, 3, 29, 1, 30)
    assert after.astimezone(ZoneInfo(BERLIN)).isoformat() == "2026-03-29T03:30:00+02:00"


# --- plan ---------------------------------------------------------------------------------------

MISFIRES: tuple[Misfire, ...] = ("once", "skip")
FRIDAY = utc(2026, 1, 9, 1, 0)  # Friday 09:00 in Shanghai


def daily(scheduled_for: datetime, now: datetime, misfire: Misfire, grace: float) -> Plan:
    """`plan` for a job at 09:00 every day in Shanghai."""
    return plan(
        cron="0 9 * * *",
        every=None,
        tz=SHANGHAI,
        scheduled_for=scheduled_for,
        now=now,
        misfire=misfire,
        grace=grace,
    )


def test_plan_on_time() -> None:
    result = daily(scheduled_for=FRIDAY, now=FRIDAY, misfire="skip", grace=60)
    assert result == Plan(run=True, slot=FRIDAY, missed=0, next_at=utc(2026, 1, 10, 1, 0))


def test_plan_within_grace() -> None:
    for misfire in MISFIRES:
        result = daily(
            scheduled_for=FRIDAY,
            now=FRIDAY + timedelta(seconds=60),
            misfire=misfire,
            grace=60,
        )
        assert result == Plan(run=True, slot=FRIDAY, missed=0, next_at=utc(2026, 1, 10, 1, 0))


def test_plan_just_beyond_grace() -> None:
    now = FRIDAY + timedelta(seconds=60, microseconds=1)
    late = daily(scheduled_for=FRIDAY, now=now, misfire="once", grace=60)
    assert late == Plan(run=True, slot=FRIDAY, missed=0, next_at=utc(2026, 1, 10, 1, 0))
    skipped = daily(scheduled_for=FRIDAY, now=now, misfire="skip", grace=60)
    assert skipped == Plan(run=False, slot=FRIDAY, missed=1, next_at=utc(2026, 1, 10, 1, 0))


def test_plan_late_once_runs_the_latest_missed_slot() -> None:
    now = utc(2026, 1, 12, 3, 0)  # down from Friday to Monday 11:00 in Shanghai
    result = daily(scheduled_for=FRIDAY, now=now, misfire="once", grace=60)
    # Fri, Sat, Sun and Mon 09:00 were due: Monday's runs, the other three are missed.
    assert result == Plan(
        run=True, slot=utc(2026, 1, 12, 1, 0), missed=3, next_at=utc(2026, 1, 13, 1, 0)
    )


def test_plan_late_skip_runs_nothing_and_waits_for_the_next_slot() -> None:
    now = utc(2026, 1, 12, 3, 0)
    result = daily(scheduled_for=FRIDAY, now=now, misfire="skip", grace=60)
    assert result == Plan(
        run=False, slot=utc(2026, 1, 12, 1, 0), missed=4, next_at=utc(2026, 1, 13, 1, 0)
    )


def test_plan_latest_slot_within_grace_runs_even_with_skip() -> None:
    # Down from Friday 09:00 to Monday 09:00:30: Monday's slot is on time, the rest are missed.
    now = utc(2026, 1, 12, 1, 0) + timedelta(seconds=30)
    for misfire in MISFIRES:
        result = daily(
            scheduled_for=FRIDAY,
            now=now,
            misfire=misfire,
            grace=60,
        )
        assert result == Plan(
            run=True, slot=utc(2026, 1, 12, 1, 0), missed=3, next_at=utc(2026, 1, 13, 1, 0)
        )


def test_plan_late_by_more_than_a_period_but_within_grace() -> None:
    slot = utc(2026, 1, 5, 10, 0)
    now = slot + timedelta(seconds=35)  # slots at :00, :10, :20 and :30 are all due
    for misfire in MISFIRES:
        result = plan(
            cron=None,
            every=10,
            tz="UTC",
            scheduled_for=slot,
            now=now,
            misfire=misfire,
            grace=60,
        )
        assert result == Plan(
            run=True,
            slot=slot + timedelta(seconds=30),
            missed=3,
            next_at=slot + timedelta(seconds=40),
        )


def test_plan_interval_late_once_and_skip() -> None:
    slot = utc(2026, 1, 5, 10, 0)
    now = slot + timedelta(minutes=10, seconds=30)  # 11 slots due, the latest 30 s late
    once = plan(
        cron=None, every=60, tz="UTC", scheduled_for=slot, now=now, misfire="once", grace=10
    )
    assert once == Plan(
        run=True,
        slot=slot + timedelta(minutes=10),
        missed=10,
        next_at=slot + timedelta(minutes=11),
    )
    skip = plan(
        cron=None, every=60, tz="UTC", scheduled_for=slot, now=now, misfire="skip", grace=10
    )
    assert skip == Plan(
        run=False,
        slot=slot + timedelta(minutes=10),
        missed=11,
        next_at=slot + timedelta(minutes=11),
    )


def test_plan_now_exactly_on_a_later_slot() -> None:
    slot = utc(2026, 1, 5, 10, 0)
    now = slot + timedelta(minutes=3)
    result = plan(
        cron=None, every=60, tz="UTC", scheduled_for=slot, now=now, misfire="skip", grace=0
    )
    assert result == Plan(run=True, slot=now, missed=3, next_at=now + timedelta(minutes=1))


def test_plan_cron_catch_up_across_spring_forward() -> None:
    scheduled = local(BERLIN, "2026-03-27 09:00")
    now = local(BERLIN, "2026-03-30 10:00")
    result = plan(
        cron="0 9 * * *",
        every=None,
        tz=BERLIN,
        scheduled_for=scheduled,
        now=now,
        misfire="once",
        grace=60,
    )
    assert result == Plan(
        run=True,
        slot=utc(2026, 3, 30, 7, 0),
        missed=3,
        next_at=utc(2026, 3, 31, 7, 0),
    )


@pytest.mark.parametrize(
    ("misfire", "now_after", "run"),
    [
        ("once", 30, True),
        ("skip", 30, True),
        ("once", 3600, True),
        ("skip", 3600, False),
    ],
)
def test_plan_one_shot(misfire: Misfire, now_after: int, run: bool) -> None:
    at = utc(2026, 1, 5, 10, 0)
    result = plan(
        cron=None,
        every=None,
        tz="UTC",
        scheduled_for=at,
        now=at + timedelta(seconds=now_after),
        misfire=misfire,
        grace=60,
    )
    assert result == Plan(run=run, slot=at, missed=0 if run else 1, next_at=None)


def test_plan_after_thirty_days_down_every_second() -> None:
    slot = utc(2026, 1, 1)
    now = slot + timedelta(days=30, milliseconds=500)
    result = plan(
        cron=None, every=1, tz="UTC", scheduled_for=slot, now=now, misfire="once", grace=60
    )
    assert result == Plan(
        run=True,
        slot=slot + timedelta(days=30),
        missed=30 * 86400,
        next_at=slot + timedelta(days=30, seconds=1),
    )


def test_plan_after_thirty_days_down_every_minute_by_cron_caps_the_count() -> None:
    slot = utc(2026, 1, 1)
    now = slot + timedelta(days=30, seconds=30)
    for misfire in MISFIRES:
        result = plan(
            cron="* * * * *",
            every=None,
            tz=BERLIN,
            scheduled_for=slot,
            now=now,
            misfire=misfire,
            grace=60,
        )
        assert result == Plan(
            run=True,
            slot=slot + timedelta(days=30),
            missed=MISSED_CAP,
            next_at=slot + timedelta(days=30, minutes=1),
        )


def test_plan_cron_count_below_the_cap_is_exact() -> None:
    slot = utc(2026, 1, 1)
    now = slot + timedelta(minutes=MISSED_CAP - 1, seconds=30)
    result = plan(
        cron="* * * * *",
        every=None,
        tz="UTC",
        scheduled_for=slot,
        now=now,
        misfire="skip",
        grace=10,
    )
    assert result == Plan(
        run=False,
        slot=slot + timedelta(minutes=MISSED_CAP - 1),
        missed=MISSED_CAP,
        next_at=slot + timedelta(minutes=MISSED_CAP),
    )


def test_plan_years_down_for_a_sparse_cron() -> None:
    slot = utc(2020, 1, 1, 1, 0)
    now = utc(2026, 1, 7, 12, 0)
    result = plan(
        cron="0 9 1 * *",
        every=None,
        tz=SHANGHAI,
        scheduled_for=slot,
        now=now,
        misfire="once",
        grace=60,
    )
    assert result == Plan(
        run=True, slot=utc(2026, 1, 1, 1, 0), missed=72, next_at=utc(2026, 2, 1, 1, 0)
    )


def test_plan_never_returns_a_next_at_in_the_past() -> None:
    rng = random.Random(20260105)
    crons = ["*/7 * * * *", "0 9 * * FRI", "30 2 * * *", "0 * * * *", "15 3 1 * *"]
    misfires: list[Misfire] = ["once", "skip"]
    for _ in range(100):
        cron = rng.choice([*crons, None])
        every = None if cron else rng.choice([1, 7.5, 60, 3600, 86400])
        tz = rng.choice([BERLIN, NEW_YORK, SHANGHAI])
        scheduled = utc(2026, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))
        if cron:
            scheduled = next_fire(cron=cron, tz=tz, after=scheduled)
        now = scheduled + timedelta(seconds=rng.choice([0, 1, 59, 61, 3600, 86400 * 40]))
        result = plan(
            cron=cron,
            every=every,
            tz=tz,
            scheduled_for=scheduled,
            now=now,
            misfire=rng.choice(misfires),
            grace=60,
        )
        assert result.next_at is not None
        assert result.next_at > now
        assert scheduled <= result.slot <= now
        assert result.next_at.tzinfo is UTC
        assert result.slot.tzinfo is UTC


def test_plan_returns_utc_for_inputs_in_other_zones() -> None:
    scheduled = local(SHANGHAI, "2026-01-09 09:00")
    result = daily(scheduled_for=scheduled, now=scheduled, misfire="once", grace=0)
    assert result.slot.tzinfo is UTC
    assert result.slot == FRIDAY
    assert result.next_at is not None
    assert result.next_at.tzinfo is UTC


# --- bad arguments ------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 1, 5, 9, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        next_fire(cron="0 9 * * *", tz=SHANGHAI, after=naive)
    with pytest.raises(ValueError, match="naive"):
        next_fire(every=60, tz=SHANGHAI, after=naive)
    with pytest.raises(ValueError, match="naive"):
        daily(scheduled_for=naive, now=FRIDAY, misfire="once", grace=60)
    with pytest.raises(ValueError, match="naive"):
        daily(scheduled_for=FRIDAY, now=naive, misfire="once", grace=60)


def test_next_fire_needs_exactly_one_of_cron_and_every() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        next_fire(tz="UTC", after=FRIDAY)
    with pytest.raises(ValueError, match="exactly one"):
        next_fire(cron="0 9 * * *", every=60, tz="UTC", after=FRIDAY)


def test_bad_timezone_and_period_are_refused() -> None:
    with pytest.raises(ValueError, match="IANA"):
        next_fire(cron="0 9 * * *", tz="Mars/Olympus", after=FRIDAY)
    for every in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="every"):
            next_fire(every=every, tz="UTC", after=FRIDAY)


def test_plan_refuses_a_slot_in_the_future() -> None:
    with pytest.raises(ValueError, match="later than now"):
        daily(
            scheduled_for=FRIDAY,
            now=FRIDAY - timedelta(seconds=1),
            misfire="once",
            grace=60,
        )


# --- declarations -------------------------------------------------------------------------------


async def scan(ctx: object) -> None:
    """Remind owners of overdue tickets.

    More detail that is not the help line."""


def test_job_decorator_declares_a_cron_job() -> None:
    declared = job("overdue_scan", cron="0 9 * * FRI", timezone=SHANGHAI)(scan)
    assert declared == Job(
        name="overdue_scan",
        handler=scan,
        cron="0 9 * * FRI",
        every=None,
        timezone=SHANGHAI,
        misfire="once",
        grace=60.0,
        help="Remind owners of overdue tickets.",
    )
    assert declared.recurring


def test_job_decorator_declares_an_interval_job() -> None:
    declared = job("sync", every=300, misfire="skip", grace=5, help="Sync the roster")(scan)
    assert (declared.every, declared.cron, declared.timezone) == (300, None, None)
    assert (declared.misfire, declared.grace, declared.help) == ("skip", 5, "Sync the roster")


def test_one_shot_job_needs_neither_cron_nor_every() -> None:
    one_shot = Job("remind_later", scan)
    assert not one_shot.recurring
    with pytest.raises(AttributeError):
        one_shot.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cron": "0 9 * * *", "every": 60}, "not both"),
        ({"cron": "61 9 * * *"}, "not a 5-field cron"),
        ({"cron": "0 9 * * * *"}, "not a 5-field cron"),
        ({"cron": "0 9 * *"}, "not a 5-field cron"),
        ({"cron": "@daily"}, "not a 5-field cron"),
        ({"cron": "0 0 30 2 *"}, "never fires"),
        ({"cron": "0 9 * * *", "timezone": "Asia/Beijing"}, "IANA"),
        ({"cron": "0 9 * * *", "timezone": ""}, "IANA"),
        ({"every": 0}, "positive"),
        ({"every": -5}, "positive"),
        ({"every": float("nan")}, "positive"),
        ({"every": True}, "positive"),
        ({"every": 60, "misfire": "twice"}, "misfire"),
        ({"every": 60, "grace": -1}, "grace"),
    ],
)
def test_job_declaration_errors_name_the_job(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"job 'overdue_scan': .*{message}"):
        job("overdue_scan", **kwargs)(scan)


def test_job_handler_must_be_async() -> None:
    def not_async(ctx: object) -> None:
        pass

    with pytest.raises(
        ValueError, match=r"job 'overdue_scan': handler .*not_async must be an async function"
    ):
        job("overdue_scan", every=60)(not_async)  # type: ignore[arg-type]  # the mistake tested


def test_job_class_validates_too() -> None:
    with pytest.raises(ValueError, match="job 'x': .*not a 5-field cron"):
        Job("x", scan, cron="every friday")
    with pytest.raises(ValueError, match="needs a non-empty name"):
        Job(" ", scan)


def test_a_job_without_a_schedule_runs_only_when_scheduled() -> None:
    async def handler(ctx: object) -> None:
        pass

    declared = job("remind")(handler)
    assert declared.cron is None and declared.every is None and not declared.recurring
