"""The problem desk ranked and paged by the database (issue 17, item 5): on a mixed desk
(unfiled problems, some raised by several people, urgent, overdue to acknowledge or to resolve,
reopened, repeated, this week's, every status), every page of `desk_slice` read in turn is
`rank`'s order of every item, as the desk ranked in Python, for each filter and scope, with the
same counts; both for a small desk (read whole) and for a city's (read in blocks). On SQLite
and PostgreSQL: the order is the database's there."""

from __future__ import annotations

import copy
import random
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import insert

from qunzhu.core._system_work import as_plugin
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import desk_slice as slices
from qunzhu.plugins.complaints import hooks
from qunzhu.plugins.complaints.desk_buttons import DeskFilter
from qunzhu.plugins.complaints.desk_items import (
    ASKED,
    Scope,
    gather,
    pick,
    rank,
    scope_of,
)
from qunzhu.plugins.complaints.models import Pending, Ticket
from tests.conftest import create_pg_database, drop_pg_database

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [{"name": "周镇长", "identities": ["memory:zhou"]}],
    "org": {
        "district": {"name": "区委", "chats": ["memory:区委群"]},
        "sanitation": {"name": "环卫所", "parent": "district", "chats": ["memory:环卫所"]},
        "town": {"name": "东湖镇", "parent": "district", "chats": ["memory:东湖镇群"],
                 "head": "周镇长"},
        "v01": {"name": "村01村委", "parent": "town", "chats": ["memory:村01群"]},
        "v02": {"name": "村02村委", "parent": "town", "chats": ["memory:村02群"]},
    },
    "plugins": {"complaints": {"categories": {"sanitation": {"name": "环境卫生"},
                                              "other": {"name": "其他"}}}},
}  # fmt: skip
UNITS = [None, "district", "sanitation", "town", "v01", "v02"]
CHATS = ["memory:区委群", "memory:环卫所", "memory:东湖镇群", "memory:村01群", "memory:村02群"]
STATUSES = ["new", "assigned", "acknowledged", "in_progress", "reopened", "not_responsible",
            "resolved", "closed"]  # fmt: skip


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


def _tickets(now: datetime) -> list[dict[str, Any]]:
    """A hand-picked few (ties and edges) and 150 drawn at random (seeded)."""
    rows: list[dict[str, Any]] = []

    def add(status: str, *, resolve: timedelta, ack: timedelta, created: timedelta,
            urgent: bool = False, metoo: int = 0, reopened: int = 0, unit: int = 4,
            chat: int = 3) -> None:  # fmt: skip
        n = len(rows) + 1
        rows.append({
            "number": f"Q-2026-{n:04d}", "year": 2026, "seq": n, "category": "sanitation",
            "description": f"第{n}件 村口垃圾没人清运", "source": "group",
            "source_chat": CHATS[chat], "source_title": f"群{chat}",
            "department": None if status == "new" else UNITS[unit], "status": status,
            "created_at": now - created, "updated_at": now - created,
            "acknowledge_due": now + ack, "resolve_due": now + resolve,
            "priority": "urgent" if urgent else "normal", "metoo": metoo, "reopened": reopened,
        })  # fmt: skip

    day, hour = timedelta(days=1), timedelta(hours=1)
    add("assigned", resolve=-2 * day, ack=-3 * day, created=9 * day)  # late to resolve
    add("acknowledged", resolve=-2 * day, ack=-3 * day, created=9 * day)  # the same: by id
    add("acknowledged", resolve=-day, ack=-2 * day, created=5 * day, urgent=True)
    add("new", resolve=-day, ack=-day, created=5 * day, urgent=True)  # new: never overdue
    add("reopened", resolve=5 * day, ack=-hour, created=20 * day, reopened=1)  # late to ack
    add("assigned", resolve=3 * day, ack=hour, created=2 * day, metoo=3)
    add("in_progress", resolve=3 * day, ack=-day, created=8 * day, reopened=2)  # reopened once
    add("not_responsible", resolve=-day, ack=-day, created=day, unit=2)
    add("closed", resolve=-day, ack=-day, created=day)
    add("new", resolve=day, ack=hour, created=hour, metoo=2, chat=4)
    add("assigned", resolve=2 * day, ack=-5 * hour, created=day, urgent=True, chat=1)
    add("assigned", resolve=-2 * day, ack=-3 * day, created=9 * day, metoo=1)  # ties, more
    rng = random.Random(17)
    for _ in range(150):
        add(rng.choice(STATUSES), resolve=rng.choice([-5, -2, -1, 1, 4]) * day,
            ack=rng.choice([-3, -1, 1]) * day, created=rng.choice([1, 2, 3, 7, 30]) * day,
            urgent=rng.random() < 0.15, metoo=rng.choice([0, 0, 1, 3]),
            reopened=rng.choice([0, 0, 0, 1]), unit=rng.randrange(len(UNITS)),
            chat=rng.randrange(len(CHATS)))  # fmt: skip
    return rows


def _offers(now: datetime) -> list[dict[str, Any]]:
    """Unfiled problems: three people raising one in 村01群 (one of them urgent), one raised
    twice by the same person, one being asked about, one too old, one filed."""

    def offer(n: int, chat: int, ago: timedelta, *, reporter: str, urgent: bool = False,
              ticket_id: int | None = None, category: str = "other") -> dict[str, Any]:  # fmt: skip
        report = {"description": f"第{n}号 路灯坏了", "category": category, "source": "group",
                  "source_chat": CHATS[chat], "source_title": f"群{chat}",
                  "reporter_key": reporter,
                  "priority": "urgent" if urgent else "normal"}  # fmt: skip
        return {"kind": "offer", "created_at": now - ago, "chat": CHATS[chat],
                "source": f"{CHATS[chat]} m{n}", "report": report,
                "ticket_id": ticket_id}  # fmt: skip

    hour, day = timedelta(hours=1), timedelta(days=1)
    return [
        offer(1, 3, 5 * hour, reporter="a"),
        offer(2, 3, 4 * hour, reporter="b", urgent=True),
        offer(3, 3, 3 * hour, reporter="c"),
        offer(4, 4, 2 * day, reporter="d"),
        offer(5, 4, 2 * day - hour, reporter="d"),
        offer(6, 2, 3 * day, reporter="e", ticket_id=ASKED),
        offer(7, 1, 40 * day, reporter="f"),
        offer(8, 0, hour, reporter="g", ticket_id=3),
        offer(9, 0, 10 * day, reporter="h", category="sanitation"),
    ]


FILTERS = [(DeskFilter.ALL, ""), (DeskFilter.OVERDUE, ""), (DeskFilter.UNTAKEN, ""),
           (DeskFilter.WEEK, ""), (DeskFilter.UNIT, "town"),
           (DeskFilter.UNIT, "sanitation")]  # fmt: skip


async def _every_page(
    ctx: Any, scope: Scope, which: DeskFilter, unit: str, week: datetime, *, per_page: int
) -> list[slices.DeskSlice]:
    """Every page of the desk, read in turn as a person pages it."""
    first = await slices.desk_slice(ctx, scope, which, unit, week, page=1, per_page=per_page)
    read = [first]
    for page in range(2, first.pages + 1):
        read.append(
            await slices.desk_slice(ctx, scope, which, unit, week, page=page, per_page=per_page)
        )
    return read


@pytest.mark.parametrize("few", [2000, 0], ids=["read-whole", "in-blocks"])
async def test_every_page_in_turn_is_the_python_ranking(
    any_bot: BotHarness, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slices, "_FEW", few)
    bot = any_bot
    now = bot.app.clock.now()
    async with bot.app.db.session() as s:
        await s.execute(insert(Ticket), _tickets(now))
        await s.execute(insert(Pending), _offers(now))
        await s.commit()
    zhou = await bot.app.people.find("memory:zhou")
    assert zhou is not None
    week = now - timedelta(days=4)
    scopes = {"everything": scope_of_all(bot), "town": scope_of(zhou, bot.app.org)}
    assert not scopes["town"].everything and "memory:村01群" in scopes["town"].chats
    checked = 0
    for name, scope in scopes.items():
        for which, unit in FILTERS:

            async def work(ctx: Any, scope: Scope = scope, which: DeskFilter = which,
                           unit: str = unit) -> tuple[list[Any], list[Any]]:  # fmt: skip
                every = pick(rank(await gather(ctx, scope)), which, unit, ctx.org, week)
                return every, [await _every_page(ctx, scope, which, unit, week, per_page=n)
                               for n in (3, 7)]  # fmt: skip

            every, by_size = await as_plugin(bot.app, "complaints", work)
            expected = [(i.kind, i.id, i.count) for i in every]
            for read in by_size:
                got = [(i.kind, i.id, i.count) for p in read for i in p.items]
                assert got == expected, (name, which, unit, len(read))
                first = read[0]
                assert (first.total, first.late, first.untaken, first.week) == (
                    len(every),
                    sum(1 for i in every if i.late_since is not None),
                    sum(1 for i in every if i.untaken),
                    sum(1 for i in every if i.created >= week),
                ), (name, which, unit)
            checked += len(every)
    assert checked > 300  # the mixed set is on the desk, not an empty one compared twice

    # the three raising one problem in 村01群 are one item, urgent, of three people
    async def everything(ctx: Any) -> list[Any]:
        return (await slices.desk_slice(ctx, scopes["everything"], DeskFilter.ALL, "", week,
                                        page=1, per_page=1000)).items  # fmt: skip

    offers = [i for i in await as_plugin(bot.app, "complaints", everything) if i.kind == "o"]
    assert [(i.count, i.urgent, len(i.members)) for i in offers] == [
        (3, True, 3), (1, False, 1), (1, False, 1), (1, False, 2)]  # fmt: skip


def scope_of_all(bot: BotHarness) -> Scope:
    return Scope(frozenset(u.key for u in bot.app.org.units), frozenset(), everything=True)
