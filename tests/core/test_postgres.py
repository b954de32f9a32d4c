"""The core's storage on PostgreSQL: migrations, people, roles and dialogs across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from qunzhu.core.errors import StorageError
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._database import Database
from qunzhu.core.storage._migrate import check_current, upgrade
from qunzhu.core.testing import BotHarness

pytestmark = pytest.mark.postgres


async def test_migrations_on_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    ps = PluginSet.collect(load_plugins(entry_points_enabled=False))
    with pytest.raises(StorageError, match="qunzhu db upgrade"):
        await check_current(db, ps)
    await upgrade(db, ps)
    await check_current(db, ps)
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"core_person", "core_identity", "core_role", "core_dialog"} <= tables
    await db.dispose()


async def test_people_roles_and_help_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    config = {
        "database": {"url": pg_url, "auto_upgrade": True},
        "bot": {"language": "en", "admins": ["memory:boss"]},
    }
    bot = await BotHarness.create(workdir=tmp_path, config=config)
    try:
        await bot.send("hi", user="li")
        [reply] = await bot.send("/role add li seller", user="boss")
        assert reply.text == "li now has the role seller."
        await bot.restart()
        li = await bot.app.people.find("memory:li")
        assert li is not None and li.has_role("seller")
    finally:
        await bot.close()


async def test_two_workers_write_an_adapters_first_cursor_at_once(pg_url: str) -> None:
    """Regression: the second worker's first cursor failed on ``pk_core_cursor`` (the cursor was
    read, found missing, then inserted) and its poller died. Here another transaction holds the
    same new cursor row, uncommitted, while the inbox writes it: the inbox waits, then updates."""
    import asyncio

    from sqlalchemy import text

    from qunzhu.core.clock import FakeClock
    from qunzhu.core.delivery._inbox import Inbox

    db = Database(pg_url)
    await upgrade(db, PluginSet.collect(load_plugins(entry_points_enabled=False)))
    inbox = Inbox(db, FakeClock(), lambda recorded: None)
    async with db.engine.connect() as other:
        await other.execute(
            text(
                "INSERT INTO core_cursor (adapter, value, updated_at) "
                "VALUES ('telegram', '4', now())"
            )
        )
        writing = asyncio.create_task(inbox.intake("telegram").submit((), cursor="5"))
        await asyncio.sleep(0.3)
        assert not writing.done()  # waits for the other worker's row
        await other.commit()
        await asyncio.wait_for(writing, 10)
    assert await inbox.cursor("telegram") == "5"
    await db.dispose()


async def test_deliveries_recorded_in_one_statement_leave_the_connection_as_it_was(
    pg_url: str,
) -> None:
    """The sender marks deliveries in one statement committed on its own: the rows are marked,
    durably (``synchronous_commit`` as the server has it), and the pooled connection is back in
    the pool."""
    from datetime import UTC, datetime

    from sqlalchemy import select, text

    from qunzhu.core.delivery._outbox import send_row
    from qunzhu.core.delivery._outcomes import Outcome, record
    from qunzhu.core.model._events import ChatKind, ChatRef
    from qunzhu.core.model._reply import Reply
    from qunzhu.core.storage._tables import OutboxRow

    db = Database(pg_url)
    await upgrade(db, PluginSet.collect(load_plugins(entry_points_enabled=False)))
    try:
        now = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
        chat = ChatRef("telegram", "-100", ChatKind.GROUP)
        rows = [send_row(chat, Reply(f"第{i}条")) for i in range(3)]
        async with db.session() as s:
            for out in rows:
                out.queue(s, now)
            await s.commit()
        await record(db, "telegram", now, [Outcome(o, "sent", message_id=f"m{i}")
                                           for i, o in enumerate(rows[:2])])  # fmt: skip
        async with db.session() as s:
            found = {r.id: r for r in await s.scalars(select(OutboxRow))}
        assert [(found[o.id].status, found[o.id].message_id) for o in rows] == [
            ("sent", "m0"), ("sent", "m1"), ("pending", None)
        ]  # fmt: skip
        assert found[rows[0].id].sent_at == now
        assert db.engine.pool.checkedin() == 1  # the one connection that recorded them
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await db.dispose()


async def test_the_inbox_writes_any_number_of_events_with_one_statement_text(pg_url: str) -> None:
    """A multi-row VALUES was a new statement for every number of events (and every batch size
    of handled marks): each prepared again by asyncpg, a round trip, crowding out its cache."""
    from sqlalchemy import event, func, select

    from qunzhu.core.clock import FakeClock
    from qunzhu.core.delivery._inbox import Inbox, handled
    from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
    from qunzhu.core.storage._tables import InboxRow

    db = Database(pg_url)
    await upgrade(db, PluginSet.collect(load_plugins(entry_points_enabled=False)))
    texts: set[str] = set()
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: texts.add(statement))  # fmt: skip
    try:
        recorded: list[int] = []
        inbox = Inbox(db, FakeClock(), lambda rs: recorded.extend(r.inbox_id for r in rs))
        chat = ChatRef("telegram", "-100", ChatKind.GROUP)
        ana = UserRef("telegram", "1", "安娜")
        for first, count in ((0, 1), (1, 2), (3, 3), (4, 4)):  # the last repeats 4 and 5
            events = [Message(f"e{i}", chat, ana, f"第{i}条") for i in range(first, first + count)]
            await inbox.submit(events)
        assert inbox.recorded == 8 and inbox.duplicates == 2
        async with db.session() as s, s.begin():
            for size in (1, 2, 4):
                await s.execute(handled(db, recorded[:size], FakeClock().now()))
        async with db.session() as s:
            left = await s.scalar(
                select(func.count()).select_from(InboxRow).where(InboxRow.handled_at.is_(None))
            )
        assert left == 4
        assert len([t for t in texts if t.startswith("INSERT INTO core_inbox")]) == 1, texts
        assert len([t for t in texts if t.startswith("UPDATE core_inbox")]) == 1, texts
    finally:
        await db.dispose()


async def test_two_workers_meeting_the_same_new_people_at_once(pg_url: str) -> None:
    """Regression: with two shared workers, a batch whose new senders included one the other
    worker was creating at that moment failed whole (``uq_core_identity_platform_user_id``): the
    fallback read every new sender back and gave up on the first it did not find, one that only
    its own rolled-back insert had made. Here the other worker's insert of u2 is uncommitted
    while this worker creates u0…u4: it waits, then keeps their u2 and creates the others."""
    import asyncio

    from sqlalchemy import func, select, text

    from qunzhu.core._people_directory import People
    from qunzhu.core.clock import FakeClock
    from qunzhu.core.model._events import UserRef
    from qunzhu.core.storage._tables import IdentityRow

    db = Database(pg_url)
    await db.create_all()
    people = People(db, FakeClock())
    users = [UserRef("memory", f"u{i}", f"居民{i}") for i in range(5)]
    async with db.engine.connect() as other:
        theirs = await other.scalar(
            text(
                "INSERT INTO core_person (display_name, real_name, created_at) "
                "VALUES ('居民2', '', now()) RETURNING id"
            )
        )
        await other.execute(
            text(
                "INSERT INTO core_identity (person_id, platform, user_id, display_name) "
                "VALUES (:p, 'memory', 'u2', '居民2')"
            ),
            {"p": theirs},
        )
        creating = asyncio.create_task(people.resolve_many(users))
        await asyncio.sleep(0.3)
        assert not creating.done()  # waits for the other worker's u2
        await other.commit()
        await asyncio.wait_for(creating, 10)
    found = [await people.resolve(u) for u in users]
    assert found[2].id == theirs
    assert len({p.id for p in found}) == 5
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(IdentityRow)) == 5
    await db.dispose()


async def test_senders_the_cache_forgot_are_read_with_their_accounts_and_roles(pg_url: str) -> None:
    """A batch's senders that the cache does not hold are read in one statement per platform
    (arrays, one text for any count): each comes back whole, with every account and role, and
    one statement text served batches of 1, 3 and 2 senders."""
    from sqlalchemy import event

    from qunzhu.core._people_directory import People
    from qunzhu.core.clock import FakeClock
    from qunzhu.core.model._events import UserRef
    from qunzhu.core.people import PersonSpec, Role

    db = Database(pg_url)
    await db.create_all()
    await People(db, FakeClock()).apply_config([
        PersonSpec(("telegram:1", "matrix:@wang:example.org"), "王书记",
                   ("supervisor", "member:housing")),
        PersonSpec(("telegram:2",), "李主任"),
    ])  # fmt: skip
    texts: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *args: texts.append(statement))  # fmt: skip
    people = People(db, FakeClock())  # another worker: knows nobody yet
    wang, li = UserRef("telegram", "1", "王"), UserRef("telegram", "2", "李")
    await people.resolve_many([wang])
    await people.resolve_many([wang, li, UserRef("telegram", "3", "新人")])
    await People(db, FakeClock()).resolve_many([li, wang])
    found = await people.resolve(wang)
    assert found.real_name == "王书记"
    assert set(found.identities) == {"telegram:1", "matrix:@wang:example.org"}
    assert found.roles == frozenset({Role("supervisor"), Role("member", "housing")})
    assert (await people.resolve(li)).roles == frozenset()
    reads = {t for t in texts if "ANY(CAST(" in t}
    assert len(reads) == 1, reads
    await db.dispose()
