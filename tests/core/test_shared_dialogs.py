"""Dialogs with several workers on one PostgreSQL (``dispatcher.shared``): which senders have an
open dialog is read once per claimed batch (issue 19: a query per event made shared mode several
times slower than single mode), and still every answer reaches its dialog: one given in the same
batch as the command that opened it, one handled by the other worker, and a plain message of
someone without a dialog goes to the plugins."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from qunzhu.core import (
    ChatKind,
    ChatRef,
    Context,
    Dialog,
    Message,
    Step,
    UserRef,
    command,
    hookimpl,
)
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.testing.memory import MemoryAdapter
from tests.conftest import create_pg_database, drop_pg_database

pytestmark = pytest.mark.postgres


class AskPlugin:
    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("ask")
        async def ask(ctx: Context) -> None:
            await ctx.start_dialog("name")

        return [ask]

    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        async def done(ctx: Context, answers: dict[str, Any]) -> None:
            await ctx.reply(f"谢谢，{answers['name']}")

        return [Dialog("name", (Step("name", "您叫什么名字？"),), on_done=done)]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        await ctx.reply(f"收到：{ctx.message.text}")


async def start_worker(workdir: Path, url: str) -> App:
    workdir.mkdir()
    path = workdir / "qunzhu.yaml"
    raw = {"database": {"url": url}, "logging": {"level": "WARNING"},
           "dispatcher": {"shared": True, "poll_interval": 0.02, "batch_size": 50}}  # fmt: skip
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    plugins = PluginSet.collect(load_plugins([("ask", AskPlugin())], entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models(), adapter_models={})
    clock = SystemClock()
    app = App.build(settings, plugins, clock=clock, adapters={"memory": MemoryAdapter(clock=clock)})
    await app.start(create_tables=True)
    return app


def texts(workers: list[App], chat: str) -> list[str]:
    out = []
    for worker in workers:
        adapter = worker.adapters["memory"]
        assert isinstance(adapter, MemoryAdapter)
        out += [s.reply.text for s in adapter.sent if s.chat.chat_id == chat]
    return out


async def until(workers: list[App], count: int) -> None:
    for _ in range(300):
        if sum(len(texts(workers, c)) for c in ("ana", "bo", "cy")) >= count:
            return
        await asyncio.sleep(0.02)


async def test_answers_reach_their_dialogs_when_workers_read_dialogs_per_batch(
    tmp_path: Path,
) -> None:
    url = await create_pg_database()
    workers: list[App] = []
    try:
        workers.append(await start_worker(tmp_path / "a", url))
        workers.append(await start_worker(tmp_path / "b", url))
        a, b = workers

        def say(user: str, text: str, ref: str) -> Message:
            who = UserRef("memory", user, user)
            return Message(ref, ChatRef("memory", user, ChatKind.DIRECT), who, text)

        # the command and its answer recorded at once: handled in one batch
        await a.inbox.submit([say("ana", "/ask", "1"), say("ana", "安娜", "2")])
        # a command on one worker, its answer through the other
        await a.receive(say("bo", "/ask", "3"))
        await until(workers, 3)
        await b.receive(say("bo", "博文", "4"))
        # someone without a dialog
        await b.receive(say("cy", "你好", "5"))
        await until(workers, 6)
        assert texts(workers, "ana") == ["您叫什么名字？", "谢谢，安娜"]
        assert texts(workers, "bo") == ["您叫什么名字？", "谢谢，博文"]
        assert texts(workers, "cy") == ["收到：你好"]
    finally:
        for worker in workers:
            await worker.stop()
        await drop_pg_database(url)
