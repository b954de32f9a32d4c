"""Story 2.8: on 9月30日, the eve of National Day, a leader writes
``/task @住建局 明天下班以前完成现场整改``. Tomorrow is a holiday: the deadline lands on the first
working day back (10月8日 17:30) and the bot says why; nothing is sent during the holiday; the
reminder, the overdue notice and the escalations come on working days. A deadline read with doubt
is asked back, and a job planned on a holiday before this change waits for the working morning."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from qunzhu.core import FakeClock
from qunzhu.core.storage._tables import JobRow
from qunzhu.core.testing import BotHarness

from .conftest import GROUP, SHANGHAI, advance_to, campaign, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    settings = config(campaigns=[campaign(schedule="FREQ=MONTHLY;BYMONTHDAY=28")])
    settings["calendar"] = {"preset": "cn", "hours": ["08:30-12:00", "14:00-17:30"]}
    return settings


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))  # Wednesday, the eve


def on(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def test_a_deadline_said_on_the_eve_of_national_day_waits_for_the_first_day_back(
    bot: BotHarness,
) -> None:
    [card] = await bot.send("/task @住建局 明天下班以前完成现场整改", user="wang", chat=GROUP)
    assert card.text.splitlines() == [
        "📌 任务 T-1：完成现场整改",
        "交办人：王副部长　承办：住建局（@刘局长）",
        "期限：10月8日（周四） 17:30（明天下班以前）",
        "明天是国庆假期，期限定为 10月8日（周四） 17:30。",
    ]
    # the whole holiday, and the first morning back until the reminder: silence
    assert await advance_to(bot, on(10, 8, 15, 29)) == []
    [reminder] = await advance_to(bot, on(10, 8, 15, 30))  # two hours before, on a working day
    assert reminder.text.startswith("⏰ 提醒：任务 T-1（完成现场整改）期限为 10月8日（周四） 17:30")
    sent = await advance_to(bot, on(10, 8, 17, 30))
    overdue, escalated = [s for s in sent if not s.chat.is_direct]
    assert [s.chat.chat_id for s in sent if s.chat.is_direct] == ["dm:chen"]  # privately too
    assert overdue.text.startswith("⚠️ 超期：任务 T-1（完成现场整改）")
    assert escalated.text.startswith("⬆️ 逐级问责：已上报分管副区长（@陈副区长）。")
    # one working day later (Friday), the next level
    sent = await advance_to(bot, on(10, 9, 17, 30))
    [higher] = [s for s in sent if not s.chat.is_direct]
    assert higher.text.startswith("⬆️ 逐级问责：已上报区长（@周区长）。")
    assert [s.chat.chat_id for s in sent if s.chat.is_direct] == ["dm:zhou"]


async def test_on_a_friday_tomorrow_is_the_make_up_saturday(bot: BotHarness) -> None:
    await advance_to(bot, on(10, 9, 10))  # Friday; Saturday 10月10日 is a make-up workday
    [card] = await bot.send("/task @住建局 明天下班前报送材料", user="wang", chat=GROUP)
    assert card.text.splitlines()[2:] == ["期限：10月10日（周六） 17:30（明天下班前）"]


async def test_a_date_written_on_a_holiday_is_asked_back(bot: BotHarness) -> None:
    [question] = await bot.send("/task @住建局 10月3日前完成现场整改", user="wang", chat=GROUP)
    assert question.text.splitlines() == [
        "10月3日（周六）是国庆假期。",
        "“10月3日前”：您是指 10月8日（周四） 17:30 吗？",
    ]
    assert question.labels[:2] == ["是", "换一个时间"]
    [card] = await bot.press(question, "是", user="wang")
    assert card.text.splitlines()[2:] == [
        "期限：10月8日（周四） 17:30（10月3日前）",
        "10月3日（周六）是国庆假期，期限定为 10月8日（周四） 17:30。",
    ]


async def test_another_time_is_asked_for_with_examples(bot: BotHarness) -> None:
    [question] = await bot.send("/task @住建局 3点前回复", user="wang", chat=GROUP)
    assert question.text == "“3点前”：您是指 9月30日（周三） 15:00 吗？"
    [again] = await bot.press(question, "换一个时间", user="wang")
    assert again.text.startswith("期限是什么时候？例如：明天下班前, 周五12点, 3天内, 节后第一天")
    [card] = await bot.send("今晚12点前", user="wang", chat=GROUP)
    assert card.text.splitlines()[:3] == [
        "📌 任务 T-1：回复",
        "交办人：王副部长　承办：住建局（@刘局长）",
        "期限：9月30日（周三） 24:00（今晚12点前）",
    ]


async def test_a_deadline_typed_when_asked_is_refused_when_passed_and_asked_back_in_doubt(
    bot: BotHarness,
) -> None:
    """As at the complaints desk (the core's deadline steps): the answer to "期限是什么时候？"
    is read as carefully as the words of /task."""
    _hint, question = await bot.send("/task @住建局 尽快回复", user="wang", chat=GROUP)
    assert question.text.startswith("期限是什么时候？")
    passed, _again = await bot.send("今天9点前", user="wang", chat=GROUP)  # said at 10:00
    assert passed.text == "9月30日（周三） 09:00 已经过去了，请给一个更晚的期限。"
    [asked] = await bot.send("3点前", user="wang", chat=GROUP)
    assert asked.text == "“3点前”：您是指 9月30日（周三） 15:00 吗？"
    [card] = await bot.press(asked, "是", user="wang")
    assert card.text.splitlines()[:3] == [
        "📌 任务 T-1：尽快回复",
        "交办人：王副部长　承办：住建局（@刘局长）",
        "期限：9月30日（周三） 15:00（3点前）",
    ]


async def test_a_job_planned_on_a_holiday_before_waits_for_the_working_morning(
    bot: BotHarness,
) -> None:
    await bot.send("/task @住建局 今天下班前完成现场整改", user="wang", chat=GROUP)
    [reminder] = await advance_to(bot, on(9, 30, 15, 30))
    assert reminder.text.startswith("⏰ 提醒：任务 T-1")
    async with bot.app.db.session() as s:  # as a task planned before deadlines kept to workdays
        await s.execute(
            update(JobRow).where(JobRow.name == "task_due").values(next_run_at=on(10, 2, 10))
        )
        await s.commit()
    assert await advance_to(bot, on(10, 8, 8, 29)) == []  # not on 10月2日: the holiday
    sent = await advance_to(bot, on(10, 8, 8, 30))  # the first working morning
    overdue, escalated = [s for s in sent if not s.chat.is_direct]
    assert overdue.text.startswith("⚠️ 超期：任务 T-1（完成现场整改）")
    assert escalated.text.startswith("⬆️ 逐级问责：已上报分管副区长")
    async with bot.app.db.session() as s:
        left = (await s.scalars(select(JobRow.key).where(JobRow.name == "task_due"))).all()
    assert left == []
