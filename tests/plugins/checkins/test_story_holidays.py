"""Story 2.5 around 国庆 2026 and 春节 2027: a check-in moved by a holiday replaces the regular one
it would open beside; the group never reports two days in a row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core import FakeClock, WorkCalendar
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.config import Campaign
from qunzhu.plugins.checkins.windows import windows

from .conftest import IDS, advance_to, at, config

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: chinesecalendar knows the years up to 2026; the 2027 Spring Festival is written in the config
#: as a deployment would until the package knows it (除夕 Friday 5 February to Wednesday 10th).
SPRING_2027 = "2027-02-05..2027-02-10"


def _days(calendar: WorkCalendar, start: datetime, n: int) -> list[tuple[date, date, date | None]]:
    weekly = Campaign.model_validate(
        {"name": "周报", "group": "memory:g", "schedule": "FREQ=WEEKLY;BYDAY=FR"}
    )
    return [
        (w.day, w.planned, w.replaces)
        for w in islice(windows(weekly, SHANGHAI, calendar, start), n)
    ]


def test_national_day_2026_moves_friday_to_thursday_and_drops_the_next_day() -> None:
    cn = WorkCalendar(SHANGHAI, preset="cn")
    assert _days(cn, datetime(2026, 9, 20, tzinfo=UTC), 4) == [
        (date(2026, 9, 28), date(2026, 9, 25), None),  # 中秋 Friday 25th: Monday 28th
        (date(2026, 10, 8), date(2026, 10, 2), date(2026, 10, 9)),  # not Friday 9th as well
        (date(2026, 10, 16), date(2026, 10, 16), None),
        (date(2026, 10, 23), date(2026, 10, 23), None),
    ]


def test_spring_festival_2027_moves_friday_to_thursday_and_drops_the_next_day() -> None:
    from qunzhu.core.config.schema import expand_dates

    cn = WorkCalendar(SHANGHAI, preset="cn", holidays=expand_dates((SPRING_2027,)))
    assert _days(cn, datetime(2027, 1, 25, tzinfo=UTC), 3) == [
        (date(2027, 1, 29), date(2027, 1, 29), None),
        (date(2027, 2, 11), date(2027, 2, 5), date(2027, 2, 12)),
        (date(2027, 2, 19), date(2027, 2, 19), None),
    ]


def test_a_daily_check_in_after_a_holiday_keeps_every_day() -> None:
    daily = Campaign.model_validate(
        {"name": "日报", "group": "memory:g", "schedule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}
    )
    cn = WorkCalendar(SHANGHAI, preset="cn")
    found = [
        w.day for w in islice(windows(daily, SHANGHAI, cn, datetime(2026, 9, 29, tzinfo=UTC)), 4)
    ]
    assert found == [date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(at(29, 9, month=9))  # Tuesday before National Day 2026


async def test_the_national_day_check_in_opens_once_on_thursday(bot: BotHarness) -> None:
    assert await advance_to(bot, at(8, 8, 59, month=10)) == []  # Friday 2nd is a holiday
    [prompt] = await advance_to(bot, at(8, 9, month=10))
    lines = prompt.text.splitlines()
    assert lines[0] == "📋 水源保护周报：请于 10月8日（周四） 18:00 前汇报。"
    assert lines[1] == "（因节假日，由 10月2日（周五） 顺延；10月9日（周五） 不再另行汇报。）"
    await bot.send("#周报 节后第一天巡查", user=IDS[0], chat="水源群")
    *_, summary = await advance_to(bot, at(8, 18, month=10))
    assert summary.text.startswith("📊 水源保护周报 · 10月8日（周四） 汇报小结")
    assert await advance_to(bot, at(15, 23, month=10)) == []  # nothing on Friday 9th
    [regular] = await advance_to(bot, at(16, 9, month=10))
    assert regular.text.startswith("📋 水源保护周报：请于 10月16日（周五） 18:00 前汇报。")


class TestSpringFestival2027:
    @pytest.fixture
    def bot_clock(self) -> FakeClock:
        return FakeClock(datetime(2027, 2, 1, 9, tzinfo=SHANGHAI))  # the Monday before

    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        setup = config()
        setup["calendar"] = {"preset": "cn", "holidays": [SPRING_2027]}
        return setup

    async def test_the_check_in_opens_once_on_thursday(self, bot: BotHarness) -> None:
        assert await advance_to(bot, datetime(2027, 2, 11, 8, tzinfo=SHANGHAI)) == []
        [prompt] = await advance_to(bot, datetime(2027, 2, 11, 9, tzinfo=SHANGHAI))
        assert prompt.text.splitlines()[:2] == [
            "📋 水源保护周报：请于 2月11日（周四） 18:00 前汇报。",
            "（因节假日，由 2月5日（周五） 顺延；2月12日（周五） 不再另行汇报。）",
        ]
        await advance_to(bot, datetime(2027, 2, 11, 18, tzinfo=SHANGHAI))
        assert await advance_to(bot, datetime(2027, 2, 18, 23, tzinfo=SHANGHAI)) == []
        [regular] = await advance_to(bot, datetime(2027, 2, 19, 9, tzinfo=SHANGHAI))
        assert regular.text.startswith("📋 水源保护周报：请于 2月19日（周五）")
