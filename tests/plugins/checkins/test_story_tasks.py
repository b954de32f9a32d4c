"""Story 2.6: a leader assigns a task with a deadline written as people write it; the bot reminds
before it, and when it passes undone names the assignee in the group and escalates level by level
(逐级问责)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qunzhu.core import WorkCalendar, find_deadline
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins.models import Task

from .conftest import GROUP, advance_to, at, campaign, config

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def bot_config() -> dict[str, Any]:
    # the group's check-in is held on the 28th of each month: out of the way of these stories
    return config(campaigns=[campaign(schedule="FREQ=MONTHLY;BYMONTHDAY=28")])


MONDAY_10 = datetime(2026, 1, 5, 10, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "due", "rest"),
    [
        ("明天下班前完成现场整改", "2026-01-06 18:00", "完成现场整改"),
        ("周五前提交材料", "2026-01-09 18:00", "提交材料"),
        ("周五12点前报送", "2026-01-09 12:00", "报送"),
        ("周五下午三点半前报送", "2026-01-09 15:30", "报送"),
        ("3天内整改到位", "2026-01-08 18:00", "整改到位"),
        ("三个工作日内整改", "2026-01-08 18:00", "整改"),
        ("两小时内回复", "2026-01-05 12:00", "回复"),
        ("下周一上午10点前汇报", "2026-01-12 10:00", "汇报"),
        ("12月1日前完成", "2026-12-01 18:00", "完成"),
        ("2026-12-01 18:00 提交方案", "2026-12-01 18:00", "提交方案"),
        (
            "本月底前完成",
            "2026-01-30 18:00",
            "完成",
        ),  # the 31st is a Saturday: the last working day
        ("today 5pm call the contractor", "2026-01-05 17:00", "call the contractor"),
        ("tomorrow 6pm send the plan", "2026-01-06 18:00", "send the plan"),
        ("finish the fence by Friday", "2026-01-09 18:00", "finish the fence"),
        ("within 3 working days", "2026-01-08 18:00", ""),
        ("end of day report", "2026-01-05 18:00", "report"),
    ],
)
def test_deadlines_as_people_write_them(text: str, due: str, rest: str) -> None:
    calendar = WorkCalendar(SHANGHAI, preset="cn")
    found = find_deadline(text, MONDAY_10, SHANGHAI, calendar, time(18))
    assert found is not None
    assert found.due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == due
    assert found.rest == rest


def test_no_deadline_in_the_text() -> None:
    calendar = WorkCalendar(SHANGHAI)
    assert find_deadline("尽快完成现场整改", MONDAY_10, SHANGHAI, calendar, time(18)) is None


async def _tasks(bot: BotHarness) -> list[Task]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Task).order_by(Task.id))).all())


async def test_a_task_reminded_overdue_and_escalated_level_by_level(bot: BotHarness) -> None:
    await bot.advance(timedelta(hours=1))  # Monday 10:00
    [card] = await bot.send("/task @住建局 明天下班前完成现场整改", user="wang", chat=GROUP)
    assert card.text.splitlines() == [
        "📌 任务 T-1：完成现场整改",
        "交办人：王副部长　承办：住建局（@刘局长）",
        "期限：1月6日（周二） 18:00（明天下班前）",
    ]
    assert card.labels == ["✅ 已完成"] and card.reply.mentions == ("memory:liu",)
    [reminder] = await advance_to(bot, at(6, 16))  # two hours before
    assert (
        reminder.text
        == "⏰ 提醒：任务 T-1（完成现场整改）期限为 1月6日（周二） 18:00。住建局（@刘局长）"
    )
    sent = await advance_to(bot, at(6, 18))
    [told] = [s for s in sent if s.chat.is_direct]
    overdue, escalated = [s for s in sent if not s.chat.is_direct]
    assert overdue.chat.chat_id == GROUP
    assert overdue.text == (
        "⚠️ 超期：任务 T-1（完成现场整改）承办 住建局（@刘局长），期限 1月6日（周二） 18:00，"
        "至今未办结。"
    )
    assert overdue.reply.mentions == ("memory:liu",)
    assert escalated.text == (
        "⬆️ 逐级问责：已上报分管副区长（@陈副区长）。"
        "住建局 的任务 T-1（完成现场整改）已超期，请督办。"
    )
    assert escalated.reply.mentions == ("memory:chen",)
    assert (told.chat.chat_id, told.text) == (
        "dm:chen",
        "🔔 请您督办：住建局 的任务 T-1（完成现场整改）已超期，期限为 1月6日（周二） 18:00。"
        "交办人：王副部长。",
    )
    # one working day later, still not done: the next level
    [higher] = [s for s in await advance_to(bot, at(7, 18)) if not s.chat.is_direct]
    assert higher.text.startswith("⬆️ 逐级问责：已上报区长（@周区长）。")
    assert "超期 7.5 个工作小时仍未办结" in higher.text
    assert await advance_to(bot, at(12, 18)) == []  # the top of the chain: no more
    # done at last, late: a reply to the escalation says so; signed off by who assigned it
    [request] = await bot.send("已办好了", user="liu", chat=GROUP, reply_to=higher.message_id)
    assert request.text.startswith("📝 任务 T-1（完成现场整改）：刘局长 报告已办结。")
    [done] = await bot.press(request, "验收通过", user="wang")
    assert done.text == "✅ 任务 T-1 已办结：完成现场整改（刘局长 办理，王副部长 验收）（超期办结）"
    assert card.text.splitlines()[-1].startswith("✅ 刘局长 已于 1月12日（周一）")
    assert card.labels == []
    [task] = await _tasks(bot)
    assert (task.state, task.level, task.done_by) == ("done", 2, "刘局长")


async def test_done_before_the_deadline_stops_reminders(bot: BotHarness) -> None:
    await bot.send("/交办 @刘局长 周五前提交材料", user="wang", chat=GROUP)
    [request] = await bot.send("/完成", user="liu", chat=GROUP)  # reported: it waits for sign-off
    assert request.labels == ["✅ 验收通过", "↩️ 退回"]
    assert await advance_to(bot, at(12, 18)) == []  # nor reminded nor overdue meanwhile
    [done] = await bot.press(request, "验收通过", user="wang")
    assert done.text == "✅ 任务 T-1 已办结：提交材料（刘局长 办理，王副部长 验收）"


async def test_an_unclear_deadline_is_asked_again_with_examples(bot: BotHarness) -> None:
    hint, question = await bot.send("/task @住建局 尽快完成现场整改", user="wang", chat=GROUP)
    assert hint.text == "没能从“尽快完成现场整改”中看出期限。"
    assert question.text.startswith("期限是什么时候？例如：明天下班前")
    again = await bot.send("过几天", user="wang", chat=GROUP)
    assert again[0].text.startswith("请这样写期限：明天下班前, 周五12点")
    [card] = await bot.send("周五12点", user="wang", chat=GROUP)
    assert card.text.splitlines()[2] == "期限：1月9日（周五） 12:00（周五12点）"


async def test_who_may_assign_and_to_whom(bot: BotHarness) -> None:
    [refused] = await bot.send("/task @住建局 明天完成", user="mayor1", chat=GROUP)
    assert refused.text == "只有领导（督办人、汇报负责人）可以交办任务。"
    [unknown] = await bot.send("/task @水利局 明天完成", user="wang", chat=GROUP)
    assert (
        unknown.text
        == "不知道“水利局”是谁。请写一个人的名字，或以下单位之一：住建局、分管副区长、区长。"
    )
    [owner] = await bot.send("/task @福州市长 明天下班前报送水质数据", user="zhao", chat=GROUP)
    assert owner.text.startswith("📌 任务 T-1：报送水质数据")  # an owner of the group's check-in
    [request] = await bot.press(owner, "已完成", user="mayor1")  # the card's button reports it
    assert request.text.startswith("📝 任务 T-1（报送水质数据）：福州市长 报告已办结。")
    [listing] = await bot.send("/tasks", user="zhao", chat=GROUP)
    assert listing.text.splitlines()[1].startswith(
        "📝 T-1 报送水质数据 — 福州市长 — 1月6日（周二）"
    )
    [passed] = await bot.send("/task @住建局 今天9点前完成", user="wang", chat=GROUP)
    assert passed.text == "“今天9点前”已经过去了，请给一个更晚的期限。"
