"""A dialog step whose validator or ``on_done`` fails apologises, undoes the answer and asks the
same step again (nobody is left stuck until /cancel); a validator may read the answers so far."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import Base, Context, Dialog, Step, UsageError, command, hookimpl
from qunzhu.core.testing import BotHarness


class Note(Base):
    __tablename__ = "stepnotes_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


def _size(ctx: Context, value: str) -> str:
    if value == "boom":
        raise ValueError("a bug in the validator")
    return value


def _colour(ctx: Context, value: str, answers: dict[str, Any]) -> str:
    if value == answers["size"]:
        raise UsageError(f"The colour cannot be “{answers['size']}” too.")
    return value


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    ctx.db.add(Note(text=f"{answers['size']} {answers['colour']}"))
    await ctx.db.flush()
    await ctx.send("about to save")
    if answers["colour"] == "crash":
        raise OverflowError("Python int too large to convert to SQLite INTEGER")
    if answers["colour"] == "refused":
        raise UsageError("That colour is sold out.")
    await ctx.send(f"Saved {answers['size']} {answers['colour']}")


class NotesPlugin:
    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [Note]

    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        steps = (
            Step("size", "Which size?", validate=_size),
            Step("colour", "Which colour?", validate=_colour),
        )
        return [Dialog("note", steps, on_done=_done)]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("note", help="Take a note")
        async def note(ctx: Context) -> None:
            await ctx.start_dialog("note")

        return [note]


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("notes", NotesPlugin())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {"bot": {"language": "zh_Hans"}}


async def notes(bot: BotHarness) -> list[str]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Note.text))).all())


async def test_a_failing_validator_apologises_and_asks_the_same_step(bot: BotHarness) -> None:
    await bot.send("/note", chat="private")
    [sorry, again] = await bot.send("boom", chat="private")
    assert sorry.text == "抱歉，这个回答处理时出了问题，请再试一次。"
    assert again.text == "Which size?"
    [q2] = await bot.send("big", chat="private")
    assert q2.text == "Which colour?"


async def test_a_validator_reads_the_answers_so_far(bot: BotHarness) -> None:
    await bot.send("/note", chat="private")
    await bot.send("red", chat="private")
    [hint, again] = await bot.send("red", chat="private")
    assert hint.text == "The colour cannot be “red” too."
    assert again.text == "Which colour?"


async def test_a_failing_on_done_undoes_its_work_and_asks_the_last_step(bot: BotHarness) -> None:
    await bot.send("/note", chat="private")
    await bot.send("big", chat="private")
    # "about to save" and the note are undone with the failed answer
    [sorry, again] = await bot.send("crash", chat="private")
    assert sorry.text == "抱歉，这个回答处理时出了问题，请再试一次。"
    assert again.text == "Which colour?"
    assert await notes(bot) == []
    [hint, again] = await bot.send("refused", chat="private")
    assert (hint.text, again.text) == ("That colour is sold out.", "Which colour?")
    [about, saved] = await bot.send("blue", chat="private")
    assert (about.text, saved.text) == ("about to save", "Saved big blue")
    assert await notes(bot) == ["big blue"]
    assert await bot.send("chatter", chat="private") == []  # the dialog is over
