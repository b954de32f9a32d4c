"""The sender of a shared deployment (several workers on one PostgreSQL) and what other workers
learn: the bot removed from a group and added back is handled by whichever worker claims the
chat, and only that worker's sender is told; the worker that sends must not go on believing the
bot is still out (issue 19: nothing lost after a join)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from qunzhu.core import App, Context, SystemClock, hookimpl
from qunzhu.core.config import load_config
from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._tables import ChatRow
from qunzhu.core.testing.memory import MemoryAdapter
from tests.conftest import create_pg_database, drop_pg_database

pytestmark = pytest.mark.postgres
ANA = UserRef("memory", "ana", "Ana")
GROUP = ChatRef("memory", "village-3", ChatKind.GROUP, "Village 3")


class Echo:
    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        await ctx.reply(f"ok {ctx.message.text}")


async def start_worker(workdir: Path, url: str) -> App:
    workdir.mkdir()
    path = workdir / "qunzhu.yaml"
    config = {
        "database": {"url": url},
        "dispatcher": {"shared": True, "poll_interval": 0.02},
        "logging": {"level": "WARNING"},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    plugins = PluginSet.collect(load_plugins([("echo", Echo())], entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models(), adapter_models={})
    clock = SystemClock()
    app = App.build(settings, plugins, clock=clock, adapters={"memory": MemoryAdapter(clock=clock)})
    await app.start(create_tables=True)
    return app


async def _set_active(app: App, *, active: bool) -> None:
    """What handling the bot's own member change does in the worker that claimed it."""
    async with app.db.session() as s, s.begin():
        row = ChatRow(platform="memory", chat_id=GROUP.chat_id, kind="group", active=active)
        row.changed_at = datetime.now(UTC)
        await s.merge(row)
    app.senders["memory"].set_active(GROUP.chat_id, active=active)


async def test_the_bot_added_back_by_another_worker_is_answered_there(tmp_path: Path) -> None:
    url = await create_pg_database()
    workers: list[App] = []
    try:
        workers.append(await start_worker(tmp_path / "a", url))
        workers.append(await start_worker(tmp_path / "b", url))
        a, b = workers
        for _ in range(200):
            if a.senders["memory"].leader:
                break
            await asyncio.sleep(0.02)
        assert a.senders["memory"].leader, "the first worker sends"
        await _set_active(a, active=False)  # the removal, handled where the sender runs
        await _set_active(b, active=True)  # added back, handled by the other worker
        await b.receive(Message("1", GROUP, ANA, "你好"))
        sent = a.adapters["memory"]
        assert isinstance(sent, MemoryAdapter)
        for _ in range(250):
            if sent.sent:
                break
            await asyncio.sleep(0.02)
        assert [(s.chat.chat_id, s.reply.text) for s in sent.sent] == [("village-3", "ok 你好")]
    finally:
        for worker in workers:
            await worker.stop()
        await drop_pg_database(url)
