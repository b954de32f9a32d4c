"""Durability and delivery: a restart in the middle of a stream, Telegram's limits and 429s, a
bot removed from a group, a group that became a supergroup."""

from __future__ import annotations

import collections
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest_asyncio

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.core.model._events import ChatKind, ChatRef
from tests.adapters.telegram.conftest import TOKEN
from tests.adapters.telegram.tgapp import TelegramApp, TgTest
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


@pytest_asyncio.fixture
async def real_tg() -> AsyncIterator[TelegramEmulator]:
    """An emulator enforcing Telegram's own limits (30/s, 20/min per group) in real time."""
    async with TelegramEmulator(TOKEN, limits=Limits()) as emulator:
        yield emulator


async def test_a_restart_mid_stream_loses_nothing_and_repeats_nothing(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    people = [tg.user(f"P{i}") for i in range(4)]
    chats = [tg.group("A", members=people), tg.group("B", members=people)]
    chats += [tg.private(p) for p in people[:2]]
    total = 240
    for i in range(total):
        tg.say(people[i % 4] if i % 4 < 2 else people[i % 2], chats[i % 4], f"n {i}")
    tg.fail_next("sendMessage", error_code=None, delay=0.02, times=10_000)  # a slow Telegram
    bot = await make_app()
    await eventually(lambda: sum(len(tg.sent(c)) for c in chats) >= 30)
    await bot.stop()  # mid-stream: some replies sent, others queued, updates unfetched
    sent_before = sum(len(tg.sent(c)) for c in chats)
    assert 30 <= sent_before < total
    await bot.start()
    await eventually(lambda: sum(len(tg.sent(c)) for c in chats) >= total, timeout=20)
    await bot.settle()
    replies = collections.Counter(m["text"] for c in chats for m in tg.sent(c))
    assert replies == collections.Counter(f"ok n {i}" for i in range(total))
    assert len(await bot.inbox()) == total
    for chat in chats:  # and each chat in order
        numbers = [int(m["text"].split()[-1]) for m in tg.sent(chat)]
        assert numbers == sorted(numbers)


async def test_a_burst_to_50_groups_stays_under_telegrams_limits(
    real_tg: TelegramEmulator, tmp_path: Path, plugin: TgTest
) -> None:
    tg = real_tg
    ana = tg.user("Ana")
    groups = [tg.group(f"Buyers {i}") for i in range(50)]
    plugin.targets = [chat_ref(g.id) for g in groups]
    bot = TelegramApp(tmp_path, tg, plugin, adapter={"limits": {"scale": 1}})
    await bot.start()
    try:
        started = time.monotonic()
        tg.say(ana, tg.private(ana), "/burst")
        await eventually(lambda: all(tg.sent(g) for g in groups), timeout=10)
        elapsed = time.monotonic() - started
        assert tg.violations == []
        assert tg.delivered() == 50
        assert 1.0 <= elapsed < 4.0, "30 per second: the 31st message waits a second"
        await bot.settle()
        assert {status for _, status, _, _ in await bot.outbox()} == {"sent"}
    finally:
        await bot.stop()


async def test_a_429_is_honoured_and_the_message_sent_once(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    bot = await make_app()
    tg.fail_next("sendMessage", retry_after=1)
    tg.say(ana, dm, "/echo later")
    (answer,) = await tg.wait_sent(dm)
    assert answer["text"] == "later"
    sends = [c for c in tg.calls if c.method == "sendMessage"]
    assert [c.status for c in sends] == [429, 200]
    await bot.settle()
    assert len(tg.sent(dm)) == 1
    assert await bot.outbox() == [(str(ana.id), "sent", 0, "Too Many Requests: retry after 1")]


async def test_a_429_pauses_for_retry_after_seconds(
    real_tg: TelegramEmulator, tmp_path: Path, plugin: TgTest
) -> None:
    tg = real_tg
    ana = tg.user("Ana")
    dm = tg.private(ana)
    bot = TelegramApp(tmp_path, tg, plugin)
    await bot.start()
    try:
        tg.fail_next("sendMessage", retry_after=1)
        tg.say(ana, dm, "/echo later")
        await tg.wait_sent(dm)
        failed, delivered = [c for c in tg.calls if c.method == "sendMessage"]
        assert failed.status == 429 and delivered.status == 200
        assert delivered.at - failed.at >= 0.95
    finally:
        await bot.stop()


async def test_a_kicked_bot_marks_the_chat_inactive_without_retrying(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    dm = tg.private(ana)
    bot = await make_app()
    tg.kick_bot(group)
    tg.say(ana, dm, f"/notify {group.id} first")
    await eventually(lambda: _inactive(bot, group.id))
    tg.say(ana, dm, f"/notify {group.id} second")
    await eventually(lambda: _all_failed(bot, 2))
    calls = [c for c in tg.calls if c.method == "sendMessage" and c.chat_id == group.id]
    # the chat stops either at the first 403, or before any try when the bot's own member update
    # (it was removed) is handled first: never a second attempt
    assert [(c.status, c.description) for c in calls] in (
        [],
        [(403, "Forbidden: bot was kicked from the supergroup chat")],
    )
    assert [(status, attempts) for _, status, attempts, _ in await bot.outbox()] == [
        ("failed", 0),
        ("failed", 0),
    ]


async def test_a_bot_added_back_to_a_group_posts_there_again(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    dm = tg.private(ana)
    bot = await make_app()
    tg.kick_bot(group, by=ana)
    await eventually(lambda: _inactive(bot, group.id))  # learned from the bot's member update
    tg.add_bot(group, by=ana)
    await eventually(lambda: bot.chat_active(group.id))
    tg.say(ana, dm, f"/notify {group.id} back again")
    await tg.wait_sent(group)
    assert [m["text"] for m in tg.sent(group)][-1].endswith("back again")


async def _inactive(bot: TelegramApp, chat_id: int) -> bool:
    return not await bot.chat_active(chat_id)


async def _all_failed(bot: TelegramApp, count: int) -> bool:
    rows = await bot.outbox()
    return len(rows) == count and all(status == "failed" for _, status, _, _ in rows)


async def test_a_group_that_becomes_a_supergroup_keeps_its_chat_in_the_core(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    old = tg.group("Village 3", members=[ana], supergroup=False)
    bot = await make_app()
    tg.say(ana, old, "/echo before")
    await tg.wait_sent(old)
    new = tg.chat(tg.migrate(old))
    asked = tg.say(ana, new, "/echo after")
    (answer,) = await tg.wait_sent(new)
    assert answer["text"] == "after"
    assert answer["reply_to_message"]["message_id"] == asked["message_id"]
    events = await bot.inbox()
    assert {chat for chat, _, _ in events} == {str(old.id)}, "one chat in the core"
    assert [e for _, e, _ in events] == ["1", f"s{asked['message_id']}"]
    dm = tg.private(ana)
    tg.say(ana, dm, f"/notify {old.id} to the old id")  # goes to the supergroup at once
    await tg.wait_sent(new, count=2)
    assert all(c.status == 200 for c in tg.calls if c.method == "sendMessage")


async def test_a_migration_learned_from_a_refused_send(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    old = tg.group("Village 3", members=[ana], supergroup=False)
    bot = await make_app()
    await bot.stop()
    new = tg.chat(tg.migrate(old))
    tg.world.updates.clear()  # the bot never hears of the migration
    await bot.start()
    dm = tg.private(ana)
    tg.say(ana, dm, f"/notify {old.id} hello")
    (notice,) = await tg.wait_sent(new)
    assert notice["text"] == "hello"
    statuses = [c.status for c in tg.calls if c.method == "sendMessage" and c.chat_id == old.id]
    assert statuses == [400]
    tg.say(ana, new, "n from the supergroup")
    (_, answer) = await tg.wait_sent(new, count=2)
    assert answer["text"] == "ok n from the supergroup"
    await bot.restart()  # the migration is stored
    tg.say(ana, new, "n again")
    await tg.wait_sent(new, count=3)
    assert {chat for chat, _, _ in await bot.inbox()} == {str(ana.id), str(old.id)}


def chat_ref(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id), ChatKind.GROUP)
