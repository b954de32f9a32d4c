"""Jobs are durable rows: a restart in the middle of a window, or across its opening or its close,
still opens and closes each check-in exactly once. One story runs on SQLite and PostgreSQL, and
the plugin's migration creates exactly the tables its models declare."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from qunzhu.core import App
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.testing import BotHarness
from qunzhu.plugins import checkins
from qunzhu.plugins.checkins.models import Report, Round
from tests.conftest import create_pg_database, drop_pg_database

from .conftest import GROUP, IDS, advance_to, at, config


def _summaries(bot: BotHarness) -> list[str]:
    return [s.text for s in bot.sent_to(GROUP) if s.text.startswith("📊")]


def _prompts(bot: BotHarness) -> list[str]:
    return [s.text for s in bot.sent_to(GROUP) if s.text.startswith("📋")]


async def test_a_restart_in_the_middle_of_the_window_keeps_the_close(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    await bot.send("#周报 上午完成巡查", user=IDS[0], chat=GROUP)
    await advance_to(bot, at(9, 12))
    await bot.restart(downtime=timedelta(hours=1))
    assert len(_prompts(bot)) == 1  # not opened again
    await bot.send("#周报 下午完成整改", user=IDS[1], chat=GROUP)
    sent = await advance_to(bot, at(9, 18))
    assert [s.text.startswith("⏰") for s in sent] == [True, False]  # the reminder, the summary
    assert "参与率：17%（应报 12 人，已报 2 人）" in _summaries(bot)[0]
    await bot.restart()
    await advance_to(bot, at(10, 12))
    assert len(_summaries(bot)) == 1  # closed once


async def test_down_across_the_close_the_summary_comes_once_late(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    await bot.send("#周报 完成", user=IDS[0], chat=GROUP)
    await advance_to(bot, at(9, 15))
    await bot.restart(downtime=timedelta(hours=5))  # back at 20:00
    await bot.advance(timedelta(minutes=1))
    assert len(_summaries(bot)) == 1
    async with bot.app.db.session() as s:
        [rnd] = (await s.scalars(select(Round))).all()
    assert rnd.state == "closed"


async def test_down_at_the_opening_it_opens_late_once(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 8))
    await bot.restart(downtime=timedelta(hours=2))  # back at 10:00
    await bot.advance(timedelta(minutes=1))
    assert len(_prompts(bot)) == 1
    await bot.restart()
    await bot.advance(timedelta(minutes=1))
    assert len(_prompts(bot)) == 1


@pytest_asyncio.fixture
async def on_backend(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    settings: dict[str, Any] = config()
    url = await create_pg_database() if backend == "postgres" else None
    if url:
        settings["database"] = {"url": url}
    from qunzhu.core import FakeClock

    from .conftest import SHANGHAI

    clock = FakeClock(at(5, 9).astimezone(SHANGHAI))
    bot = await BotHarness.create(
        workdir=tmp_path, config=settings, plugins=[("checkins", checkins)], clock=clock
    )
    try:
        yield bot
    finally:
        await bot.close()
        if url:
            await drop_pg_database(url)


async def test_a_friday_on_each_backend(on_backend: BotHarness) -> None:
    bot = on_backend
    [prompt] = await advance_to(bot, at(9, 9))
    await bot.send("本周完成巡查", user=IDS[0], chat=GROUP, reply_to=prompt.message_id)
    [receipt] = await bot.send("#周报 完成整改", user=IDS[1], chat=GROUP)
    await bot.press(receipt, "已阅", user="wang")
    await advance_to(bot, at(9, 12))
    await bot.restart()
    *_, summary = await advance_to(bot, at(9, 18))
    lines = summary.text.splitlines()
    assert lines[1] == "参与率：17%（应报 12 人，已报 2 人）"
    assert "2. 厦门市长：完成整改 👍" in lines
    async with bot.app.db.session() as s:
        reports = (await s.scalars(select(Report).order_by(Report.id))).all()
    assert [r.source for r in reports] == ["reply", "tag"]


async def test_the_migration_creates_the_declared_tables(tmp_path: Path) -> None:
    from qunzhu.core.storage import _migrate as migrate

    path = tmp_path / "qunzhu.yaml"
    path.write_text(f"database: {{url: 'sqlite+aiosqlite:///{tmp_path / 'm.db'}'}}\n")
    plugins = PluginSet.collect(load_plugins([("checkins", checkins)], entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models(), adapter_models={})
    app = App.build(settings, plugins, adapters={})
    try:
        await migrate.upgrade(app.db, plugins)  # raises when a table or column differs
        assert await migrate.pending_differences(app.db, plugins) == []
    finally:
        await app.db.dispose()
