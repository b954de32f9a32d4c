"""ctx.recorded, ctx.outgoing_for, ctx.heard_in_private, ctx.can_write_privately: what the bot
has seen and sent, and whom it may write to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qunzhu.core import Context, hookimpl
from qunzhu.core.testing import BotHarness


class Lookups:
    def __init__(self) -> None:
        self.prompt: int | None = None
        self.seen: list[Any] = []

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        message = ctx.message
        assert message is not None
        if message.text == "prompt":
            self.prompt = (await ctx.reply("本周进展？")).id
        elif message.reply_to:
            earlier = await ctx.recorded(message.reply_to)
            mine = await ctx.outgoing_for(message.reply_to)
            self.seen.append((getattr(earlier, "text", None), mine == self.prompt))
        elif message.text == "private?":
            self.seen.append(await ctx.heard_in_private(ctx.sender))
        elif message.text == "may you write to me?":
            self.seen.append(await ctx.can_write_privately(ctx.sender))


async def test_replies_to_a_person_and_to_the_bot_are_told_apart(tmp_path: Path) -> None:
    plugin = Lookups()
    bot = await BotHarness.create(
        workdir=tmp_path, config={"bot": {"language": "en"}}, plugins=[("lookups", plugin)]
    )
    try:
        await bot.send("混凝土没按规范养护", chat="works")  # event e1
        [prompt] = await bot.send("prompt", user="wang", chat="works")
        await bot.send("this one", chat="works", reply_to="e1")
        await bot.send("my report", chat="works", reply_to=prompt.message_id)
        await bot.send("unknown", chat="works", reply_to="e999")
        assert plugin.seen == [
            ("混凝土没按规范养护", False),
            (None, True),  # the bot's own message is not an event it received
            (None, False),
        ]
        await bot.send("private?", user="li", chat="works")
        await bot.send("hello", user="ana")  # ana writes in private
        await bot.send("private?", user="ana", chat="works")
        assert plugin.seen[-2:] == [False, True]
    finally:
        await bot.close()


async def test_where_the_bot_cannot_write_first_only_who_wrote_to_it_can_be_written_to(
    tmp_path: Path,
) -> None:
    plugin = Lookups()
    bot = await BotHarness.create(
        workdir=tmp_path, config={"bot": {"language": "en"}}, plugins=[("lookups", plugin)]
    )
    try:
        await bot.send("may you write to me?", user="li", chat="works")
        bot.adapter.writes_first = False  # type: ignore[misc]  # as on Telegram
        await bot.send("may you write to me?", user="li", chat="works")
        await bot.send("/start", user="li")  # li opens the private chat
        await bot.send("may you write to me?", user="li", chat="works")
        assert plugin.seen == [True, False, True]
    finally:
        await bot.close()


class Authors:
    def __init__(self) -> None:
        self.names: list[str] = []

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        message = ctx.message
        if message is None or not message.reply_to:
            return
        earlier = await ctx.recorded(message.reply_to)
        if earlier is not None:
            author = await ctx.person_of(earlier.sender)
            self.names.append(author.name)
            if message.text == "fail":
                raise RuntimeError("rolled back with the person it created")


async def test_the_author_of_a_replied_message_is_found_or_made_inside_the_handler(
    tmp_path: Path,
) -> None:
    """ctx.person_of creates a first contact in the handler's own transaction: asking
    app.people from a handler waited for the write lock its own batch held (30 s stalls)."""
    from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef

    plugin = Authors()
    bot = await BotHarness.create(
        workdir=tmp_path,
        config={"bot": {"language": "en"}, "dispatcher": {"handler_timeout": 2}},
        plugins=[("authors", plugin)],
    )
    try:
        group = ChatRef("memory", "works", ChatKind.GROUP, "Works")
        stranger = UserRef("memory", "old-bot", "Old bot", is_bot=True)  # never resolved
        await bot.app.inbox.submit([Message("s1", group, stranger, "site photo")])
        await bot.app.settle()
        assert await bot.send("fail", chat="works", reply_to="s1") != []  # the apology
        assert await bot.app.people.find("memory:old-bot") is None  # rolled back, not cached
        assert await bot.send("this one", chat="works", reply_to="s1") == []
        assert set(plugin.names) == {"Old bot"}  # the failing one ran twice (batch, then alone)
        found = await bot.app.people.find("memory:old-bot")
        assert found is not None and found.name == "Old bot"
    finally:
        await bot.close()


async def test_a_handler_writing_outside_its_transaction_fails_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """app.people.resolve from a handler, for someone new, needs the write lock the handler's
    batch holds: it fails at once with what to do instead, not after the handler timeout."""
    import time

    from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef

    class Careless:
        @hookimpl
        async def on_message(self, ctx: Context) -> None:
            if ctx.message is not None and ctx.message.reply_to:
                earlier = await ctx.recorded(ctx.message.reply_to)
                assert earlier is not None
                await ctx.app.people.resolve(earlier.sender)

    bot = await BotHarness.create(
        workdir=tmp_path,
        config={"bot": {"language": "en"}, "dispatcher": {"handler_timeout": 20}},
        plugins=[("careless", Careless())],
    )
    try:
        group = ChatRef("memory", "works", ChatKind.GROUP, "Works")
        stranger = UserRef("memory", "old-bot", "Old bot", is_bot=True)
        await bot.app.inbox.submit([Message("s1", group, stranger, "site photo")])
        await bot.app.settle()
        started = time.monotonic()
        [apology] = await bot.send("this one", chat="works", reply_to="s1")
        assert time.monotonic() - started < 5  # not the 20 s handler timeout
        assert apology.text.startswith("Sorry, something went wrong")
        assert "ctx.person_of" in caplog.text
    finally:
        await bot.close()
