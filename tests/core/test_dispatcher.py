"""The dispatcher as a person meets it: commands, hooks, errors, ordering, odd input."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, Button, Context, MemberChange, Reply, Text, command, hookimpl
from qunzhu.core.testing import BotHarness


class Note(Base):
    __tablename__ = "notes_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


class NotesPlugin:
    """A plugin with typed commands, aliases, a role, a database table and every on_* hook."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [Note]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("add", aliases=["登记", "记"], help="Add numbers")
        async def add(ctx: Context, a: int, b: float = 1.5) -> None:
            await ctx.reply(f"sum={a + b}")

        @command("note", help="Save a note")
        async def note(ctx: Context, db: Any, text: Text) -> None:
            db.add(Note(text=text))
            await ctx.reply(f"saved: {text}")

        @command("due", help="A date")
        async def due(ctx: Context, when: date) -> None:
            await ctx.reply(f"due {when.isoformat()}")

        @command("secret", role="supervisor", help="Only supervisors")
        async def secret(ctx: Context) -> None:
            await ctx.reply("the secret")

        @command("broken", help="Always fails after writing")
        async def broken(ctx: Context, db: Any) -> None:
            db.add(Note(text="should be rolled back"))
            await ctx.reply("this reply must never be sent")
            raise RuntimeError("boom")

        @command("slow", help="Takes forever")
        async def slow(ctx: Context) -> None:
            await asyncio.sleep(10)

        @command("menu", help="Shows buttons")
        async def menu(ctx: Context) -> None:
            await ctx.reply(
                Reply("Pick one").with_buttons(
                    [Button("Yes", data="notes:yes"), Button("No", data="notes:no")]
                )
            )

        return [add, note, due, secret, broken, slow, menu]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        self.seen.append((ctx.chat.chat_id, ctx.message.text))
        if "ping" in ctx.message.text:
            await ctx.reply("pong")

    @hookimpl
    async def on_button(self, ctx: Context) -> None:
        assert ctx.button is not None
        await ctx.reply(f"pressed {ctx.button.data} by {ctx.sender.user_id}")

    @hookimpl
    async def on_reaction(self, ctx: Context) -> None:
        await ctx.send(f"reaction {ctx.event.key} on {ctx.event.target_id}")  # type: ignore[union-attr]

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        await ctx.send(f"{ctx.event.user.user_id} {ctx.event.change}")  # type: ignore[union-attr]


class FailingPlugin:
    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        raise ValueError("a bug in another plugin")


@pytest.fixture
def notes() -> NotesPlugin:
    return NotesPlugin()


@pytest.fixture
def bot_plugins(notes: NotesPlugin) -> Sequence[object]:
    return [("notes", notes), ("failing", FailingPlugin())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "en"},
        "dispatcher": {"handler_timeout": 0.2},
        "people": [{"name": "Wang", "identities": ["memory:wang"], "roles": ["supervisor"]}],
    }


async def test_typed_arguments_and_defaults(bot: BotHarness) -> None:
    assert (await bot.send("/add 2 3"))[0].text == "sum=5.0"
    assert (await bot.send("/add 2"))[0].text == "sum=3.5"


async def test_chinese_alias_and_fullwidth_slash(bot: BotHarness) -> None:
    assert (await bot.send("/登记 1 1"))[0].text == "sum=2.0"
    assert (await bot.send("／记 1 2"))[0].text == "sum=3.0"


async def test_wrong_argument_type_answers_with_usage(bot: BotHarness) -> None:
    [reply] = await bot.send("/add two")
    assert reply.text == "“two” is not a valid number.\nUsage: /add <a> [b]\nAdd numbers"


async def test_missing_argument_answers_with_usage(bot: BotHarness) -> None:
    [reply] = await bot.send("/due")
    assert "“when” is missing." in reply.text
    assert "Usage: /due <when>" in reply.text
    assert (await bot.send("/due 2026-12-01"))[0].text == "due 2026-12-01"


async def test_rest_of_line_argument_keeps_spaces_and_quotes(bot: BotHarness) -> None:
    [reply] = await bot.send('/note  the "east" gate   is broken')
    assert reply.text == 'saved: the "east" gate   is broken'


async def test_unknown_command_suggests_the_closest(bot: BotHarness) -> None:
    [reply] = await bot.send("/nite hello")
    assert reply.text == "Unknown command /nite. Did you mean /note? Send /help to see all."
    [reply] = await bot.send("/zzzzzz")
    assert reply.text == "Unknown command /zzzzzz. Send /help to see what you can use."


async def test_unknown_command_hint_does_not_reveal_commands_the_person_may_not_use(
    bot: BotHarness,
) -> None:
    [reply] = await bot.send("/secrets")
    assert "/secret?" not in reply.text
    [reply] = await bot.send("/secrets", user="wang")
    assert "Did you mean /secret?" in reply.text


async def test_required_role(bot: BotHarness) -> None:
    [reply] = await bot.send("/secret", user="ana")
    assert reply.text == "Sorry, /secret is only for people with the role “supervisor”."
    assert (await bot.send("/secret", user="wang"))[0].text == "the secret"


async def test_command_addressed_to_another_bot_is_ignored(bot: BotHarness) -> None:
    bot.adapter.bot_username = "qz_bot"
    assert await bot.send("/add@other_bot 1 2", chat="g") == []
    assert (await bot.send("/add@qz_bot 1 2", chat="g"))[0].text == "sum=3.0"


async def test_failing_handler_rolls_back_sends_nothing_and_apologises(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        replies = await bot.send("/broken")
    assert [r.text for r in replies] == [
        "Sorry, something went wrong while handling that. It has been logged."
    ]
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(Note))).all() == []
    failure = next(r for r in caplog.records if "handler_failed" in r.getMessage())
    assert "notes:/broken" in failure.getMessage()
    assert failure.exc_info is not None and "boom" in str(failure.exc_info[1])


async def test_a_failing_plugin_does_not_stop_the_others(
    bot: BotHarness, notes: NotesPlugin
) -> None:
    replies = await bot.send("ping", chat="village-3")
    texts = [r.text for r in replies]
    assert "pong" in texts
    assert ("village-3", "ping") in notes.seen
    # the failing plugin's notice in a group is sent once, then kept quiet for a while
    again = await bot.send("ping", chat="village-3")
    assert [r.text for r in again] == ["pong"]


async def test_handler_timeout(bot: BotHarness) -> None:
    [reply] = await bot.send("/slow")
    assert reply.text == "Sorry, that took too long. Please try again later."


async def test_writes_of_a_successful_command_are_committed(bot: BotHarness) -> None:
    await bot.send("/note fix the pump")
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(Note.text))).all() == ["fix the pump"]


async def test_buttons_reactions_and_member_changes_reach_their_hooks(bot: BotHarness) -> None:
    [menu] = await bot.send("/menu", chat="g")
    assert menu.labels == ["Yes", "No"]
    [pressed] = await bot.press(menu, "No", user="bo")
    assert pressed.text == "pressed notes:no by bo"
    [reacted] = await bot.react(menu.message_id, "👍", chat="g")
    assert reacted.text == f"reaction 👍 on {menu.message_id}"
    [joined] = await bot.join("li", "g")
    assert joined.text == "li joined"


async def test_order_is_kept_within_a_chat_and_chats_run_concurrently(
    bot: BotHarness, notes: NotesPlugin
) -> None:
    from qunzhu.core.model._events import Message

    await bot.send("hello", chat="warm-up")  # the person is known now: no database wait below
    notes.seen.clear()
    for i in range(50):
        for chat in ("a", "b", "c"):
            await bot.app.receive(Message(f"{chat}{i}", bot.group(chat), bot.user("ana"), f"m{i}"))
    await bot.app.dispatcher.join()
    for chat in ("a", "b", "c"):
        assert [t for c, t in notes.seen if c == chat] == [f"m{i}" for i in range(50)]
    # interleaved, so the three chats were handled side by side, not one after the other
    first_chats = [c for c, _ in notes.seen[:6]]
    assert len(set(first_chats)) > 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x" * 100_000,
        "a\x00b",
        "\u202eevil\u202c",
        "👩‍👩‍👧‍👦🇨🇳",
        "/",
        "/ ",
        "/@",
        "\n\n",
        "/add\n1 2",
    ],
)
async def test_odd_input_never_crashes(bot: BotHarness, notes: NotesPlugin, text: str) -> None:
    await bot.send(text, chat="g")
    assert (await bot.send("ping", chat="g"))[-1].text == "pong"
    if text == "x" * 100_000:
        assert len(notes.seen[0][1]) == 20_000  # truncated to dispatcher.max_text_length
    if text == "a\x00b":
        assert notes.seen[0][1] == "ab"


async def test_command_on_its_own_line_takes_the_next_lines_as_arguments(bot: BotHarness) -> None:
    assert (await bot.send("/add\n1 2"))[0].text == "sum=3.0"


async def test_edited_message_does_not_run_a_command_again(bot: BotHarness) -> None:
    [first] = await bot.send("/add 1 1")
    assert first.text == "sum=2.0"
    assert await bot.send("/add 5 5", edit_of="e1") == []


async def test_events_from_bots_are_ignored(bot: BotHarness) -> None:
    from qunzhu.core.model._events import UserRef

    robot = UserRef("memory", "robot", "Robot", None, is_bot=True)
    assert await bot.send("ping", user=robot, chat="g") == []


class WelcomePlugin:
    """Greets who joined by the name the core knows them by."""

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberChange)
        person = await ctx.app.people.resolve(event.user)
        await ctx.send(f"welcome {person.name}, added by {ctx.person.name}")


async def test_a_member_change_of_someone_never_seen_resolves_them_without_a_deadlock(
    tmp_path: Path,
) -> None:
    """Regression: an admin adds someone the bot has never seen (Telegram's new_chat_members,
    a Matrix invite accepted, a kick): the dispatcher had resolved only the sender, so a plugin
    asking for the added person's Person created it from inside the handler, waiting for the
    write lock its own batch held, until the handler timed out (checkins' on_member_change)."""
    bot = await BotHarness.create(
        workdir=tmp_path,
        config={"bot": {"language": "en"}, "dispatcher": {"handler_timeout": 2}},
        plugins=[("welcome", WelcomePlugin())],
    )
    try:
        wang, li = bot.user("wang"), bot.user("li")
        added = MemberChange(bot.next_id(), bot.group("g"), wang, li, "joined", bot.clock.now())
        [reply] = await asyncio.wait_for(bot.feed(added), 1.5)
        assert reply.text == "welcome li, added by wang"
    finally:
        await bot.close()
