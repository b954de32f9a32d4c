"""Stories 3.2 and 3.3: a post is approved and scheduled to the groups tagged buyers and tourism
at 10:00; groups receive it only when opted in, at most N a day, never in their quiet hours
(it waits, it is not dropped); progress per group reaches the seller and the approver."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.errors import PermanentFailure
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Delivery, Group, Post
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
    publish,
)

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "tourism-1": {"opt_in": True, "tags": ["tourism"]},
    "both": {"opt_in": True, "tags": ["buyers", "tourism"]},
    "cadres": {"opt_in": True, "tags": ["work"]},
    "not-in": {"opt_in": False, "tags": ["buyers"]},
    "night-owls": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["22:00-08:00"]},
    "village-9": {"admins": ["memory:boss9"]},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(GROUPS)


async def test_approved_post_goes_at_ten_to_the_tagged_groups_that_opted_in(
    bot: BotHarness,
) -> None:
    await enter_product(bot)
    pid = await product_id(bot)
    answers = await draft_post(bot, pid, tags="buyers tourism", when="10:00")
    [waiting] = [a for a in answers if a.chat.chat_id == f"dm:{SELLER}" and "#1" in a.text]
    assert "waiting for approval" in waiting.text
    assert "to 4 groups tagged buyers, tourism at 01-05 10:00" in waiting.text
    ask = bot.sent_to(f"dm:{APPROVER}")
    assert "【通山鮰鱼】" in ask[0].text and ask[0].reply.photo == "catfish.jpg"
    assert ask[0].buttons == ()  # a preview: nothing to press
    assert ask[1].labels == ["Approve", "Reject"]
    [done, told] = await bot.press(ask[1], "Approve", user=APPROVER)
    assert done.text == "Approved. Promotion #1 goes out at 01-05 10:00."
    assert told.chat.chat_id == f"dm:{SELLER}" and "王科长 approved promotion #1" in told.text
    [again] = await bot.press(ask[1], "Approve", user=APPROVER)
    assert again.text == "Promotion #1 was already approved by 王科长."

    assert await bot.advance(timedelta(minutes=59)) == []
    sent = await bot.advance(timedelta(minutes=1))
    reached = sorted(s.chat.chat_id for s in sent if s.buttons)
    assert reached == ["both", "buyers-1", "night-owls", "tourism-1"]
    post = posts_in(bot, "buyers-1")[0]
    assert post.reply.photo == "catfish.jpg"
    assert post.labels == ["Order now", "Interested", "Contact seller"]
    assert "Price: 12.5 元/斤" in post.text and "Available: 2,000,000 斤" in post.text
    assert posts_in(bot, "not-in") == [] and posts_in(bot, "cadres") == []

    reports = await bot.advance(timedelta(minutes=1))
    to_seller = [r for r in reports if r.chat.chat_id == f"dm:{SELLER}"]
    to_approver = [r for r in reports if r.chat.chat_id == f"dm:{APPROVER}"]
    assert to_seller and to_approver
    assert "▓▓▓▓▓▓▓▓▓▓ 100%" in to_seller[0].text
    assert "sent 4 · pending 0 · failed 0 · waiting 0 · skipped 1" in to_seller[0].text
    assert "· skipped (not opted in): not-in" in to_seller[0].text
    async with bot.app.db.session() as s:
        assert (await s.get(Post, 1)).state == "published"  # type: ignore[union-attr]


async def test_a_rejected_post_never_goes_out(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot), when="现在")
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    [done, told] = await bot.press(ask, "Reject", user=APPROVER)
    assert "rejected" in done.text and "did not approve promotion #1" in told.text
    [again] = await bot.press(ask, "Approve", user=APPROVER)
    assert again.text == "Promotion #1 was already rejected by 王科长."
    await bot.advance(timedelta(hours=2))
    assert posts_in(bot, "buyers-1") == []


async def test_only_an_approver_approves(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot))
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    [answer] = await bot.press(ask, "Approve", user=SELLER)
    assert answer.text == "Only an approver can approve promotions."


async def test_group_admins_opt_in_and_tag_their_group(bot: BotHarness) -> None:
    [refused] = await bot.send("/promotions on", user="li", chat="village-9")
    assert refused.text == "Only this group's admins can change its promotion settings."
    [status] = await bot.send("/promotions", user="li", chat="village-9")
    assert status.text.startswith("This group does not receive promotions.")
    [on] = await bot.send("/promotions on", user="boss9", chat="village-9")
    assert on.text.startswith("This group receives promotions.")
    [tagged] = await bot.send("/promotions tags buyers 旅游", user="boss9", chat="village-9")
    assert "Tags: buyers, 旅游" in tagged.text and "At most 1 a day." in tagged.text
    await publish(bot)
    assert len(posts_in(bot, "village-9")) == 1
    [off] = await bot.send("/推介设置 关闭", user="boss9", chat="village-9")
    assert off.text.startswith("This group does not receive promotions.")


async def test_quiet_hours_defer_the_post_until_they_end(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot), tags="buyers", when="23:00")
    await approve(bot)
    sent = await bot.advance(timedelta(hours=14))  # 23:00
    assert sorted(s.chat.chat_id for s in sent if s.buttons) == ["both", "buyers-1"]
    assert posts_in(bot, "night-owls") == []
    async with bot.app.db.session() as s:
        d = await s.scalar(select(Delivery).where(Delivery.chat_id == "night-owls"))
        assert d is not None and (d.status, d.reason) == ("waiting", "quiet_hours")
    assert posts_in(bot, "night-owls") == []
    await bot.advance(timedelta(hours=8, minutes=59))  # 07:59
    assert posts_in(bot, "night-owls") == []
    await bot.advance(timedelta(minutes=1))  # 08:00
    assert len(posts_in(bot, "night-owls")) == 1


async def test_at_most_one_promotion_a_day_the_second_waits_for_tomorrow(
    bot: BotHarness,
) -> None:
    await publish(bot)  # 10:00: the first
    await enter_product(bot, name="高山茶", unit="斤", price="200", stock="500")
    await draft_post(bot, await product_id(bot, "高山茶"), tags="buyers", when="11:00")
    await approve(bot)
    await bot.advance(timedelta(hours=1))
    assert len(posts_in(bot, "buyers-1")) == 1
    [progress] = await bot.send("/progress 2", user=SELLER)
    # each group's next free slot: the same time tomorrow, or when its quiet hours end
    assert "waiting until 01-06 11:00 (daily limit reached): both, buyers-1\n" in progress.text
    assert "waiting until 01-06 08:00 (daily limit reached): night-owls" in progress.text
    await bot.advance(timedelta(hours=13))  # 00:00 the next day: not at midnight
    assert len(posts_in(bot, "buyers-1")) == 1
    await bot.advance(timedelta(hours=8))  # 08:00: the night owls' quiet hours end
    assert len(posts_in(bot, "night-owls")) == 2
    assert len(posts_in(bot, "buyers-1")) == 1
    await bot.advance(timedelta(hours=3))  # 11:00
    teas = posts_in(bot, "buyers-1")
    assert len(teas) == 2 and "高山茶" in teas[1].text


async def test_the_seller_withdraws_a_scheduled_post(bot: BotHarness) -> None:
    await enter_product(bot)
    await draft_post(bot, await product_id(bot))
    await approve(bot)
    [done] = await bot.send("/withdraw 1", user=SELLER)
    assert done.text == "Promotion #1 is withdrawn; it will not go out."
    await bot.advance(timedelta(hours=2))
    assert posts_in(bot, "buyers-1") == []


async def test_200_groups_with_caps_quiet_hours_opt_outs_and_removed_bots(
    tmp_path: Any,
) -> None:
    """150 groups opted in and tagged buyers (20 quiet until 12:00, 10 already had today's
    promotion, 2 removed the bot), 50 opted out: 118 get it at 10:00, 20 at 12:00, 10 at
    10:00 the next day; the progress report names the rest."""
    groups: dict[str, dict[str, Any]] = {}
    for i in range(200):
        settings: dict[str, Any] = {"opt_in": i < 150, "tags": ["buyers"]}
        if 100 <= i < 120:
            settings["quiet_hours"] = ["09:30-12:00"]
        groups[f"g{i:03d}"] = settings
    bot = await BotHarness.create(workdir=tmp_path, config=config(groups), plugins=PLUGINS)
    try:
        async with bot.app.db.session() as s, s.begin():
            for i in range(120, 130):  # today's promotion already went there
                s.add(Group(platform="memory", chat_id=f"g{i:03d}", tags=[], day="2026-01-05",
                            today=1, changed_by=""))  # fmt: skip
        gone = {"g140", "g141"}
        bot.adapter.failure = lambda chat, _reply: (
            PermanentFailure("bot was kicked", chat_gone=True) if chat.chat_id in gone else None
        )
        await publish(bot)
        got = {s.chat.chat_id for s in bot.sent if s.buttons and s.chat.chat_id.startswith("g")}
        assert len(got) == 118
        await bot.advance(timedelta(minutes=1))
        report = bot.sent_to(f"dm:{SELLER}")[-1].text
        assert "sent 118 · pending 0 · failed 2 · waiting 30 · skipped 50" in report
        assert "· failed: g140, g141\n" in report
        assert (
            "waiting until 01-05 12:00 (quiet hours): g100, g101, g102, g103, g104 … (20)" in report
        )
        await bot.advance(timedelta(hours=2))
        got = {s.chat.chat_id for s in bot.sent if s.buttons and s.chat.chat_id.startswith("g")}
        assert len(got) == 138
        await bot.advance(timedelta(hours=12, minutes=2))  # 00:02: not at midnight
        got = {s.chat.chat_id for s in bot.sent if s.buttons and s.chat.chat_id.startswith("g")}
        assert len(got) == 138
        await bot.advance(timedelta(hours=10))  # 10:02, the time of the post
        got = {s.chat.chat_id for s in bot.sent if s.buttons and s.chat.chat_id.startswith("g")}
        assert len(got) == 148
        assert not any(f"g{i:03d}" in got for i in range(150, 200))
        final = bot.sent_to(f"dm:{SELLER}")[-1].text
        assert "sent 148 · pending 0 · failed 2 · waiting 0 · skipped 50" in final
        async with bot.app.db.session() as s:
            assert (await s.get(Post, 1)).state == "published"  # type: ignore[union-attr]
            counts = (await s.scalars(select(Group.today))).all()
            assert max(counts) == 1  # never more than the cap in a day
    finally:
        await bot.close()


async def test_progress_counts_copies_the_platform_makes_wait(bot: BotHarness) -> None:
    """A group whose platform says "retry in 5 minutes" (Telegram's 429) stays pending in the
    report, and is sent and reported later; never dropped."""
    from qunzhu.core.errors import RetryLater

    waits = {"tourism-1": 1}

    def slow(chat: Any, _reply: Any) -> Exception | None:
        if waits.get(chat.chat_id, 0) > 0:
            waits[chat.chat_id] -= 1
            return RetryLater(300, chat_only=True)
        return None

    bot.adapter.failure = slow
    await publish(bot)
    assert posts_in(bot, "tourism-1") == []
    [first] = [r for r in await bot.advance(timedelta(minutes=1)) if r.chat.chat_id == "dm:seller"]
    assert "sent 3 · pending 1 · failed 0" in first.text
    assert "▓▓▓▓▓▓▓▓░░ 75%" in first.text
    await bot.advance(timedelta(minutes=5))
    assert len(posts_in(bot, "tourism-1")) == 1
    await bot.advance(timedelta(minutes=1))  # the next report, two minutes after the last
    last = bot.sent_to(f"dm:{SELLER}")[-1]
    assert "sent 4 · pending 0 · failed 0" in last.text


async def test_a_group_that_removed_the_bot_is_skipped_and_named(bot: BotHarness) -> None:
    from qunzhu.core.storage._tables import ChatRow

    async with bot.app.db.session() as s, s.begin():
        s.add(ChatRow(platform="memory", chat_id="both", kind="group", active=False,
                      reason="kicked", changed_at=bot.clock.now()))  # fmt: skip
    await publish(bot)
    assert posts_in(bot, "both") == []
    [report] = [r for r in await bot.advance(timedelta(minutes=1)) if r.chat.chat_id == "dm:seller"]
    assert "· skipped (the bot was removed): both" in report.text
