"""Issue 19.5: overdue and escalation notices aggregated per unit and per scan, each ticket named
once; a scan in several batches (each its own transaction) still posts one message per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import deadlines, notices
from qunzhu.plugins.complaints.models import Notice, Ticket
from tests.support.shanghai import at

HOUSING = ["三标段混凝土没按规范养护", "二标段钢筋偷工减料", "一标段混凝土裂缝"]
SANITATION = ["广场垃圾没人处理，联系电话13800000001", "河边污水直排"]


async def _file_five(bot: BotHarness, texts: list[str] | None = None) -> None:
    """Three tickets for 住建局, two for 环卫所, filed Monday 2026-01-05 09:00."""
    for text in texts or [*HOUSING, *SANITATION]:
        [offer] = await bot.send(text, user="jian", chat="工地", photos=["p"])
        await bot.press(offer, 1, user="wang")


async def _until(bot: BotHarness, when: datetime, chat: str = "督查组") -> list[str]:
    before = len(bot.sent_to(chat))
    bot.clock.set(when - timedelta(minutes=1))
    await bot.advance(timedelta(minutes=1))
    return [s.text for s in bot.sent_to(chat)[before:]]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tickets per transaction: five tickets take three batches."""
    monkeypatch.setattr(deadlines, "BATCH", 2)


@pytest.mark.usefixtures("small_batches")
async def test_one_notice_per_unit_per_scan_each_ticket_named_once(bot: BotHarness) -> None:
    await _file_five(bot)
    late = await _until(bot, at("2026-01-05", 15))  # 环卫所 2 h to acknowledge, 住建局 4 h
    assert late == [
        "⚠️ 超期：环卫所 2 件\n"
        "· Q-2026-0004 已超期 3 小时未接单：广场垃圾没人处理，联系电话***\n"
        "· Q-2026-0005 已超期 3 小时未接单：河边污水直排",
        "⚠️ 超期：住建局 3 件\n"
        "· Q-2026-0001 已超期 1 小时未接单：三标段混凝土没按规范养护\n"
        "· Q-2026-0002 已超期 1 小时未接单：二标段钢筋偷工减料\n"
        "· Q-2026-0003 已超期 1 小时未接单：一标段混凝土裂缝",
    ]
    assert await _until(bot, at("2026-01-05", 16)) == []  # named once, not every scan
    assert await _until(bot, at("2026-01-06", 10)) == []
    async with bot.app.db.session() as s:
        waiting = select(Notice).where(Notice.message_id.is_(None))
        assert (await s.scalars(waiting)).all() == []  # nothing left waiting


async def test_a_long_list_is_cut_and_points_to_the_list_command(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "MAX_LINES", 2)
    await _file_five(bot)
    [_, housing] = await _until(bot, at("2026-01-05", 15))
    assert housing.splitlines() == [
        "⚠️ 超期：住建局 3 件",
        "· Q-2026-0001 已超期 1 小时未接单：三标段混凝土没按规范养护",
        "· Q-2026-0002 已超期 1 小时未接单：二标段钢筋偷工减料",
        "…及另外 1 件，发送 /工单列表 超期 查看",
    ]


@pytest.mark.usefixtures("small_batches")
async def test_escalations_reach_the_unit_above_as_one_list(bot: BotHarness) -> None:
    await _file_five(bot, HOUSING)
    await _until(bot, at("2026-01-05", 15))
    await _until(bot, at("2026-01-12", 10))  # due Friday 18:00
    [supervision] = await _until(bot, at("2026-01-14", 10))  # two working days late
    assert supervision.splitlines() == [
        "⚠️ 超期：住建局 3 件",  # a line per ticket, as it is now
        "· Q-2026-0001 已超期 2 天未办结，已升级至 管委会：三标段混凝土没按规范养护",
        "· Q-2026-0002 已超期 2 天未办结，已升级至 管委会：二标段钢筋偷工减料",
        "· Q-2026-0003 已超期 2 天未办结，已升级至 管委会：一标段混凝土裂缝",
    ]
    [upper] = bot.sent_to("管委会")  # one message, not a card per ticket
    assert upper.text.splitlines() == [
        "⬆️ 升级督办：下级单位 3 件问题超期未办结（发送 /工单 编号 查看并催办）",
        "· Q-2026-0001 住建局 已超期 2 天未办结：三标段混凝土没按规范养护",
        "· Q-2026-0002 住建局 已超期 2 天未办结：二标段钢筋偷工减料",
        "· Q-2026-0003 住建局 已超期 2 天未办结：一标段混凝土裂缝",
    ]
    assert await _until(bot, at("2026-01-14", 16), "管委会") == []
    assert await _until(bot, at("2026-01-14", 17)) == []


async def test_the_scan_looks_only_at_tickets_that_became_due(bot: BotHarness) -> None:
    await _file_five(bot)
    await _until(bot, at("2026-01-05", 15))
    async with bot.app.db.session() as s:
        due = (
            await s.scalars(select(Ticket).where(Ticket.next_check_at <= at("2026-01-06", 10)))
        ).all()
        assert due == []  # the next look at each is its deadline to resolve
        [first] = (await s.scalars(select(Ticket).where(Ticket.number == "Q-2026-0001"))).all()
        assert first.next_check_at is not None
        assert first.next_check_at.replace(tzinfo=UTC) == at("2026-01-09", 18)


async def test_a_resolved_ticket_nobody_answers_closes_after_confirm_days(
    bot: BotHarness,
) -> None:
    """The scan used to load every resolved ticket each time to find these; now the ticket's
    next check is the end of the reporter's three working days."""
    await _file_five(bot, HOUSING[:1])
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    await bot.press(card, "已解决", user="lina")
    [photo_q] = await bot.send("已督促返工", user="lina", chat="住建局")
    await bot.press(photo_q, "跳过", user="lina")  # resolved Monday 09:00
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None and ticket.status == "resolved"
    await _until(bot, at("2026-01-07", 17, 50))  # Wednesday: not yet three working days
    async with bot.app.db.session() as s:
        assert await s.scalar(select(Ticket.status)) == "resolved"
    await _until(bot, at("2026-01-07", 18, 10))  # now it is (Mon, Tue, Wed 09:00-18:00)
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.status, ticket.next_check_at) == ("closed", None)


async def test_a_posted_notice_is_edited_as_its_tickets_move_on(bot: BotHarness) -> None:
    await _file_five(bot, HOUSING)
    [notice] = await _until(bot, at("2026-01-05", 15))
    [first, *_] = bot.sent_to("住建局")  # Q-2026-0001's card
    before = len(bot.sent_to("督查组"))
    await bot.press(first, "接单", user="lina")
    assert len(bot.sent_to("督查组")) == before  # no new message: the notice is edited
    posted = bot.sent_to("督查组")[-1]
    assert posted.edits
    assert posted.text.splitlines()[1:] == [
        "· Q-2026-0001 已超期 1 小时未接单：三标段混凝土没按规范养护（现：已接单）",
        "· Q-2026-0002 已超期 1 小时未接单：二标段钢筋偷工减料",
        "· Q-2026-0003 已超期 1 小时未接单：一标段混凝土裂缝",
    ]
    assert posted.text.splitlines()[0] == notice.splitlines()[0] == "⚠️ 超期：住建局 3 件"
