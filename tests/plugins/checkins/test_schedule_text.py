"""Schedules as admins type them in the campaign dialog, and in words again."""

from __future__ import annotations

import pytest

from qunzhu.core.i18n._catalogs import Catalogs
from qunzhu.plugins.checkins.config import Campaign
from qunzhu.plugins.checkins.schedule_text import (
    describe,
    parse_days,
    parse_hours,
    parse_one_time,
)
from qunzhu.plugins.checkins.settings import NAME

from .conftest import PLUGIN_LOCALE

FR = "FREQ=WEEKLY;BYDAY=FR"
WORKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


@pytest.mark.parametrize(
    ("text", "schedule", "opens", "closes"),
    [
        ("每周五", FR, None, None),
        ("周五 9:00-18:00", FR, "09:00", "18:00"),
        ("星期五上午9点至下午6点", FR, "09:00", "18:00"),
        ("礼拜五 九点半到十八点", FR, "09:30", "18:00"),
        ("週五 9:00～18:00", FR, "09:00", "18:00"),
        ("周一、三、五 8:30-12:00", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "08:30", "12:00"),
        ("周二和周四", "FREQ=WEEKLY;BYDAY=TU,TH", None, None),
        ("周一至周五", WORKDAYS, None, None),
        ("每个工作日 9点到18点", WORKDAYS, "09:00", "18:00"),
        ("每天", "FREQ=DAILY", None, None),
        ("隔周五", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", None, None),
        ("每月最后一个周五", "FREQ=MONTHLY;BYDAY=-1FR", None, None),
        ("每月第一个周一 9:00-12:00", "FREQ=MONTHLY;BYDAY=1MO", "09:00", "12:00"),
        ("每月1号", "FREQ=MONTHLY;BYMONTHDAY=1", None, None),
        ("每月底", "FREQ=MONTHLY;BYMONTHDAY=-1", None, None),
        ("周五 18:00-9:00", FR, "18:00", "09:00"),  # closes the next morning
        ("every Friday 9am-6pm", FR, "09:00", "18:00"),
        ("Mon-Fri 09:00-17:00", WORKDAYS, "09:00", "17:00"),
        ("weekdays", WORKDAYS, None, None),
        ("Tuesday and Thursday", "FREQ=WEEKLY;BYDAY=TU,TH", None, None),
        ("last Friday of the month", "FREQ=MONTHLY;BYDAY=-1FR", None, None),
        ("FREQ=WEEKLY;BYDAY=FR", FR, None, None),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", None, None),
    ],
)
def test_days_as_people_write_them(
    text: str, schedule: str, opens: str | None, closes: str | None
) -> None:
    when = parse_days(text)
    assert (when.schedule, when.opens, when.closes, when.cron) == (schedule, opens, closes, False)


def test_cron_and_a_timezone() -> None:
    when = parse_days("0 9 * * FRI")
    assert (when.schedule, when.cron, when.opens) == ("0 9 * * FRI", True, None)
    berlin = parse_days("周五 9:00-18:00 Europe/Berlin")
    assert (berlin.schedule, berlin.timezone, berlin.opens) == (FR, "Europe/Berlin", "09:00")


@pytest.mark.parametrize(
    "text",
    ["下周吧", "有空的时候", "周五 9:00", "FREQ=SOMETIMES", "61 9 * * FRI", "周五 9:00-9:00", ""],
)
def test_what_cannot_be_read(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the dialog turns any of them into a hint
        parse_days(text)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("9:00-18:00", ("09:00", "18:00")),
        ("9-18", ("09:00", "18:00")),
        ("9点到18点", ("09:00", "18:00")),
        ("上午9点-下午6点", ("09:00", "18:00")),
        ("9am-6pm", ("09:00", "18:00")),
        ("8:30～17:30", ("08:30", "17:30")),
        ("九点到十二点", ("09:00", "12:00")),
    ],
)
def test_hours(text: str, hours: tuple[str, str]) -> None:
    assert parse_hours(text) == hours


def test_bad_hours_and_one_time() -> None:
    for text in ("早上", "25:00-26:00", "9:00-9:00"):
        with pytest.raises(ValueError):  # noqa: PT011
            parse_hours(text)
    assert [parse_one_time(t) for t in ("18:00", "下午6点", "6pm", "18")] == ["18:00"] * 4


@pytest.mark.parametrize(
    ("schedule", "zh", "en"),
    [
        (FR, "每周五", "every Fri"),
        ("FREQ=WEEKLY;BYDAY=MO,WE", "每周一、周三", "every Mon, Wed"),
        (WORKDAYS, "每个工作日", "every working day"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "隔周五", "every other Fri"),
        ("FREQ=DAILY", "每天", "every day"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "每月最后一个周五", "on the last Fri of every month"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "每月15日", "on day 15 of every month"),
        ("0 9 * * FRI", "日程 0 9 * * FRI", "schedule 0 9 * * FRI"),
        ("FREQ=WEEKLY;BYDAY=FR;BYHOUR=9", "日程 FREQ=WEEKLY;BYDAY=FR;BYHOUR=9", None),
    ],
)
def test_schedules_in_words(schedule: str, zh: str, en: str | None) -> None:
    catalogs = Catalogs()
    catalogs.add_domain(NAME, PLUGIN_LOCALE)
    campaign = Campaign(name="x", group="memory:g", schedule=schedule)
    assert describe(catalogs.translator("zh_Hans", NAME), campaign) == zh
    if en is not None:
        assert describe(catalogs.translator("en", NAME), campaign) == en
