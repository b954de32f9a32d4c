"""Story 1.4: deadlines in working time; overdue tickets named in the supervision group once,
then escalated one level up after a further delay (village → township → district)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qunzhu.core.clock import FakeClock
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket, TicketEvent
from tests.support.shanghai import at

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"
SHORT = TEXT  # 23 characters: shown whole on the notice's line


async def _file(bot: BotHarness) -> None:
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")


async def _until(bot: BotHarness, when: datetime) -> list[str]:
    """Jump the clock to `when`: the ten-minute scan, asleep meanwhile, runs once, late (its
    misfire rule), as after a pause; the supervision group's messages."""
    before = len(bot.sent_to("督查组"))
    bot.clock.set(when - timedelta(minutes=1))
    await bot.advance(timedelta(minutes=1))
    return [s.text for s in bot.sent_to("督查组")[before:]]


async def test_deadlines_are_working_time(bot: BotHarness) -> None:
    await _file(bot)  # Monday 2026-01-05 09:00
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    # 4 working hours: 09:00-12:00 and 13:30-14:30; 5 working days: Friday at the end of work
    assert ticket.acknowledge_due.replace(tzinfo=UTC) == at("2026-01-05", 14, 30)
    assert ticket.resolve_due.replace(tzinfo=UTC) == at("2026-01-09", 18)


async def test_overdue_named_once_then_escalated_level_by_level(bot: BotHarness) -> None:
    await _file(bot)
    late_ack = await _until(bot, at("2026-01-05", 15))
    assert late_ack == [f"⚠️ 超期：住建局 1 件\n· Q-2026-0001 已超期 1 小时未接单：{SHORT}"]
    assert await _until(bot, at("2026-01-06", 12)) == []  # once, not every ten minutes
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")

    overdue = await _until(bot, at("2026-01-12", 10))  # due Friday 18:00
    assert overdue == [f"⚠️ 超期：住建局 1 件\n· Q-2026-0001 已超期 1 小时未办结：{SHORT}"]
    escalated = await _until(bot, at("2026-01-13", 18))  # two working days late
    assert escalated == [
        f"⚠️ 超期：住建局 1 件\n· Q-2026-0001 已超期 2 天未办结，已升级至 管委会：{SHORT}"
    ]
    [upper] = bot.sent_to("管委会")
    assert upper.text.startswith("⬆️ 升级督办：住建局 的 Q-2026-0001 已超期 2 天。")
    assert "📋 Q-2026-0001 · 工程质量" in upper.text
    assert await _until(bot, at("2026-01-14", 18)) == []
    again = await _until(bot, at("2026-01-15", 18))
    assert again == [
        f"⚠️ 超期：住建局 1 件\n· Q-2026-0001 已超期 4 天未办结，已升级至 区政府：{SHORT}"
    ]
    assert len(bot.sent_to("区政府")) == 1
    assert await _until(bot, at("2026-01-22", 18)) == []  # the top: no further level
    async with bot.app.db.session() as s:
        notes = (
            await s.scalars(
                select(TicketEvent.note).where(TicketEvent.action.in_(["overdue", "escalated"]))
            )
        ).all()
    assert notes == ["acknowledge", "resolve", "township", "district"]


class TestHolidays:
    @pytest.fixture
    def bot_clock(self) -> FakeClock:
        return FakeClock(at("2026-09-30", 9))  # the day before the National Day holiday

    async def test_holidays_do_not_count(self, bot: BotHarness) -> None:
        await _file(bot)
        async with bot.app.db.session() as s:
            ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        # 30 Sep counts; 1-7 Oct are days off (2026); then 8, 9, 10 (a make-up Saturday), 12
        assert ticket.resolve_due.replace(tzinfo=UTC) == at("2026-10-12", 18)
