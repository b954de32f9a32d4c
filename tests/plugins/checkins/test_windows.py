"""When check-ins open and close: RRULE and cron, timezones with daylight saving, holidays moved
or skipped, make-up workdays (pure arithmetic, no bot)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from qunzhu.core import ConfigError, WorkCalendar
from qunzhu.core.config import load_config
from qunzhu.plugins.checkins.config import Campaign, CheckinsConfig
from qunzhu.plugins.checkins.windows import current_or_next, next_opening, windows

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = WorkCalendar(SHANGHAI, preset="cn")


def campaign(**changes: object) -> Campaign:
    return Campaign.model_validate({"name": "周报", "group": "memory:g", **changes})


def days(c: Campaign, start: datetime, n: int, calendar: WorkCalendar = CN) -> list[date]:
    return [w.day for w in islice(windows(c, SHANGHAI, calendar, start), n)]


def test_a_weekly_rule_opens_fridays_nine_to_six_local() -> None:
    c = campaign(schedule="FREQ=WEEKLY;BYDAY=FR")
    window = current_or_next(c, SHANGHAI, CN, datetime(2026, 1, 5, 1, tzinfo=UTC))
    assert window is not None
    assert window.day == date(2026, 1, 9)
    assert window.opens_at == datetime(2026, 1, 9, 1, tzinfo=UTC)  # 09:00 in Shanghai
    assert window.closes_at == datetime(2026, 1, 9, 10, tzinfo=UTC)
    assert window.at_fraction(0.8) == datetime(2026, 1, 9, 8, 12, tzinfo=UTC)


def test_cron_and_rrule_name_the_same_fridays() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    by_rule = days(campaign(schedule="FREQ=WEEKLY;BYDAY=FR"), start, 6)
    by_cron = days(campaign(schedule="0 9 * * FRI", opens=None), start, 6)
    assert (
        by_rule
        == by_cron
        == [date(2026, 3, d) for d in (6, 13, 20, 27)]
        + [
            date(2026, 4, 3),
            date(2026, 4, 10),
        ]
    )


def test_the_schedules_own_time_when_opens_is_unset() -> None:
    c = campaign(schedule="30 8 * * MON", opens=None, closes="12:00")
    window = next_opening(c, SHANGHAI, CN, datetime(2026, 3, 1, tzinfo=UTC))
    assert window is not None and window.opens_at.astimezone(SHANGHAI).hour == 8
    assert window.opens_at.astimezone(SHANGHAI).minute == 30


def test_every_other_week_is_anchored_and_dtstart_is_honoured() -> None:
    c = campaign(schedule="DTSTART:20260102T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")
    assert days(c, datetime(2026, 1, 5, tzinfo=UTC), 3) == [
        date(2026, 1, 16),
        date(2026, 1, 30),
        date(2026, 2, 13),
    ]
    assert days(c, datetime(2026, 1, 17, tzinfo=UTC), 2) == [date(2026, 1, 30), date(2026, 2, 13)]


def test_a_timezone_that_changes_its_clocks_keeps_local_nine() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    c = campaign(schedule="FREQ=WEEKLY;BYDAY=FR", timezone="Europe/Berlin", on_holiday="keep")
    opens = [
        w.opens_at for w in islice(windows(c, berlin, CN, datetime(2026, 3, 20, tzinfo=UTC)), 2)
    ]
    # 27 March: winter time (UTC+1); 3 April: summer time (UTC+2), since 29 March
    assert opens == [datetime(2026, 3, 20, 8, tzinfo=UTC), datetime(2026, 3, 27, 8, tzinfo=UTC)]
    later = next_opening(c, berlin, CN, datetime(2026, 3, 28, tzinfo=UTC))
    assert later is not None and later.opens_at == datetime(2026, 4, 3, 7, tzinfo=UTC)


def test_a_holiday_moves_the_check_in_to_the_next_working_day() -> None:
    # Spring Festival 2026: Friday 20 February is a holiday, the next working day Tuesday 24th
    c = campaign(schedule="FREQ=WEEKLY;BYDAY=FR")
    [first, second, third] = islice(windows(c, SHANGHAI, CN, datetime(2026, 2, 16, tzinfo=UTC)), 3)
    assert (first.day, first.planned, first.moved) == (date(2026, 2, 24), date(2026, 2, 20), True)
    assert (second.day, second.moved) == (date(2026, 2, 27), False)
    assert third.day == date(2026, 3, 6)


def test_skip_drops_it_and_keep_holds_it_anyway() -> None:
    start = datetime(2026, 2, 16, tzinfo=UTC)
    skip = campaign(schedule="FREQ=WEEKLY;BYDAY=FR", on_holiday="skip")
    keep = campaign(schedule="FREQ=WEEKLY;BYDAY=FR", on_holiday="keep")
    assert days(skip, start, 2) == [date(2026, 2, 27), date(2026, 3, 6)]
    assert days(keep, start, 2) == [date(2026, 2, 20), date(2026, 2, 27)]


def test_make_up_workdays_add_a_daily_check_in() -> None:
    # Saturday 28 February 2026 is a make-up workday (调休上班)
    daily = campaign(schedule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", makeup_workdays=True)
    start = datetime(2026, 2, 26, tzinfo=UTC)
    assert days(daily, start, 3) == [date(2026, 2, 26), date(2026, 2, 27), date(2026, 2, 28)]
    plain = campaign(schedule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    assert days(plain, start, 3) == [date(2026, 2, 26), date(2026, 2, 27), date(2026, 3, 2)]


def test_a_window_closing_after_midnight_ends_the_next_day() -> None:
    c = campaign(schedule="FREQ=WEEKLY;BYDAY=FR", opens="20:00", closes="08:00")
    window = next_opening(c, SHANGHAI, CN, datetime(2026, 3, 1, tzinfo=UTC))
    assert window is not None
    assert window.closes_at.astimezone(SHANGHAI) == datetime(2026, 3, 7, 8, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"schedule": "every friday"}, "neither a cron expression"),
        ({"schedule": "0 9 * *"}, "neither a cron expression"),
        ({"timezone": "Mars/Olympus"}, "not an IANA timezone"),
        ({"closes": "25:00"}, "not a time of day"),
        ({"reminders": [1.5]}, "less than 1"),
        ({"tag": "#周 报"}, "one word"),
        ({"questions": []}, "from 1 to 8"),
    ],
)
def test_bad_campaigns_are_refused_with_a_reason(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        campaign(**changes)


def test_units_must_form_a_chain_without_loops(tmp_path: Path) -> None:
    """The old ``units`` are units of ``org:``: the core checks their parents, at their line."""
    path = tmp_path / "q.yaml"
    path.write_text(
        "plugins:\n  checkins:\n    units:\n"
        "      - {name: a, members: [x], parent: b}\n"
        "      - {name: b, members: [y], parent: a}\n"
        "      - {name: c, members: [x], parent: z}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, plugin_models={"checkins": CheckinsConfig})
    text = str(caught.value)
    assert "q.yaml:4:33: plugins.checkins.units[0].parent: the parents go round in a circle" in text
    assert "q.yaml:6:33: plugins.checkins.units[2].parent: no unit 'z' in org:" in text
