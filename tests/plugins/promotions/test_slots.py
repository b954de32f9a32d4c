""" "At the next free slot": the earliest time at which every group of the post may take it
(outside its quiet hours, under its daily cap, counting posts already planned), so that it
reaches them all at once; and the drafting dialog's buttons and typed answers for when and how
often."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.promotions.models import Group, Post
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
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "night-owls": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["21:00-08:30"]},
    "busy": {"opt_in": True, "tags": ["buyers", "tea"]},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(GROUPS)


def to_seller(answers: list[Sent]) -> list[Sent]:
    return [a for a in answers if a.chat.chat_id == f"dm:{SELLER}"]


async def test_the_next_free_slot_is_the_first_time_every_group_can_take_it(
    bot: BotHarness,
) -> None:
    """Monday 09:00: "busy" already had its promotion today, so the post goes on Tuesday; at
    08:30 when the night owls' quiet hours end (earlier than 09:00): to all three at once."""
    async with bot.app.db.session() as s, s.begin():
        s.add(Group(platform="memory", chat_id="busy", tags=[], day="2026-01-05", today=1,
                    changed_by=""))  # fmt: skip
    await enter_product(bot)
    await bot.send(f"/promote {await product_id(bot)}", user=SELLER)
    await bot.send("鲜活直发", user=SELLER)
    [when] = await bot.send("buyers", user=SELLER)
    assert when.labels == ["Now", "At the next free slot", "Cancel"]
    answers = await bot.press(when, "At the next free slot", user=SELLER)
    assert to_seller(answers)[1].text == (
        "Promotion #1 is waiting for approval. It will go to 3 groups tagged buyers at the next "
        "free slot: the first time every one of them can take it."
    )
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    assert "at the next free slot of all of them. Approve it?" in ask.text
    [done, told] = await approve(bot)
    assert done.text == (
        "Approved. Promotion #1 goes out at 01-06 08:30, the first time all its groups can take it."
    )
    assert "it goes out at 01-06 08:30" in told.text
    await bot.advance(timedelta(hours=23, minutes=29))
    assert posts_in(bot, "buyers-1") == []
    sent = await bot.advance(timedelta(minutes=1))
    assert sorted(s.chat.chat_id for s in sent if s.buttons) == ["busy", "buyers-1", "night-owls"]


async def test_the_next_free_slot_leaves_the_days_other_posts_have_taken(
    bot: BotHarness,
) -> None:
    """A tea post approved for 15:00 today has "busy"'s slot of the day: a post for the next
    free slot goes tomorrow (08:30, when the night owls' quiet hours end), not now, and does not
    push the tea post to the day after."""
    await enter_product(bot, name="高山茶", stock="500")
    await draft_post(bot, await product_id(bot, "高山茶"), tags="tea", when="15:00")
    await approve(bot)
    await enter_product(bot)
    await draft_post(bot, await product_id(bot), tags="buyers", when="空档")
    [done, _] = await approve(bot)
    assert done.text.startswith("Approved. Promotion #2 goes out at 01-06 08:30,")
    await bot.advance(timedelta(hours=6))  # 15:00
    assert len(posts_in(bot, "busy")) == 1 and "高山茶" in posts_in(bot, "busy")[0].text
    assert posts_in(bot, "buyers-1") == []
    await bot.advance(timedelta(hours=17, minutes=30))  # Tuesday 08:30
    assert [len(posts_in(bot, g)) for g in GROUPS] == [1, 1, 2]


async def test_no_common_free_slot_sends_now_and_each_group_waits_its_own(tmp_path: Any) -> None:
    groups = {
        "mornings": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["12:00-00:00"]},
        "afternoons": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["00:00-12:00"]},
    }
    bot = await BotHarness.create(workdir=tmp_path, config=config(groups), plugins=PLUGINS)
    try:
        await enter_product(bot)
        await draft_post(bot, await product_id(bot), tags="buyers", when="free slot")
        done = (await approve(bot))[0]
        assert done.text == (
            "Approved. No time in the next 14 days suits all the groups of promotion #1: it goes "
            "out now, and each group gets it at its own next free time."
        )
        assert len(posts_in(bot, "mornings")) == 1 and posts_in(bot, "afternoons") == []
        await bot.advance(timedelta(hours=3))
        assert len(posts_in(bot, "afternoons")) == 1
    finally:
        await bot.close()


async def test_when_and_repeat_as_people_write_them(bot: BotHarness) -> None:
    await enter_product(bot)
    await bot.send(f"/promote {await product_id(bot)}", user=SELLER)
    await bot.send("鲜活直发", user=SELLER)
    await bot.send("buyers", user=SELLER)
    [bad, again] = await bot.send("随便什么时候", user=SELLER)
    assert bad.text.startswith("I could not read that time.")
    assert again.labels[:2] == ["Now", "At the next free slot"]
    [repeat] = await bot.send("周五 10点", user=SELLER)  # the coming Friday
    assert repeat.text.startswith("Should it repeat?")
    assert repeat.labels == [
        "Only once",
        "Every day for a week",
        "Every week until sold out",
        "Cancel",
    ]
    [bad, _] = await bot.send("每周八次吧", user=SELLER)
    assert bad.text.startswith("I could not read how it repeats.")
    [bad, _] = await bot.send("每天 到2026-01-04", user=SELLER)
    assert bad.text == "That repetition has no date left. Write another one."
    [bad, ask] = await bot.send("每天 到1月6日", user=SELLER)  # the first send is on Friday
    assert bad.text == "That repetition has no date from 01-09 10:00 on. Write another one."
    assert ask.text.startswith("Should it repeat?")
    answers = to_seller(await bot.send("每周一、五 上午9点 到2月1日", user=SELLER))
    assert (
        "every Monday, Friday at 09:00, until 2026-02-01; the first at 01-09 09:00."
        in answers[1].text
    )
    async with bot.app.db.session() as s:
        post = await s.scalar(select(Post))
        assert post is not None and post.repeat is not None
        assert post.repeat["days"] == [0, 4] and post.repeat["until"] == "2026-02-01"
    # an expert's RRULE, and a button
    await bot.send(f"/promote {await product_id(bot)}", user=SELLER)
    await bot.send("鲜活直发", user=SELLER)
    await bot.send("buyers", user=SELLER)
    answers = to_seller(await bot.send("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2", user=SELLER))
    assert "by the rule FREQ=WEEKLY;BYDAY=TU;COUNT=2; the first at 01-06 09:00." in answers[1].text
    await bot.send(f"/promote {await product_id(bot)}", user=SELLER)
    await bot.send("鲜活直发", user=SELLER)
    await bot.send("buyers", user=SELLER)
    [repeat] = await bot.send("10:00", user=SELLER)
    answers = to_seller(await bot.press(repeat, "Every day for a week", user=SELLER))
    assert "every day at 10:00, for 7 days; the first at 01-05 10:00." in answers[1].text


async def test_the_seller_sees_the_state_of_each_promotion(bot: BotHarness) -> None:
    await enter_product(bot)
    pid = await product_id(bot)
    await draft_post(bot, pid, tags="buyers", when="10:00")
    await approve(bot)
    await draft_post(bot, pid, tags="buyers", when="明天 10点")
    await draft_post(bot, pid, tags="buyers", when="10:00", repeat="每周 共4次")
    [pending] = await bot.send("/progress 2", user=SELLER)
    assert pending.text == (
        "Promotion #2 “通山鮰鱼”: waiting for approval\n"
        "It goes to 3 groups: busy, buyers-1, night-owls"
    )
    await bot.advance(timedelta(hours=1))
    [mine] = await bot.send("/进度", user=SELLER)
    assert mine.text.splitlines() == [
        "Your promotions:",
        "#3 通山鮰鱼: waiting for approval",
        "#2 通山鮰鱼: waiting for approval",
        "#1 通山鮰鱼: sending since 01-05 10:00 · sent 3 · pending 0 · failed 0 · waiting 0 · "
        "skipped 0",
        "Send /progress <number> for one promotion, group by group.",
    ]
    ask = bot.sent_to(f"dm:{APPROVER}")
    await bot.press([a for a in ask if "#3 from" in a.text][-1], "Approve", user=APPROVER)
    await bot.press([a for a in ask if "#2 from" in a.text][-1], "Reject", user=APPROVER)
    await bot.advance(timedelta(minutes=5))
    [mine] = await bot.send("/progress", user=SELLER)
    assert mine.text.splitlines()[1:5] == [
        "#3 通山鮰鱼: repeats every Monday at 10:00, 4 times; next post 01-12 10:00",
        # #1 had the groups' one promotion of Monday: the series' first post goes on Tuesday
        "  · #4 01-05 10:00: sent 0 · pending 0 · failed 0 · waiting 3 · skipped 0",
        "#2 通山鮰鱼: not approved by 王科长",
        "#1 通山鮰鱼: published 01-05 10:00 · sent 3 · pending 0 · failed 0 · waiting 0 · "
        "skipped 0",
    ]
