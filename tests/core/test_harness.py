"""The test harness is part of the product: the fake clock, the bot fixture, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from qunzhu.core import App, Context, FakeClock, hookimpl
from qunzhu.core.commands import ArgumentError, Text, command, split_command
from qunzhu.core.testing import BotHarness


async def test_fake_clock_wakes_sleepers_in_order_without_waiting() -> None:
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    woke: list[tuple[str, datetime]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper("late", 3600)), asyncio.create_task(sleeper("soon", 60))]
    await asyncio.sleep(0)
    await clock.advance(timedelta(minutes=30))
    assert woke == [("soon", datetime(2026, 3, 1, 0, 1, tzinfo=UTC))]
    await clock.advance(timedelta(hours=1))
    assert woke[1] == ("late", datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    await asyncio.gather(*tasks)


def test_fake_clock_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 3, 1))  # noqa: DTZ001 - the point of the test


class Lifecycle:
    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    async def on_startup(self, app: App) -> None:
        self.calls.append("startup")

    @hookimpl
    def on_shutdown(self, app: App) -> None:
        self.calls.append("shutdown")

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("now")
        async def now(ctx: Context) -> None:
            await ctx.reply(ctx.now().isoformat())

        return [now]


lifecycle = Lifecycle()


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("lifecycle", lifecycle)]


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC))


async def test_fixture_overrides_and_the_clock_reach_handlers(bot: BotHarness) -> None:
    assert (await bot.send("/now"))[0].text == "2026-11-20T01:00:00+00:00"
    await bot.advance(timedelta(days=1))
    assert (await bot.send("/now"))[0].text == "2026-11-21T01:00:00+00:00"


async def test_startup_and_shutdown_hooks(bot: BotHarness) -> None:
    lifecycle.calls.clear()
    await bot.restart()
    assert lifecycle.calls == ["shutdown", "startup"]


async def test_sent_to_and_restart_keep_what_the_platform_showed(bot: BotHarness) -> None:
    await bot.send("/now", chat="g1")
    await bot.send("/now", chat="g2")
    await bot.restart()
    assert [s.chat.chat_id for s in bot.sent] == ["g1", "g2"]
    assert len(bot.sent_to("g1")) == 1


async def test_a_known_person_and_no_dialog_cost_no_lookups(bot: BotHarness) -> None:
    await bot.send("hello", chat="g")  # first contact creates the person
    statements: list[str] = []
    event.listen(
        bot.app.db.engine.sync_engine,
        "before_cursor_execute",
        lambda *args: statements.append(args[2]),
    )
    direct = bot.app.db.direct()  # SQLite's own connection for the core's hot path
    if direct is not None:
        direct.set_trace_callback(statements.append)
    await bot.send("just chatting", chat="g")
    await bot.send("/now", chat="g")
    # only the durable pipeline's own statements: inbox, outbox, commit; no per-message lookups
    looked_up = [s for s in statements if "core_person" in s or "core_dialog" in s]
    assert looked_up == []
    assert any("UPDATE core_inbox" in s for s in statements)  # the capture did see the batch
    if direct is not None:
        direct.set_trace_callback(None)


def test_split_command() -> None:
    assert split_command("/Ticket@qz_bot Q-1 x") == ("ticket", "Q-1 x", "qz_bot")
    assert split_command("／登记") == ("登记", "", "")
    assert split_command("hello /x") is None
    assert split_command("/") is None
    assert split_command("//x") is None


def test_command_parsing() -> None:
    @command("t")
    async def t(ctx: Context, n: int, flag: bool = False, rest: Text = "") -> None:
        pass

    assert t.parse("3 是 the rest  of it") == {"n": 3, "flag": True, "rest": "the rest  of it"}
    assert t.parse("3") == {"n": 3, "flag": False, "rest": ""}
    assert t.usage() == "/t <n> [flag] [rest…]"
    with pytest.raises(ArgumentError) as err:
        t.parse("3 maybe")
    assert (err.value.problem, err.value.param, err.value.kind) == ("type", "flag", "yes/no")
    with pytest.raises(TypeError, match="must be an async function"):
        command("sync")(lambda ctx: None)  # type: ignore[arg-type]


class EditWatcher:
    def __init__(self) -> None:
        self.seen: list[tuple[str, bool, str | None]] = []

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        self.seen.append((ctx.message.text, ctx.message.edited, ctx.message.edit_of))


async def test_send_with_edit_of_delivers_an_edit_as_its_own_event(tmp_path: Any) -> None:
    """Regression: the harness gave an edit the original's event id, so the inbox dropped it as
    a duplicate and plugins never saw edits."""
    watcher = EditWatcher()
    bot = await BotHarness.create(workdir=tmp_path, plugins=[("watch", watcher)])
    try:
        await bot.send("first", chat="g")
        await bot.send("first, corrected", chat="g", edit_of="e1")
    finally:
        await bot.close()
    assert watcher.seen == [("first", False, None), ("first, corrected", True, "e1")]
