"""Story 1.7: a report of the same category within 200 m and 7 days is offered as a duplicate;
"me too" joins it and raises its count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Follower, Ticket

from .conftest import jump

HERE = (26.6500, 119.5200)
NEAR = (26.6510, 119.5200)  # about 110 m north
FAR = (26.6550, 119.5200)  # about 560 m north


async def _report(
    bot: BotHarness, user: str, where: tuple[float, float], *, anonymous: bool = False
) -> list[Sent]:
    """The private dialog up to Submit; what the bot answers the reporter on Submit."""
    [photo_q] = await bot.send("广场边垃圾堆了好几天没人处理", user=user)
    await bot.press(photo_q, "跳过", user=user)
    [kind_q] = await bot.send("", user=user, location=where)
    [name_q] = await bot.press(kind_q, "环境卫生", user=user)
    [check] = await bot.press(name_q, "匿名" if anonymous else "实名", user=user)
    sent = await bot.press(check, "提交", user=user)
    return [s for s in sent if s.chat.chat_id == f"dm:{user}"]


async def test_me_too_joins_and_raises_the_count(bot: BotHarness) -> None:
    [first] = await _report(bot, "chen", HERE)
    assert first.text.startswith("已登记为问题 Q-2026-0001")
    await jump(bot, timedelta(days=2))
    [offer] = await _report(bot, "liu", NEAR)
    assert offer.text.startswith("附近最近已有人反映过类似问题：\nQ-2026-0001 · 环境卫生 · 环卫所")
    assert offer.labels == ["我也遇到：Q-2026-0001", "不是，登记新问题"]
    await bot.press(offer, 1, user="liu")
    assert offer.text.startswith("您已加入 Q-2026-0001：共有 2 人反映此问题。")
    [card] = bot.sent_to("环卫所")
    assert "👥 另有 1 人反映同一问题" in card.text
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
        assert ticket is not None and ticket.metoo == 1
        kinds = (await s.scalars(select(Follower.kind).order_by(Follower.id))).all()
        assert kinds == ["reporter", "metoo"]
        assert len((await s.scalars(select(Ticket))).all()) == 1


async def test_no_files_a_new_ticket_and_far_or_old_reports_are_not_offered(
    bot: BotHarness,
) -> None:
    await _report(bot, "chen", HERE)
    [offer] = await _report(bot, "liu", NEAR)
    await bot.press(offer, "不是", user="liu")
    assert offer.text.startswith("已登记为问题 Q-2026-0002")
    [far] = await _report(bot, "zhou", FAR)
    assert far.text.startswith("已登记为问题 Q-2026-0003")
    await jump(bot, timedelta(days=8))
    [late] = await _report(bot, "qian", HERE)
    assert late.text.startswith("已登记为问题 Q-2026-0004")


async def test_an_anonymous_me_too_is_not_named_on_the_timeline(bot: BotHarness) -> None:
    await _report(bot, "chen", HERE)
    [offer] = await _report(bot, "liu", NEAR, anonymous=True)
    await bot.press(offer, 1, user="liu")
    [view] = await bot.send("/ticket Q-2026-0001", user="wang")
    assert "同类反映 · - · 广场边垃圾堆了好几天没人处理" in view.text
    assert "liu" not in view.text
    assert "📍 (26.65000, 119.52000)\n" in view.text  # a shared position: no address made up
