"""A qunzhu app for benchmarks: a null platform adapter and the plugin of the dispatch benchmark."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, ChatKind, ChatRef, Context, Message, UserRef, hookimpl
from qunzhu.core.adapter import Adapter, AdapterConfig
from qunzhu.core.app import App, freeze_startup_heap
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.delivery._ratelimit import Limits
from qunzhu.core.model._ids import new_id
from qunzhu.core.model._reply import Reply
from qunzhu.core.plugins import PluginSet, load_plugins

KEYWORD = "垃圾"


class BenchRow(Base):
    __tablename__ = "bench_row"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    chat: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(200))


class BenchPlugin:
    """Matches a keyword, writes a row, replies: the equivalent of the aiogram baseline. The row
    is appended with ``ctx.insert`` (a queued Core insert), or with ``orm=True`` as an ORM
    object (``ctx.db.add``)."""

    def __init__(self, *, orm: bool = False) -> None:
        self.orm = orm

    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [BenchRow]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        message = ctx.message
        if message is not None and KEYWORD in message.text:
            if self.orm:
                ctx.db.add(BenchRow(chat=ctx.chat.chat_id, text=message.text))
            else:
                ctx.insert(BenchRow, chat=ctx.chat.chat_id, text=message.text)
            await ctx.reply("已收到")


class NullAdapter(Adapter):
    """A platform that accepts every message at once and notes when (for latency, and to count
    rate-limit violations)."""

    platform = "bench"

    def __init__(self, *, limits: Limits | None = None) -> None:
        super().__init__(AdapterConfig(), clock=SystemClock())
        if limits is not None:
            self.limits = limits
        self.sent_at: dict[str, float] = {}
        self.times: list[float] = []
        self.count = 0
        self.done = asyncio.Event()
        self.expect = 0

    async def start(self, sink: Any) -> None:
        self.sink = sink

    async def stop(self) -> None:
        pass

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        now = time.perf_counter()
        self.count += 1
        self.times.append(now)
        if reply.reply_to is not None:
            self.sent_at[reply.reply_to] = now
        if self.count >= self.expect:
            self.done.set()
        return str(self.count)


async def build(url: str | None, adapter: NullAdapter, plugins: Sequence[object] = (), /,
                **settings: Any) -> tuple[App, Path]:  # fmt: skip
    """A started app on `url` (default: a fresh SQLite file) with `adapter` and `plugins`;
    `settings` are the YAML's other sections (``plugins=`` too: the plugins' sections)."""
    workdir = Path(tempfile.mkdtemp(prefix="qunzhu-bench-"))
    raw: dict[str, Any] = {"database": {"url": url or f"sqlite+aiosqlite:///{workdir / 'b.db'}"},
                           "adapters": {}, "logging": {"level": "WARNING"}, **settings}  # fmt: skip
    path = workdir / "bench.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    ps = PluginSet.collect(load_plugins(list(plugins), entry_points_enabled=False))
    app = App.build(load_config(path, plugin_models=ps.section_models()), ps,
                    adapters={"bench": adapter})  # fmt: skip
    await app.start(create_tables=True)
    freeze_startup_heap()  # as `qunzhu run` does
    return app, workdir


def messages(
    n: int, *, chats: int = 100, match_ratio: float = 0.5, prefix: str = ""
) -> list[Message]:
    step = max(1, round(1 / match_ratio)) if match_ratio > 0 else 0
    out = []
    for i in range(n):
        text = f"第{i}号 {KEYWORD}没人收" if step and i % step == 0 else f"第{i}号 今天天气不错"
        chat = ChatRef("bench", f"group{i % chats}", ChatKind.GROUP)
        out.append(Message(f"{prefix}{i}", chat, UserRef("bench", f"u{i % 1000}", "u"), text))
    return out


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
