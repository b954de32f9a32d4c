"""Two workers claiming from one PostgreSQL inbox (``dispatcher.shared``), taken step by step:
each claims a batch while the other holds its own, so every round both make progress, no chat is
in both batches, every event is handled once and each chat in order. And a claim reads about a
batch's worth of the inbox, not all of it.

Regression (issue 19): two shared workers drained 20,000 queued events at 41 msgs/s against 457
for one. The claim found each chat's oldest event with ``id IN (SELECT min(id) … GROUP BY
chat)``: a pass over every unhandled event per batch, and with the plan PostgreSQL had kept from
when the inbox was empty (workers start before the burst; prepared statements keep their plan)
that aggregate ran again for every candidate row, for minutes, while the row locks it had taken
kept the other worker off those chats."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.delivery._claims import claim
from qunzhu.core.delivery._serialize import event_kind, event_to_json
from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._tables import InboxRow

pytestmark = pytest.mark.postgres

QUEUED, CHATS, BATCH = 2000, 100, 20

#: Live inbox rows this transaction has read so far, by sequential scans and through indexes
#: (its own counters, not yet reported to the statistics). Index entries of rows handled a
#: moment ago are left out: until no transaction can see those rows any more, every scan steps
#: over them, a cost of the recent past, whatever the claim.
_READ = text(
    "SELECT sum(pg_stat_get_xact_tuples_fetched(c.oid)) + pg_stat_get_xact_tuples_returned("
    "'core_inbox'::regclass) FROM pg_class c WHERE c.oid = 'core_inbox'::regclass"
    " OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'core_inbox'::regclass)"
)


async def queue(db: Database, n: int, chats: int) -> None:
    """`n` events recorded at once over `chats` chats, in turn, as adapters would."""
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        chat = ChatRef("memory", f"g{i % chats}", ChatKind.GROUP)
        event = Message(f"m{i}", chat, UserRef("memory", f"u{i % 37}", "居民"), f"第{i}条")
        rows.append({"platform": "memory", "chat_id": chat.chat_id, "event_id": event.event_id,
                     "kind": event_kind(event), "payload": event_to_json(event),
                     "received_at": now})  # fmt: skip
    async with db.session() as s, s.begin():
        await s.execute(insert(InboxRow), rows)


async def claim_counted(session: AsyncSession) -> tuple[list[tuple[str, int]], int]:
    """A claim: (chat, inbox id) of each event, and how much of the inbox it read."""
    before = int(await session.scalar(_READ) or 0)
    got = await claim(session, BATCH)
    read = int(await session.scalar(_READ) or 0) - before
    return [(item.event.chat.chat_id, item.inbox_id) for item in got], read


async def mark_handled(session: AsyncSession, got: list[tuple[str, int]]) -> None:
    if got:
        ids = [inbox_id for _, inbox_id in got]
        values = {"handled_at": datetime.now(UTC)}
        await session.execute(update(InboxRow).where(InboxRow.id.in_(ids)).values(values))
    await session.commit()


async def test_two_workers_drain_a_burst_both_in_every_round(pg_url: str) -> None:
    a, b = Database(pg_url), Database(pg_url)
    try:
        await a.create_all()
        # both workers were up before the burst: their claims were prepared on an empty inbox
        for db in (a, b):
            for _ in range(8):
                async with db.session() as s:
                    assert await claim(s, BATCH) == []
        await queue(a, QUEUED, CHATS)
        handled: dict[str, list[int]] = defaultdict(list)
        rounds, most_read = 0, 0
        while rounds <= QUEUED // BATCH:
            async with a.session() as sa, b.session() as sb:
                got_a, read_a = await claim_counted(sa)  # a holds its batch while b claims
                got_b, read_b = await claim_counted(sb)
                if not got_a and not got_b:
                    break
                rounds += 1
                assert got_a and got_b, f"round {rounds}: one worker got nothing"
                assert not {c for c, _ in got_a} & {c for c, _ in got_b}, "a chat in both"
                most_read = max(most_read, read_a, read_b)
                for chat, inbox_id in got_a + got_b:
                    handled[chat].append(inbox_id)
                await mark_handled(sa, got_a)
                await mark_handled(sb, got_b)
        every = [i for ids in handled.values() for i in ids]
        assert len(every) == len(set(every)) == QUEUED, "each event handled once"
        assert all(ids == sorted(ids) for ids in handled.values()), "each chat in order"
        # each round, a batch for each worker (a chat's events come BATCH chats apart)
        assert rounds <= QUEUED // (2 * BATCH) + 1
        # a claim reads a few batches' worth of the inbox (at most 80 rows here), not all of it
        # (the aggregate read every unhandled event, and 57,779 rows with the plan made on an
        # empty inbox)
        assert most_read <= 10 * BATCH, f"a claim read {most_read} inbox rows for {BATCH} events"
    finally:
        await a.dispose()
        await b.dispose()


async def test_a_batch_redone_event_by_event_waits_for_the_worker_holding_its_chat(
    pg_url: str,
) -> None:
    """A failed batch is redone one event per transaction (`lock_unhandled`): meanwhile another
    worker may have claimed the chat. The redo waits for that worker's batch, then finds the
    event handled and leaves it."""
    import asyncio

    from qunzhu.core.delivery._claims import lock_unhandled

    a, b = Database(pg_url), Database(pg_url)
    try:
        await a.create_all()
        await queue(a, 3, 1)
        async with a.session() as sa:
            held = await claim(sa, BATCH)
            assert [item.event.event_id for item in held] == ["m0", "m1", "m2"]
            async with b.session() as sb:
                redo = asyncio.create_task(lock_unhandled(sb, held[0]))
                await asyncio.sleep(0.3)
                assert not redo.done()  # a holds the chat
                await mark_handled(sa, [("g0", item.inbox_id) for item in held[:1]])
                assert await asyncio.wait_for(redo, 10) is False
                assert await lock_unhandled(sb, held[1]) is True
    finally:
        await a.dispose()
        await b.dispose()
