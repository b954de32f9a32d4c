"""The check-ins' panel on the web console's overview (issue 17): this Friday's participation
and the earlier rounds', counted as the summary counts them; for supervisors only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import pytest_asyncio

from qunzhu.core.testing import BotHarness
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import GROUP, IDS, advance_to, at, config


@pytest_asyncio.fixture
async def bot_config(backend: str) -> AsyncIterator[dict[str, Any]]:
    """On SQLite and on PostgreSQL (the window function, json_array_length)."""
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        setup["database"] = {"url": url}
    yield setup
    if url:
        await drop_pg_database(url)


async def test_the_overview_shows_each_rounds_participation(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))  # Friday 9 January
    for uid in IDS[:6]:
        await bot.send("#周报 完成巡查", user=uid, chat=GROUP)
    await advance_to(bot, at(16, 9))  # the next Friday
    for uid in IDS[:9]:
        await bot.send("#周报 完成整改", user=uid, chat=GROUP)
    wang = await bot.open_console("wang")  # a supervisor
    assert "工作汇报参与率 汇报事项 最近一期 前几期 水源保护周报 01-16: 75% (9/12) 01-09: 50%" in (
        wang.text()
    )
    zhao = await bot.open_console("zhao")  # an owner without the role: not this panel
    assert "工作汇报参与率" not in zhao.text()


async def test_with_many_campaigns_the_panel_shows_the_ten_lowest(bot: BotHarness) -> None:
    """A city's 5,000 groups would make the panel a list no one reads (and a slow one): it shows
    the ten campaigns whose latest round had the fewest reports, and links to all."""
    from datetime import date, datetime

    from qunzhu.plugins.checkins.models import Report, Round

    opened = datetime(2026, 1, 9, 1, tzinfo=UTC)
    async with bot.app.db.session() as s:
        for g in range(12):  # 第00组 has no report of 12, 第11组 11
            roster = [{"id": 1000 + g * 20 + p, "name": f"镇长{p}"} for p in range(12)]
            rnd = Round(campaign=f"第{g:02d}组", chat=f"memory:g{g}", day=date(2026, 1, 9),
                        opens_at=opened, closes_at=opened, roster=roster)  # fmt: skip
            s.add(rnd)
            await s.flush()
            for p in range(g):
                s.add(Report(round_id=rnd.id, person_id=1000 + g * 20 + p, name=f"镇长{p}",
                             source="tag", created_at=opened, updated_at=opened))  # fmt: skip
        await s.commit()
    wang = await bot.open_console("wang")
    text = wang.text()
    assert "第00组 01-09: 0% (0/12)" in text and "第09组 01-09: 75% (9/12)" in text
    assert "第10组" not in text and "第11组" not in text
    assert "共 12 项汇报，这里列出参与率最低的 10 项。 全部工作汇报" in text
