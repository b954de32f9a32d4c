"""``ctx.insert``: rows appended without ORM objects, in the handler's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import JSON, BigInteger, DateTime, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, Context, command, hookimpl
from qunzhu.core.model._ids import new_id
from qunzhu.core.testing import BotHarness
from tests.conftest import harness_on


class Note(Base):
    __tablename__ = "appender_note"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=new_id)
    chat: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="note")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Notes:
    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [Note]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("note")
        async def note(ctx: Context, text: str) -> None:
            row = ctx.insert(Note, chat=ctx.chat.chat_id, text=text, at=ctx.now())
            # an ORM query in the same handler sees it (the session writes queued rows first)
            seen = await ctx.db.scalar(select(func.count()).select_from(Note))
            await ctx.reply(f"note {row['id']} ({seen} in all)")

        @command("boom")
        async def boom(ctx: Context, text: str) -> None:
            ctx.insert(Note, chat=ctx.chat.chat_id, text=text, meta={"lost": True})
            raise RuntimeError("the handler fails after queueing a row")

        @command("wrong")
        async def wrong(ctx: Context) -> None:
            ctx.insert(Note, chat=ctx.chat.chat_id, text="x", colour="red")

        return [note, boom, wrong]


@pytest_asyncio.fixture
async def bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness_on(backend, tmp_path, [("appender", Notes())]) as harness:
        yield harness


async def notes(bot: BotHarness) -> list[Note]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Note).order_by(Note.id))).all())


async def test_rows_are_written_with_their_defaults_and_returned_ids(bot: BotHarness) -> None:
    [first] = await bot.send("/note 路灯坏了")
    [second] = await bot.send("/note 井盖丢了")
    rows = await notes(bot)
    assert [(r.text, r.kind, r.meta) for r in rows] == [
        ("路灯坏了", "note", {}),
        ("井盖丢了", "note", {}),
    ]
    assert first.text == f"note {rows[0].id} (1 in all)"
    assert second.text == f"note {rows[1].id} (2 in all)"
    assert all(r.at is not None for r in rows)


async def test_a_failing_handler_leaves_no_row(bot: BotHarness) -> None:
    await bot.send("/note kept")
    [apology] = await bot.send("/boom lost")
    assert "went wrong" in apology.text
    assert [r.text for r in await notes(bot)] == ["kept"]


async def test_a_batch_with_a_failing_handler_keeps_the_others_rows(bot: BotHarness) -> None:
    from qunzhu.core.model._events import Message

    events = [
        Message("b1", bot.group("g"), bot.user("ana"), "/note one"),
        Message("b2", bot.group("g"), bot.user("ana"), "/boom two"),
        Message("b3", bot.group("g"), bot.user("ana"), "/note three"),
    ]
    await bot.app.inbox.submit(events)
    await bot.app.settle()
    assert [r.text for r in await notes(bot)] == ["one", "three"]


async def test_an_unknown_column_is_the_plugins_error_not_a_lost_row(bot: BotHarness) -> None:
    [apology] = await bot.send("/wrong")
    assert "went wrong" in apology.text
    assert await notes(bot) == []
