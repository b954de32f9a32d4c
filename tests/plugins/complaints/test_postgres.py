"""On SQLite and PostgreSQL: a whole story end to end, and ticket numbers that stay unique and
without gaps when several workers file at the same moment (PostgreSQL)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from qunzhu.core.storage._database import Database
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import hooks
from qunzhu.plugins.complaints.models import Counter, Ticket
from qunzhu.plugins.complaints.numbers import next_seq
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import CONFIG, jump, only

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


@pytest_asyncio.fixture
async def any_bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = copy.deepcopy(CONFIG)
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        config["database"] = {"url": url}
    bot = await BotHarness.create(workdir=tmp_path, config=config, plugins=[("complaints", hooks)])
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def test_story_from_group_message_to_confirmed(any_bot: BotHarness) -> None:
    bot = any_bot
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    await bot.press(card, "已解决", user="lina")
    await bot.send("已整改", user="lina", chat="住建局")
    sent = await bot.send("", user="lina", chat="住建局", photos=["fixed"])
    question = only(sent, "北部新城工程")
    await bot.press(question, "已解决", user="jian")
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.number, ticket.status, ticket.feedback) == ("Q-2026-0001", "confirmed", "solved")


async def test_returned_routed_escalated_urged_and_merged(any_bot: BotHarness) -> None:
    bot = any_bot
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    [menu] = await bot.press(card, "更多…", user="lina")
    await bot.press(menu, "非本部门职责", user="lina")
    sent = await bot.send("应由监理单位整改", user="lina", chat="住建局")
    supervision = only(sent, "督查组")
    [which] = await bot.press(supervision, "派单", user="wang")
    await bot.press(which, "住建局", user="wang")
    await bot.send("施工质量属住建局监管", user="wang", chat="督查组")
    await jump(bot, timedelta(days=8, hours=9))  # two working days past its deadline
    [upper] = bot.sent_to("管委会")
    sent = await bot.press(upper, "催办", user="zhang")
    assert only(sent, "住建局").text.startswith("⏰ 催办：区政府（张科长）")
    [offer] = await bot.send("三标段混凝土养护不到位", user="cun", chat="村民群", photos=["p2"])
    await bot.press(offer, "登记为问题", user="cun")
    [second] = bot.sent_to("住建局")[-1:]
    [menu] = await bot.press(second, "更多…", user="wang")
    await bot.press(menu, "重复件", user="wang")
    await bot.send("Q-2026-0001", user="wang", chat="住建局")
    sent = await bot.send("同一处", user="wang", chat="住建局")
    assert only(sent, "住建局").text == "Q-2026-0002 已并入 Q-2026-0001：该问题共有 2 人反映。"
    async with bot.app.db.session() as s:
        first, dup = (await s.scalars(select(Ticket).order_by(Ticket.id))).all()
    assert (first.department, first.returned_by, first.metoo) == ("housing", None, 1)
    assert [c["chat"] for c in first.escalation_cards] == ["memory:管委会"]
    assert (dup.status, dup.duplicate_of, dup.reason) == ("duplicate", first.id, "同一处")


@pytest.mark.postgres
async def test_numbers_under_concurrent_workers_are_unique_and_gap_free() -> None:
    url = await create_pg_database()
    db = Database(url)
    try:
        await db.create_all()
        first_started = asyncio.Event()
        release = asyncio.Event()

        async def worker_a(rollback: bool) -> int:
            async with db.session() as s, s.begin():
                seq = await next_seq(s, 2026)
                first_started.set()
                await release.wait()
                if rollback:
                    await s.rollback()
                return seq

        async def worker_b() -> int:
            await first_started.wait()
            async with db.session() as s, s.begin():
                return await next_seq(s, 2026)  # waits for worker A's row lock

        # A takes 1 and commits: B gets 2
        a = asyncio.create_task(worker_a(rollback=False))
        b = asyncio.create_task(worker_b())
        await asyncio.sleep(0.3)
        assert not b.done()  # blocked on the counter row
        release.set()
        assert (await a, await b) == (1, 2)
        # A takes 3 and rolls back: B gets 3, no gap
        first_started.clear()
        release.clear()
        a = asyncio.create_task(worker_a(rollback=True))
        b = asyncio.create_task(worker_b())
        await asyncio.sleep(0.3)
        release.set()
        assert (await a, await b) == (3, 3)

        # many at once: each number once
        async def one() -> int:
            async with db.session() as s, s.begin():
                return await next_seq(s, 2027)

        got = await asyncio.gather(*(one() for _ in range(20)))
        assert sorted(got) == list(range(1, 21))
        async with db.session() as s:
            assert await s.scalar(select(Counter.last).where(Counter.year == 2027)) == 20
    finally:
        await db.dispose()
        await drop_pg_database(url)
