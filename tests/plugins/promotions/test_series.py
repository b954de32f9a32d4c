"""Recurring posts, through the real dispatcher and the fake clock: a series is approved once and
each of its dates is a broadcast of its own (its deliveries, caps, quiet hours, figures); it
stops at its last date, when the product is sold out, when withdrawn; it survives restarts."""

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Delivery, Post
from tests.conftest import create_pg_database, drop_pg_database
from tests.plugins.promotions.story import (
    APPROVER,
    PLUGINS,
    SELLER,
    approve,
    config,
    draft_post,
    enter_product,
    posts_in,
    product_id,
)

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers", "tea"]},
    "buyers-2": {"opt_in": True, "tags": ["buyers"]},
    "night-owls": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["20:00-11:00"]},
}
DAY = timedelta(days=1)


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(GROUPS)


async def posts(bot: BotHarness) -> list[Post]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Post).order_by(Post.id))).all())


async def deliveries(bot: BotHarness, post_id: int) -> dict[str, tuple[str, str]]:
    async with bot.app.db.session() as s:
        rows = (await s.scalars(select(Delivery).where(Delivery.post_id == post_id))).all()
    return {d.chat_id: (d.status, d.reason) for d in rows}


async def test_a_weekly_series_over_three_weeks_with_a_cap_clash(bot: BotHarness) -> None:
    await enter_product(bot)
    catfish = await product_id(bot)
    answers = await draft_post(bot, catfish, tags="buyers", when="每周五 10:00 共3次", repeat=None)
    [waiting] = [a for a in answers if a.chat.chat_id == f"dm:{SELLER}" and "#1" in a.text]
    assert waiting.text == (
        "Promotion #1 is waiting for approval. It will go to 3 groups tagged buyers, every Friday "
        "at 10:00, 3 times; the first at 01-09 10:00."
    )
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    assert "every Friday at 10:00, 3 times; the first at 01-09 10:00. Approve it?" in ask.text
    [done, told] = await approve(bot)
    assert done.text == (
        "Approved. Promotion #1 repeats every Friday at 10:00, 3 times; the first goes out at "
        "01-09 10:00."
    )
    assert "I will report the progress of each post here." in told.text

    # week 1: Friday 10:00, a post of its own; the night owls' quiet hours end at 11:00
    await bot.advance(4 * DAY)  # Friday 09:00
    assert posts_in(bot, "buyers-1") == []
    await bot.advance(timedelta(hours=1))
    assert [len(posts_in(bot, g)) for g in GROUPS] == [1, 1, 0]
    await bot.advance(timedelta(hours=1, minutes=1))  # and the last progress report
    assert [len(posts_in(bot, g)) for g in GROUPS] == [1, 1, 1]
    [week1] = [p for p in await posts(bot) if p.occurrence == 1]
    assert (week1.id, week1.series_id, week1.state) == (2, 1, "published")

    # week 2: a tea post takes buyers-1's one promotion of Friday at 09:00
    await enter_product(bot, name="高山茶", unit="斤", price="200", stock="500")
    await draft_post(bot, await product_id(bot, "高山茶"), tags="tea", when="下周五 9:00")
    await approve(bot)
    await bot.advance(7 * DAY - timedelta(hours=2, minutes=1))  # Friday 01-16 09:00
    assert "高山茶" in posts_in(bot, "buyers-1")[-1].text
    await bot.advance(timedelta(hours=1))  # 10:00: the series' second post
    [week2] = [p for p in await posts(bot) if p.occurrence == 2]
    assert await deliveries(bot, week2.id) == {
        "buyers-1": ("waiting", "daily_cap"),
        "buyers-2": ("queued", ""),
        "night-owls": ("waiting", "quiet_hours"),
    }
    [progress] = await bot.send(f"/progress {week2.id}", user=SELLER)
    assert progress.text.startswith(f"Promotion #{week2.id} “通山鮰鱼” (series #1, post 2):")
    assert "waiting until 01-17 10:00 (daily limit reached): buyers-1" in progress.text
    await bot.advance(DAY - timedelta(minutes=1))  # Saturday 09:59
    assert len([p for p in posts_in(bot, "buyers-1") if "通山鮰鱼" in p.text]) == 1
    await bot.advance(timedelta(minutes=1))  # Saturday 10:00: buyers-1's next free slot
    assert len([p for p in posts_in(bot, "buyers-1") if "通山鮰鱼" in p.text]) == 2

    # week 3: the last post; the author is told the series is over
    await bot.advance(6 * DAY)  # Friday 01-23 10:00
    assert [len([p for p in posts_in(bot, g) if "通山鮰鱼" in p.text]) for g in GROUPS] == [
        3,
        3,
        2,
    ]
    assert any(
        "Promotion #1 has gone out for the last time (3 posts)." in s.text
        for s in bot.sent_to(f"dm:{SELLER}")
    )
    await bot.advance(DAY)
    assert [len([p for p in posts_in(bot, g) if "通山鮰鱼" in p.text]) for g in GROUPS] == [
        3,
        3,
        3,
    ]
    await bot.advance(7 * DAY)
    assert len([p for p in posts_in(bot, "buyers-2") if "通山鮰鱼" in p.text]) == 3
    [series, *_] = await posts(bot)
    assert (series.state, series.end_reason, series.next_at) == ("ended", "finished", None)

    [overview] = await bot.send("/progress 1", user=SELLER)
    lines = overview.text.splitlines()
    assert lines[0] == (
        "Promotion #1 “通山鮰鱼”: repeated every Friday at 10:00, 3 times; ended: its last date "
        "has passed"
    )
    assert lines[1] == "· #2 01-09 10:00: sent 3 · pending 0 · failed 0 · waiting 0 · skipped 0"
    assert len([line for line in lines if line.startswith("· #")]) == 3
    [stats] = await bot.send("/stats", user=SELLER)
    assert "(series #1, post 2)" in stats.text and "delivered 3" in stats.text


async def test_a_series_stops_when_the_product_is_sold_out(bot: BotHarness) -> None:
    await enter_product(bot, stock="1000")
    await draft_post(bot, await product_id(bot), tags="buyers", when="10:00", repeat="每天")
    [done, _] = await approve(bot)
    assert "repeats every day at 10:00, until sold out or withdrawn" in done.text
    await bot.advance(timedelta(hours=1))  # Monday 10:00: the first post
    [post] = posts_in(bot, "buyers-2")
    await bot.press(post, "Order now", user="liu")
    for answer in ("1000斤", "武汉"):
        await bot.send(answer, user="liu")
    [confirm] = await bot.send("13800138000", user="liu")
    await bot.press(confirm, "Confirm order", user="liu")
    assert posts_in(bot, "buyers-2")[0].labels[0] == "Sold out"
    await bot.advance(DAY)  # Tuesday 10:00: sold out, so no second post
    assert len(posts_in(bot, "buyers-2")) == 1
    assert bot.sent_to(f"dm:{SELLER}")[-1].text == (
        "Promotion #1 repeats no more: 通山鮰鱼 is sold out. Posts sent: 1."
    )
    [series, first] = await posts(bot)
    assert (series.state, series.end_reason) == ("ended", "sold_out")
    assert first.series_id == 1
    await bot.advance(3 * DAY)
    assert len(posts_in(bot, "buyers-2")) == 1


async def test_withdrawn_mid_series(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(
        bot, await product_id(bot), tags="buyers", when="每天 10:00 共5次", repeat=None
    )
    await approve(bot)
    await bot.advance(timedelta(hours=1) + DAY)  # Tuesday 10:00: two posts so far
    assert len(posts_in(bot, "buyers-1")) == 2
    assert len(posts_in(bot, "night-owls")) == 1  # Tuesday's waits for 11:00
    [done] = await bot.send("/withdraw 1", user=SELLER)
    assert done.text == (
        "Promotion #1 is withdrawn: it repeats no more, and 1 groups will not receive the copies "
        "still waiting."
    )
    await bot.advance(5 * DAY)
    assert len(posts_in(bot, "buyers-1")) == 2 and len(posts_in(bot, "night-owls")) == 1
    [series, *_, tuesday] = await posts(bot)
    assert (series.state, series.end_reason) == ("cancelled", "withdrawn")
    assert (await deliveries(bot, tuesday.id))["night-owls"] == ("skipped", "withdrawn")
    [again] = await bot.send("/withdraw 1", user=SELLER)
    assert again.text == "Promotion #1 cannot be withdrawn any more."
    [mine] = await bot.send("/progress", user=SELLER)
    assert "#1 通山鮰鱼: withdrawn" in mine.text


async def test_a_daily_series_replaces_a_copy_still_waiting_with_the_next_post(
    bot: BotHarness,
) -> None:
    """A copy held back by the cap would wait until the series' next post: it is skipped, and
    the next post goes instead (the group does not get two in one day)."""
    async with bot.app.db.session() as s, s.begin():
        from qunzhu.plugins.promotions.models import Group

        s.add(Group(platform="memory", chat_id="buyers-2", tags=[], day="2026-01-05", today=1,
                    changed_by=""))  # fmt: skip
    await enter_product(bot)
    await draft_post(
        bot, await product_id(bot), tags="buyers", when="每天 10:00 共2次", repeat=None
    )
    await approve(bot)
    await bot.advance(timedelta(hours=1))
    assert posts_in(bot, "buyers-2") == []
    assert (await deliveries(bot, 2))["buyers-2"] == ("skipped", "superseded")
    await bot.advance(DAY)
    assert len(posts_in(bot, "buyers-2")) == 1
    [report] = await bot.send("/progress 2", user=SELLER)
    assert "· skipped (replaced by the series' next post): buyers-2" in report.text


@pytest.fixture
async def series_bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    settings = config(GROUPS)
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        settings["database"] = {"url": url}
    bot = await BotHarness.create(workdir=tmp_path, config=settings, plugins=PLUGINS)
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def test_a_series_survives_restarts(series_bot: BotHarness) -> None:
    """Restarted between two dates, the series goes on; down over a date, that post goes out
    late when the bot is back (once, however many dates were missed)."""
    bot = series_bot
    await enter_product(bot)
    await draft_post(bot, await product_id(bot), tags="buyers", when="每周五 10:00", repeat=None)
    await approve(bot)
    await bot.restart()
    await bot.advance(4 * DAY + timedelta(hours=1))  # Friday 01-09 10:00
    assert len(posts_in(bot, "buyers-1")) == 1
    # down from Thursday 01-15 to Saturday 01-17 12:00: Friday's post goes when it is back
    await bot.advance(6 * DAY)
    await bot.restart(downtime=2 * DAY + timedelta(hours=2))
    assert len(posts_in(bot, "buyers-1")) == 2
    late = (await posts(bot))[-1]
    assert late.published_at is not None
    assert late.published_at.strftime("%a %H:%M") == "Sat 04:00"  # 12:00 in Shanghai
    # down for two more Fridays: one late post for both, then Fridays again
    await bot.restart(downtime=14 * DAY)  # Saturday 01-31 12:00
    assert len(posts_in(bot, "buyers-1")) == 3
    await bot.advance(6 * DAY)  # Friday 02-06 12:00
    assert len(posts_in(bot, "buyers-1")) == 4
    numbers = [p.occurrence for p in await posts(bot) if p.series_id]
    assert numbers == [1, 2, 4, 5]  # the third date was missed and not sent late twice


async def test_now_and_then_every_day_starts_when_approved(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot), tags="buyers", when="现在", repeat="每天 共2次")
    await bot.advance(timedelta(minutes=30))  # the approver answers at 09:30
    [done, _, *_] = await approve(bot)
    assert done.text == (
        "Approved. Promotion #1 repeats every day at 09:30, 2 times; the first goes out at "
        "01-05 09:30."
    )
    assert len(posts_in(bot, "buyers-1")) == 1
    await bot.advance(DAY)
    assert len(posts_in(bot, "buyers-1")) == 2
