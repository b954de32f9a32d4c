"""Durable delivery through the in-memory adapter: inbox dedup and recovery, the outbox's
retries, pauses, rate limits and inactive chats, edits, and broadcast progress. Every test runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from sqlalchemy import func, select

from qunzhu.core import ChatKind, Context, Reply, UserRef, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.delivery import _sender
from qunzhu.core.delivery._outbox import delivery, progress
from qunzhu.core.delivery._ratelimit import Limit, Limits
from qunzhu.core.errors import PermanentFailure, RetryLater, TemporaryFailure
from qunzhu.core.model._events import Message
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._tables import ChatRow, InboxRow, OutboxRow
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import MemoryAdapter
from tests.conftest import create_pg_database, drop_pg_database, harness_on


class Echo:
    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("broadcast")
        async def broadcast(ctx: Context, groups: int) -> None:
            for i in range(groups):
                await ctx.send(f"promo {i}", chat=_group(f"g{i}"), batch="promo-1")  # fmt: skip

        @command("post")
        async def post(ctx: Context) -> None:
            row = await ctx.send(Reply("有货"), chat=_group("market"))
            await ctx.db.flush()
            await ctx.reply(f"posted {row.id}")

        @command("soldout")
        async def soldout(ctx: Context, outbox_id: int) -> None:
            await ctx.edit(outbox_id, "已售罄")

        return [broadcast, post, soldout]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        await ctx.reply(f"echo {ctx.message.text}")


def _group(name: str) -> Any:
    from qunzhu.core.model._events import ChatRef

    return ChatRef("memory", name, ChatKind.GROUP, name)


@pytest_asyncio.fixture
async def bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness_on(backend, tmp_path, [("echo", Echo())]) as harness:
        yield harness


async def count(bot: BotHarness, model: Any, *where: Any) -> int:
    async with bot.app.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_duplicate_event_is_dropped(bot: BotHarness) -> None:
    msg = Message("dup-1", bot.group("g"), bot.user("ana"), "hello")
    assert [s.text for s in await bot.feed(msg)] == ["echo hello"]
    assert await bot.feed(msg) == []
    assert await count(bot, InboxRow) == 1
    assert bot.app.inbox.duplicates == 1


async def test_the_cursor_moves_with_the_events_it_covers(bot: BotHarness) -> None:
    intake = bot.app.inbox.intake("memory")
    assert await intake.cursor() is None
    events = [Message(f"u{i}", bot.group("g"), bot.user("ana"), f"m{i}") for i in range(3)]
    assert await intake.submit(events, cursor="103") == 3
    assert await intake.submit(events[:1], cursor="104") == 0  # seen before: dropped
    await bot.app.settle()
    await bot.restart()
    assert await bot.app.inbox.intake("memory").cursor() == "104"


async def test_events_recorded_before_a_crash_are_handled_after_the_restart(
    bot: BotHarness,
) -> None:
    await bot.app.dispatcher.stop()  # as if the process died right after the inbox commit
    await bot.app.inbox.submit([Message("k1", bot.group("g"), bot.user("ana"), "still here")])
    assert await count(bot, InboxRow, InboxRow.handled_at.is_(None)) == 1
    await bot.restart()
    await bot.app.settle()
    assert [s.text for s in bot.sent_to("g")] == ["echo still here"]
    assert await count(bot, InboxRow, InboxRow.handled_at.is_(None)) == 0


async def test_each_delivery_is_recorded_with_the_platform_message_id(bot: BotHarness) -> None:
    [sent] = await bot.send("hi", chat="g")
    async with bot.app.db.session() as s:
        row = (await s.scalars(select(OutboxRow))).one()
    assert (row.status, row.message_id, row.chat_id) == ("sent", sent.message_id, "g")
    found = await delivery(bot.app.db, row.id)
    assert found is not None and (found.status, found.message_id) == ("sent", sent.message_id)


async def test_a_delivered_post_is_edited_everywhere(bot: BotHarness) -> None:
    post, ack = await bot.send("/post")
    outbox_id = int(ack.text.split()[1])
    assert post.chat.chat_id == "market"
    assert post.text == "有货"
    await bot.send(f"/soldout {outbox_id}")
    assert post.text == "已售罄" and len(post.edits) == 1


async def test_a_platform_outage_loses_nothing_and_sends_nothing_twice(bot: BotHarness) -> None:
    start = bot.clock.monotonic()
    bot.adapter.failure = lambda chat, reply: (
        TemporaryFailure("502 Bad Gateway") if bot.clock.monotonic() - start < 30 else None
    )
    for i in range(5):
        assert await bot.send(f"m{i}", chat=f"g{i}") == []  # the platform is down
    assert await count(bot, OutboxRow, OutboxRow.status == "pending") == 5
    await bot.advance(timedelta(seconds=29))
    assert bot.sent == []
    await bot.advance(timedelta(seconds=90))
    texts = sorted(s.text for s in bot.sent)
    assert texts == [f"echo m{i}" for i in range(5)]
    assert await count(bot, OutboxRow, OutboxRow.status == "sent") == 5
    assert bot.adapter.attempts > 10  # it was retried, with backoff, not once per event loop turn


async def test_retry_after_is_honoured(bot: BotHarness) -> None:
    answers = iter([RetryLater(20)])
    bot.adapter.failure = lambda chat, reply: next(answers, None)
    assert await bot.send("wait", chat="g") == []
    assert await bot.advance(timedelta(seconds=19)) == []
    [sent] = await bot.advance(timedelta(seconds=2))
    assert sent.text == "echo wait"


async def test_a_removed_bot_stops_sending_there_without_a_retry_storm(bot: BotHarness) -> None:
    bot.adapter.failure = lambda chat, reply: (
        PermanentFailure("Forbidden: bot was kicked", chat_gone=True)
        if chat.chat_id == "gone"
        else None
    )
    await bot.send("one", chat="gone")
    await bot.send("two", chat="gone")
    await bot.send("three", chat="gone")
    assert bot.adapter.attempts == 1  # the later ones were not even tried
    assert await count(bot, OutboxRow, OutboxRow.status == "failed") == 3
    async with bot.app.db.session() as s:
        chat = await s.get(ChatRow, ("memory", "gone"))
    assert chat is not None and chat.active is False and "kicked" in (chat.reason or "")
    assert [s.text for s in await bot.send("fine", chat="ok")] == ["echo fine"]


async def test_a_bot_added_back_to_a_chat_posts_there_again(bot: BotHarness) -> None:
    from qunzhu.core.model._events import MemberChange, UserRef

    kicked = True
    bot.adapter.failure = lambda chat, reply: (
        PermanentFailure("Forbidden: bot was kicked", chat_gone=True)
        if chat.chat_id == "village" and kicked
        else None
    )
    bot.adapter.bot_user_id = "qunzhu-bot"
    itself = UserRef("memory", "qunzhu-bot", "群助手", is_bot=True)
    await bot.send("before", chat="village")
    assert bot.adapter.attempts == 1
    kicked = False
    admin = bot.user("ana")
    await bot.feed(MemberChange("add-1", bot.group("village"), admin, itself, "joined"))
    async with bot.app.db.session() as s:
        chat = await s.get(ChatRow, ("memory", "village"))
    assert chat is not None and chat.active is True
    assert [s.text for s in await bot.send("after", chat="village")] == ["echo after"]
    # removed again: nothing is even tried there
    await bot.feed(MemberChange("kick-2", bot.group("village"), admin, itself, "left"))
    tried = bot.adapter.attempts
    assert await bot.send("gone again", chat="village") == []
    assert bot.adapter.attempts == tried


async def test_rate_limits_are_never_exceeded(bot: BotHarness) -> None:
    from qunzhu.core.delivery._ratelimit import RateLimiter

    bot.app.senders["memory"].limiter = RateLimiter(
        Limits(total=Limit(30, 1.0), per_chat={ChatKind.GROUP: Limit(2, 60.0)})
    )
    sent = []
    for i in range(5):
        sent += await bot.send(f"m{i}", chat="busy-group")
    assert [s.text for s in sent] == ["echo m0", "echo m1"]
    sent += await bot.advance(timedelta(seconds=62))  # 60 s and the 3 % safety margin
    assert [s.text for s in sent] == ["echo m0", "echo m1", "echo m2", "echo m3"]
    sent += await bot.advance(timedelta(seconds=62))  # 60 s and the 3 % safety margin
    assert len(sent) == 5


async def test_broadcast_progress(bot: BotHarness) -> None:
    bot.adapter.failure = lambda chat, reply: (
        PermanentFailure("chat not found", chat_gone=True) if chat.chat_id == "g3" else None
    )
    await bot.send("/broadcast 10")
    result = await progress(bot.app.db, "promo-1")
    assert (result.sent, result.pending, result.failed) == (9, 0, 1)


async def test_a_burst_is_sent_exactly_once_and_in_order_per_chat(bot: BotHarness) -> None:
    events = [
        Message(f"b{i}", bot.group(f"g{i % 20}"), bot.user("ana"), f"m{i}") for i in range(400)
    ]
    await bot.app.inbox.submit(events)
    await bot.app.settle()
    assert bot.adapter.attempts == 400  # no row was sent twice from a stale read
    for chat in range(20):
        texts = [s.text for s in bot.sent_to(f"g{chat}")]
        assert texts == [f"echo m{i}" for i in range(chat, 400, 20)]


async def test_the_outbox_section_sets_how_often_a_failing_message_is_tried(
    tmp_path: Path,
) -> None:
    config = {"bot": {"language": "en"}, "outbox": {"max_attempts": 3, "backoff": 2.0}}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("echo", Echo())])
    try:
        bot.adapter.failure = lambda chat, reply: TemporaryFailure("502 Bad Gateway")
        assert await bot.send("hello", chat="g") == []
        await bot.advance(timedelta(seconds=1))  # backoff 2 s (with jitter: 1 to 2 s)
        await bot.advance(timedelta(seconds=10))
        assert bot.adapter.attempts == 3
        assert await count(bot, OutboxRow, OutboxRow.status == "failed") == 1
        await bot.advance(timedelta(minutes=10))
        assert bot.adapter.attempts == 3  # given up: never tried again
    finally:
        await bot.close()


async def test_a_sender_whose_records_lag_sends_no_more_than_max_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A crash repeats what the platform took but the outbox had not yet recorded. The slots were
    # freed at the platform's answer, not at the commit: while commits lagged (a loaded
    # PostgreSQL), a sender killed in a burst sent 29 replies again at the next worker
    config = {"bot": {"language": "en"}, "outbox": {"max_in_flight": 4}}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("echo", Echo())])
    commits = asyncio.Event()
    real_record = _sender.record

    async def slow_record(*args: Any) -> None:
        await commits.wait()
        await real_record(*args)

    try:
        monkeypatch.setattr(_sender, "record", slow_record)
        await bot.app.receive(Message("b1", bot.dm("ana"), bot.user("ana"), "/broadcast 20"))
        for _ in range(500):  # until the sender has filled its slots (5 s at most)
            if len(bot.sent) >= 4:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # more would go out now
        assert len(bot.sent) == 4, "sent while the outbox had not recorded what it sent"
        commits.set()
        await bot.app.settle()
        assert sorted(s.text for s in bot.sent) == sorted(f"promo {i}" for i in range(20))
        assert bot.adapter.attempts == 20
        assert await count(bot, OutboxRow, OutboxRow.status == "sent") == 20
    finally:
        commits.set()
        await bot.close()


@pytest.mark.postgres
async def test_a_sender_that_lost_its_lock_stops_while_another_worker_sends(
    tmp_path: Path,
) -> None:
    # The elected sender never looked at its lock's connection again: when it broke (PostgreSQL
    # restarted, a proxy cut it) another worker was elected and both sent every message
    import asyncpg

    url = await create_pg_database()
    path = tmp_path / "qunzhu.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database": {"url": url},
                "dispatcher": {"shared": True, "poll_interval": 0.02},
                "logging": {"level": "WARNING"},
            }
        ),
        encoding="utf-8",
    )
    plugins = PluginSet.collect(load_plugins([("echo", Echo())], entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models(), adapter_models={})
    clock = SystemClock()
    adapter = MemoryAdapter(clock=clock)
    app = App.build(settings, plugins, clock=clock, adapters={"memory": adapter})
    other = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    key = zlib.crc32(b"qunzhu-sender:memory") & 0x7FFFFFFF
    ana, chat = UserRef("memory", "ana", "Ana"), _group("g")

    async def sent(n: int, seconds: float) -> list[str]:
        for _ in range(int(seconds * 50)):
            if len(adapter.sent) >= n:
                break
            await asyncio.sleep(0.02)
        return [s.text for s in adapter.sent]

    try:
        await app.start(create_tables=True)
        await app.receive(Message("m1", chat, ana, "one"))
        assert await sent(1, 10) == ["echo one"]
        sender = app.senders["memory"]
        assert sender.leader
        pid = await other.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted", key
        )
        assert await other.fetchval("SELECT pg_terminate_backend($1)", pid)
        await other.execute("SELECT pg_advisory_lock($1)", key)  # another worker sends now
        for _ in range(200):  # it looks at its lock's connection every 2 s
            if not sender.leader:
                break
            await asyncio.sleep(0.02)
        await app.receive(Message("m2", chat, ana, "two"))
        assert await sent(2, 1.0) == ["echo one"], "sent while another worker was the sender"
        assert not sender.leader
        await other.execute("SELECT pg_advisory_unlock($1)", key)  # that worker is gone
        assert await sent(2, 10) == ["echo one", "echo two"]
        assert sender.leader
    finally:
        await other.close()
        await app.stop()
        await drop_pg_database(url)
