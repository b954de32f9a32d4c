"""The bot reacts to messages (``ctx.react``): through the dispatcher and the outbox like a
message, in the handler's transaction and in its chat's order, and failing once, cleanly, on an
adapter that cannot react. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from qunzhu.core import Button, Context, Reply, command, hookimpl
from qunzhu.core.adapter import Adapter
from qunzhu.core.errors import TemporaryFailure
from qunzhu.core.model._events import ChatRef, Message
from qunzhu.core.storage._tables import OutboxRow
from qunzhu.core.testing import BotHarness, Reacted
from tests.conftest import harness_on

APOLOGY = "Sorry, something went wrong while handling that. It has been logged."


class Checkins:
    """Acknowledges a report with 👌 instead of a message; a few commands around it."""

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("thanks")
        async def thanks(ctx: Context) -> None:
            await ctx.reply("收到")
            await ctx.react("👌")
            await ctx.send("谢谢")

        @command("broken")
        async def broken(ctx: Context) -> None:
            await ctx.react("👌")
            raise RuntimeError("boom")

        @command("undo")
        async def undo(ctx: Context, target: str) -> None:
            await ctx.react("👌", target, removed=True)

        @command("vote")
        async def vote(ctx: Context) -> None:
            await ctx.reply(Reply("好不好？").with_buttons(Button("好", data="checkins:yes")))

        return [thanks, broken, undo, vote]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        assert msg is not None
        if msg.text.startswith("日报"):
            await ctx.react("✍" if msg.edited else "👌")

    @hookimpl
    async def on_button(self, ctx: Context) -> None:
        await ctx.react("👍")  # on the bot's message whose button was pressed

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        await ctx.react()  # a member change is about no message: a mistake, rolled back


@pytest_asyncio.fixture
async def bot(backend: str, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness_on(backend, tmp_path, [("checkins", Checkins())]) as harness:
        yield harness


async def outbox(bot: BotHarness) -> list[tuple[str, str, dict[str, Any], str | None]]:
    async with bot.app.db.session() as s:
        rows = (await s.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    return [(r.action, r.status, r.payload, r.error) for r in rows]


async def test_a_report_is_acknowledged_with_a_reaction_not_a_message(bot: BotHarness) -> None:
    assert await bot.send("日报：3号楼完成浇筑", user="ana", chat="village-3") == []
    report = bot.last_event
    assert report is not None
    assert bot.reactions == [Reacted(bot.group("village-3"), report.event_id, "👌")]
    assert bot.reactions_on(report) == ["👌"]
    assert await outbox(bot) == [
        ("react", "sent", {"target": report.event_id, "key": "👌", "removed": False}, None)
    ]


async def test_a_reaction_is_taken_back(bot: BotHarness) -> None:
    await bot.send("日报：完成", chat="g")
    report = bot.last_event
    assert report is not None and bot.reactions_on(report) == ["👌"]
    await bot.send(f"/undo {report.event_id}", chat="g")
    assert bot.reactions_on(report) == []
    assert bot.reactions[-1] == Reacted(bot.group("g"), report.event_id, "👌", removed=True)


async def test_the_default_target_is_the_message_the_event_is_about(bot: BotHarness) -> None:
    await bot.send("日报：完成", chat="g")
    original = bot.last_event
    assert original is not None
    await bot.send("日报：完成（改）", chat="g", edit_of=original.event_id)
    assert bot.reactions_on(original) == ["👌", "✍"]  # an edit's reaction goes on the original
    [question] = await bot.send("/vote", chat="g")
    await bot.press(question, "好", user="bo")
    assert bot.reactions_on(question.message_id) == ["👍"]


async def test_a_reaction_is_rolled_back_with_its_handler(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        replies = await bot.send("/broken", chat="g")
    assert [r.text for r in replies] == [APOLOGY]
    assert bot.reactions == []
    assert [action for action, *_ in await outbox(bot)] == ["send"]  # the apology only


async def test_react_without_a_message_is_a_handler_error(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        await bot.join("li", "g")
    assert bot.reactions == []
    failure = next(r for r in caplog.records if "handler_failed" in r.getMessage())
    assert failure.exc_info is not None
    assert "ctx.react needs target=" in str(failure.exc_info[1])


async def test_a_reaction_keeps_its_place_among_the_messages_of_its_chat(
    bot: BotHarness,
) -> None:
    seen: list[str] = []
    send, react = bot.adapter.send, bot.adapter.react
    failed = False

    async def flaky_send(chat: ChatRef, reply: Reply) -> str:
        nonlocal failed
        if not failed:  # the first message fails once: what follows it in the chat waits
            failed = True
            raise TemporaryFailure("502 Bad Gateway")
        seen.append(reply.text)
        return await send(chat, reply)

    async def logged_react(chat: ChatRef, target: str, key: str, **kwargs: Any) -> None:
        seen.append(key)
        await react(chat, target, key, **kwargs)

    bot.adapter.send = flaky_send  # type: ignore[method-assign]
    bot.adapter.react = logged_react  # type: ignore[method-assign]
    await bot.send("/thanks", chat="g")
    assert seen == []  # the reply waits for its retry, and the reaction behind it
    await bot.advance(5)
    assert seen == ["收到", "👌", "谢谢"]


async def test_an_adapter_that_cannot_react_fails_once_and_the_chat_goes_on(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    tries: list[str] = []
    cannot = functools.partial(Adapter.react, bot.adapter)

    async def counted(chat: ChatRef, target: str, key: str, **kwargs: Any) -> None:
        tries.append(key)
        await cannot(chat, target, key, **kwargs)

    bot.adapter.react = counted  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING):
        sent = await bot.send("/thanks", chat="g")
        await bot.advance(600)  # no retry comes
    assert [s.text for s in sent] == ["收到", "谢谢"]
    assert tries == ["👌"]
    rows = await outbox(bot)
    assert [(action, status) for action, status, _, _ in rows] == [
        ("send", "sent"),
        ("react", "failed"),
        ("send", "sent"),
    ]
    assert rows[1][3] == "the memory adapter cannot react to messages"
    assert any("delivery_failed" in r.getMessage() for r in caplog.records)


async def test_a_reaction_waiting_in_the_outbox_is_sent_after_a_restart(
    bot: BotHarness,
) -> None:
    react = bot.adapter.react

    async def down(chat: ChatRef, target: str, key: str, **kwargs: Any) -> None:
        raise TemporaryFailure("connection refused")

    bot.adapter.react = down  # type: ignore[method-assign]
    await bot.send("日报：完成", chat="g")
    report = bot.last_event
    assert isinstance(report, Message) and bot.reactions == []
    bot.adapter.react = react  # type: ignore[method-assign]
    await bot.restart()  # a new adapter; the row is read back from the table
    await bot.advance(5)
    assert bot.reactions_on(report) == ["👌"]
    assert [(a, s) for a, s, _, _ in await outbox(bot)] == [("react", "sent")]
