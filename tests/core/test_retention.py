"""The inbox and the outbox keep ``database.keep_days`` of what is done: older handled events
and delivered messages leave a bounded share at a time; what is still to handle or to send stays
whatever its age. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from qunzhu.core import Context, hookimpl
from qunzhu.core.delivery._retention import prune
from qunzhu.core.model._events import Message
from qunzhu.core.storage._statistics import Statistics
from qunzhu.core.storage._tables import InboxRow, OutboxRow
from qunzhu.core.testing import BotHarness
from tests.conftest import harness_on


class Echo:
    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        await ctx.reply(f"echo {ctx.message.text}")


@pytest_asyncio.fixture
async def bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness_on(backend, tmp_path, [("echo", Echo())]) as harness:
        yield harness


async def count(bot: BotHarness, model: Any, *where: Any) -> int:
    async with bot.app.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def said(bot: BotHarness, text: str) -> Message:
    return Message(f"ev-{text}", bot.group("g"), bot.user("ana"), text)


async def talk(bot: BotHarness, texts: Sequence[str]) -> None:
    for text in texts:
        await bot.feed(said(bot, text))


async def test_handled_events_and_sent_messages_older_than_keep_days_leave(
    bot: BotHarness,
) -> None:
    await talk(bot, ["old 1", "old 2"])
    await bot.advance(timedelta(days=60))
    await talk(bot, ["recent"])
    assert (await count(bot, InboxRow), await count(bot, OutboxRow)) == (3, 3)

    await bot.advance(timedelta(days=31))  # the first two are 91 days old, the third 31

    assert (await count(bot, InboxRow), await count(bot, OutboxRow)) == (1, 1)
    async with bot.app.db.session() as s:
        assert await s.scalar(select(InboxRow.payload["text"].as_string())) == "recent"
    # a recent event is still known: sent again, it is dropped as a duplicate
    assert await bot.feed(said(bot, "recent")) == []


async def test_what_is_still_to_handle_or_to_send_stays_whatever_its_age(
    bot: BotHarness,
) -> None:
    long_ago = bot.clock.now() - timedelta(days=200)
    async with bot.app.db.session() as s:
        s.add(InboxRow(platform="memory", chat_id="g", event_id="waiting", kind="message",
                       payload={}, received_at=long_ago))  # fmt: skip
        for status in ("pending", "failed"):
            s.add(
                OutboxRow(
                    platform="memory",
                    chat_id="g",
                    chat_kind="group",
                    payload={},
                    status=status,
                    next_attempt_at=long_ago,
                    created_at=long_ago,
                )
            )
        await s.commit()
    async with bot.app.db.session() as s:
        pruned = await prune(s, bot.clock.now(), timedelta(days=90))
        await s.commit()
    assert (pruned.inbox, pruned.outbox) == (0, 1)  # the message given up on, long ago
    assert await count(bot, InboxRow, InboxRow.handled_at.is_(None)) == 1
    assert await count(bot, OutboxRow, OutboxRow.status == "pending") == 1


async def test_a_run_removes_a_bounded_share_and_the_next_goes_on(bot: BotHarness) -> None:
    await talk(bot, [f"m{i}" for i in range(25)])
    now = bot.clock.now() + timedelta(days=100)
    async with bot.app.db.session() as s:
        first = await prune(s, now, timedelta(days=90), batch=4, batches=2)
        await s.commit()
    assert (first.inbox, first.outbox, first.more) == (8, 8, True)
    async with bot.app.db.session() as s:
        rest = await prune(s, now, timedelta(days=90), batch=100, batches=2)
        await s.commit()
    assert (rest.inbox, rest.outbox, rest.more) == (17, 17, False)
    assert (await count(bot, InboxRow), await count(bot, OutboxRow)) == (0, 0)


async def test_keep_days_zero_keeps_everything(tmp_path: Path) -> None:
    config = {"bot": {"language": "en"}, "database": {"keep_days": 0}}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("echo", Echo())])
    try:
        await talk(bot, ["kept"])
        await bot.advance(timedelta(days=400))
        assert (await count(bot, InboxRow), await count(bot, OutboxRow)) == (1, 1)
    finally:
        await bot.close()


@pytest.mark.postgres
async def test_the_nightly_prune_has_postgresql_analyze_the_smaller_tables(tmp_path: Path) -> None:
    """Rows removed count towards the next ``ANALYZE`` once the prune is committed (issue 19:
    this server runs without autovacuum). Driven by rows: the 91 days of fake clock below run
    it once, not once a scheduled interval."""
    from sqlalchemy import text as sql_text

    async with harness_on("postgres", tmp_path, [("echo", Echo())]) as bot:
        db = bot.app.db
        db.statistics = Statistics(db.engine, minimum=3)
        await db.statistics.load(["core_inbox", "core_outbox"])
        await talk(bot, ["old 1", "old 2", "old 3"])
        assert db.statistics.due() == []  # what the bot adds is not counted: only what it prunes
        await bot.advance(timedelta(days=91))
        await db.statistics.wait()
        assert (await count(bot, InboxRow), await count(bot, OutboxRow)) == (0, 0)
        assert db.statistics.runs == 2
        async with db.engine.connect() as conn:
            analyzed = await conn.scalar(
                sql_text(
                    "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
                    "AND relname IN ('core_inbox', 'core_outbox')"
                )
            )
        assert analyzed == 2
