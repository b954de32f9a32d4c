"""WorkCalendar: working days (work week, holidays, make-up workdays) and working hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core import WorkCalendar
from qunzhu.core.config import CalendarSettings, load_config
from qunzhu.core.errors import ConfigError

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def plain(**kwargs: object) -> WorkCalendar:
    return WorkCalendar.from_settings(CalendarSettings(preset="none", **kwargs), TZ)  # type: ignore[arg-type]


def test_four_working_hours_from_friday_evening_end_on_monday_morning() -> None:
    calendar = plain()
    assert calendar.add_work_time(at(2026, 11, 20, 17), timedelta(hours=4)) == at(2026, 11, 23, 12)


def test_the_lunch_break_is_not_working_time() -> None:
    calendar = plain()
    assert calendar.add_work_time(at(2026, 11, 23, 11), timedelta(hours=2)) == at(
        2026, 11, 23, 14, 30
    )
    assert calendar.work_time_between(at(2026, 11, 23, 11), at(2026, 11, 23, 14)) == timedelta(
        hours=1, minutes=30
    )


def test_a_report_at_night_starts_counting_next_morning() -> None:
    calendar = plain()
    assert calendar.add_work_time(at(2026, 11, 23, 22), timedelta(hours=1)) == at(2026, 11, 24, 10)
    assert not calendar.is_working_time(at(2026, 11, 23, 22))
    assert calendar.is_working_time(at(2026, 11, 24, 9, 30))


def test_five_working_days_skip_the_national_day_holiday_and_count_the_makeup_saturday() -> None:
    calendar = WorkCalendar.from_settings(CalendarSettings(), TZ)
    assert not calendar.is_workday(date(2026, 10, 1))
    assert calendar.is_workday(date(2026, 10, 10))  # a Saturday worked in exchange
    # Sep 30 10:00 + 5 working days: Oct 8, 9, 10 (Sat), 12, 13.
    assert calendar.add_workdays(at(2026, 9, 30, 10), 5) == at(2026, 10, 13, 10)
    assert calendar.workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2


def test_config_lists_win_over_the_preset_and_ranges_expand() -> None:
    calendar = WorkCalendar.from_settings(
        CalendarSettings(holidays=("2026-11-23..2026-11-24",), workdays=("2026-10-01",)), TZ
    )
    assert not calendar.is_workday(date(2026, 11, 23))
    assert not calendar.is_workday(date(2026, 11, 24))
    assert calendar.is_workday(date(2026, 11, 25))
    assert calendar.is_workday(date(2026, 10, 1))
    assert calendar.next_workday(date(2026, 11, 20)) == date(2026, 11, 25)
    assert calendar.next_workday(date(2026, 11, 25), 0) == date(2026, 11, 25)


def test_a_year_the_preset_does_not_know_counts_the_work_week(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkCalendar.from_settings(CalendarSettings(), TZ)
    assert calendar.is_workday(date(2031, 3, 3))  # a Monday
    assert not calendar.is_workday(date(2031, 3, 8))  # a Saturday


def test_a_six_day_week_and_one_long_period() -> None:
    calendar = plain(workweek=("mon", "tue", "wed", "thu", "fri", "sat"), hours=("08:00-24:00",))
    assert calendar.day_length == timedelta(hours=16) - timedelta(microseconds=1)
    assert calendar.is_workday(date(2026, 11, 21))
    assert calendar.add_work_time(at(2026, 11, 21, 23), timedelta(hours=2)) == at(
        2026, 11, 23, 9
    ) + timedelta(microseconds=1)


def test_times_come_back_in_the_timezone_they_were_given() -> None:
    calendar = plain()
    utc = datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    assert calendar.add_work_time(utc, timedelta(hours=1)).tzinfo == ZoneInfo("UTC")
    assert calendar.add_work_time(utc, timedelta(hours=1)) == utc + timedelta(hours=1)


def test_bad_calendar_config_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text(
        "calendar:\n"
        "  hours: ['09:00-12:00', '11:00-13:00']\n"
        "  holidays: ['2026-10-08..2026-10-01']\n"
        "  workweek: [mon, funday]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    text = str(error.value)
    assert "calendar.hours" in text and "overlap" in text
    assert "calendar.holidays" in text and "ends before it starts" in text
    assert "calendar.workweek" in text


def test_the_handler_sees_the_calendar_of_the_config() -> None:
    calendar = WorkCalendar(TZ, hours=((time(8), time(12)),), preset=None)
    assert calendar.day_length == timedelta(hours=4)
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(TZ, hours=((time(8), time(12)), (time(11), time(13))))


def test_a_holiday_has_a_name_a_plain_weekend_has_none() -> None:
    calendar = WorkCalendar(TZ, preset="cn", holidays=[date(2027, 2, 8)])
    assert calendar.holiday_name(date(2026, 10, 1)) == "National Day"
    assert calendar.holiday_name(date(2026, 9, 26)) == "Mid-autumn Festival"  # its Saturday
    assert calendar.holiday_name(date(2026, 10, 10)) is None  # a make-up Saturday: working
    assert calendar.holiday_name(date(2026, 10, 11)) is None  # a plain Sunday
    assert calendar.holiday_name(date(2026, 9, 30)) is None  # a working day
    assert calendar.holiday_name(date(2027, 2, 8)) == ""  # listed in the config, no name
    assert WorkCalendar(TZ).holiday_name(date(2026, 10, 1)) is None  # no preset: a Thursday


def test_working_time_over_months_counts_each_day_as_measuring_it_would() -> None:
    """A ticket a year overdue: the days between count whole (they were measured one by one on
    every view of the desk); the same as measuring every day, over holidays and make-up days,
    from and to any hour."""
    calendar = WorkCalendar.from_settings(CalendarSettings(preset="cn"), TZ)

    def measured(a: datetime, b: datetime) -> timedelta:
        total, day = timedelta(), a.date()
        while day <= b.date():
            if calendar.is_workday(day):
                for begin, end in calendar.hours:
                    lo = max(datetime.combine(day, begin, tzinfo=TZ), a)
                    hi = min(datetime.combine(day, end, tzinfo=TZ), b)
                    total += max(hi - lo, timedelta())
            day += timedelta(days=1)
        return total

    for start, end in [
        (at(2025, 9, 28, 10), at(2026, 10, 9, 15, 30)),  # National Day and its make-up days
        (at(2026, 1, 1, 23), at(2026, 3, 2, 8)),  # Spring Festival, night to morning
        (at(2026, 11, 23, 11), at(2026, 11, 24, 14)),  # two days, through lunch
        (at(2026, 11, 23, 12, 30), at(2026, 11, 23, 13)),  # within the lunch break
    ]:
        assert calendar.work_time_between(start, end) == measured(start, end), (start, end)
    assert calendar.work_time_between(at(2026, 11, 24), at(2026, 11, 23)) == timedelta()
