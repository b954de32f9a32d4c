"""A bot for the crash tests, run as a subprocess: ``python -m tests.crash.crash_bot CONFIG.yaml``
from the repository root.

Its one plugin records every message as a row and replies to it, so the test can count rows and
replies after killing the process in the middle. Its one adapter is the test helper
``loopback`` (`tests.support.loopback`), which is not installed: the config's ``adapters:``
section is validated against it, and the adapter is handed to ``App.build``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, Context, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.model._events import JobTick
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.scheduling._jobs import Job, job
from tests.support.loopback import LoopbackAdapter, LoopbackConfig


class CrashRow(Base):
    __tablename__ = "crash_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))
    chat: Mapped[str] = mapped_column(String(100), default="")
    worker: Mapped[int] = mapped_column(default=0)


class CrashTick(Base):
    __tablename__ = "crash_tick"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[str] = mapped_column(String(64))
    worker: Mapped[int] = mapped_column(default=0)


class CrashPlugin:
    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [CrashRow, CrashTick]

    @hookimpl
    def register_jobs(self) -> Sequence[Job]:
        @job("tick", every=1.0, misfire="skip", grace=0.5)
        async def tick(ctx: Context) -> None:
            assert isinstance(ctx.event, JobTick)
            ctx.db.add(CrashTick(slot=ctx.event.scheduled_for.isoformat(), worker=os.getpid()))

        return [tick]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        if busy := float(os.environ.get("CRASH_HANDLER_BUSY_MS", "0")):
            time.sleep(busy / 1000)  # noqa: ASYNC251 - work that holds the worker, as CPU does
        ctx.db.add(CrashRow(text=ctx.message.text, chat=ctx.chat.chat_id, worker=os.getpid()))
        await ctx.reply(f"ok {ctx.message.text}")


async def main(config: Path) -> None:
    plugins = PluginSet.collect(
        load_plugins([("crash", CrashPlugin())], entry_points_enabled=False)
    )
    settings = load_config(
        config,
        plugin_models=plugins.section_models(),
        adapter_models={"loopback": LoopbackConfig},
    )
    logging.basicConfig(
        level=settings.logging.level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    clock = SystemClock()
    adapter = LoopbackAdapter(settings.adapters["loopback"], clock=clock)
    app = App.build(settings, plugins, clock=clock, adapters={"loopback": adapter})
    await app.start(create_tables=True)
    print("ready", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
