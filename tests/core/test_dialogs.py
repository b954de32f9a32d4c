"""Multi-step dialogs: typed answers, re-asking, /cancel, timeout, and resuming after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from qunzhu.core import (
    Base,
    Choice,
    Context,
    Dialog,
    Expect,
    Location,
    Step,
    UsageError,
    command,
    hookimpl,
)
from qunzhu.core.testing import BotHarness


class Report(Base):
    __tablename__ = "reports_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


def _no_digits_only(ctx: Context, value: str) -> str:
    if value.isdigit():
        raise UsageError(ctx.t("Please describe the problem in words."))
    return value


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    loc = answers["location"]
    photos = answers["photo"] or ()
    ctx.db.add(
        Report(
            description=answers["description"],
            data={
                "photos": [p.ref for p in photos],
                "location": [loc.latitude, loc.longitude] if isinstance(loc, Location) else loc,
                "category": answers["category"],
            },
        )
    )
    await ctx.reply(f"Filed: {answers['description']} / {answers['category']}")


class ReportsPlugin:
    @hookimpl
    def register_models(self) -> Sequence[type[Base]]:
        return [Report]

    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        return [
            Dialog(
                "report",
                (
                    Step("description", "What is the problem?", validate=_no_digits_only),
                    Step("photo", "Send a photo of it.", Expect.PHOTO, optional=True),
                    Step(
                        "location",
                        "Where is it? Share a location or type the address.",
                        Expect.LOCATION,
                        allow_address=True,
                    ),
                    Step(
                        "category",
                        "Which kind of problem is “{description}”?",
                        Expect.CHOICE,
                        choices=[Choice("Garbage", "garbage"), Choice("Roads", "roads")],
                    ),
                ),
                on_done=_done,
            )
        ]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("report", help="Report a problem")
        async def report(ctx: Context) -> None:
            await ctx.start_dialog("report", chat=await ctx.direct_chat())

        return [report]


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("reports", ReportsPlugin())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {"bot": {"language": "en"}, "dialogs": {"timeout": 600}}


async def reports(bot: BotHarness) -> list[Report]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Report))).all())


async def test_a_whole_dialog_with_every_answer_type(bot: BotHarness) -> None:
    [q1] = await bot.send("/report", chat="village-3")
    assert q1.chat.is_direct and q1.text == "What is the problem?"
    assert q1.labels == ["Cancel"]
    [q2] = await bot.send("garbage not collected")
    assert q2.text == "Send a photo of it." and q2.labels == ["Skip", "Cancel"]
    [q3] = await bot.send("", photos=["/tmp/p1.jpg"])
    assert q3.text.startswith("Where is it?")
    [q4] = await bot.send(location=(26.65, 119.52))
    assert q4.text == "Which kind of problem is “garbage not collected”?"
    assert q4.labels == ["Garbage", "Roads", "Cancel"]
    [done] = await bot.press(q4, "Garbage")
    assert done.text == "Filed: garbage not collected / garbage"
    [row] = await reports(bot)
    assert row.data == {
        "photos": ["/tmp/p1.jpg"],
        "location": [26.65, 119.52],
        "category": "garbage",
    }
    # the dialog is over: the next message is ordinary chatter again
    assert await bot.send("thanks") == []


async def test_questions_wanting_a_typed_answer_say_so(bot: BotHarness) -> None:
    """Text, number and typed-address questions are `typed_answer` Replies: on the console and
    Matrix a bare number answers them instead of pressing their Skip or Cancel (see
    tests/adapters/console/test_dialogs.py); photo and choice questions keep numbered buttons."""
    [q1] = await bot.send("/report")
    [q2] = await bot.send("pothole")
    [q3] = await bot.press(q2, "Skip")
    [q4] = await bot.send("东街 12 号")
    typed = [q.current.typed_answer for q in (q1, q2, q3, q4)]
    assert typed == [True, False, True, False]


async def test_wrong_answer_types_are_asked_again(bot: BotHarness) -> None:
    await bot.send("/report")
    [hint, again] = await bot.send("12345")
    assert hint.text == "Please describe the problem in words."
    assert again.text == "What is the problem?"
    await bot.send("pothole")
    [hint, again] = await bot.send("here is no photo")
    assert hint.text == "Please send a photo."
    [q3] = await bot.press(again, "Skip")
    assert q3.text.startswith("Where is it?")
    [q4] = await bot.send("东街 12 号")  # a typed address is accepted
    [hint, again] = await bot.send("something else")
    assert hint.text == "Please choose one of the buttons."
    [done] = await bot.send("2")  # a typed number picks a choice
    assert done.text == "Filed: pothole / roads"
    [row] = await reports(bot)
    assert row.data["location"] == "东街 12 号" and row.data["photos"] == []


async def test_cancel_by_command_and_by_button(bot: BotHarness) -> None:
    await bot.send("/report")
    [bye] = await bot.send("/cancel")
    assert bye.text == "Cancelled. Nothing was saved."
    assert await bot.send("just chatting") == []
    [q1] = await bot.send("/report")
    [bye] = await bot.press(q1, "Cancel")
    assert bye.text == "Cancelled. Nothing was saved."
    [nothing] = await bot.send("/取消")
    assert nothing.text == "There is nothing to cancel."
    assert await reports(bot) == []


async def test_pressing_a_button_of_a_finished_dialog(bot: BotHarness) -> None:
    [q1] = await bot.send("/report")
    await bot.send("/cancel")
    [reply] = await bot.press(q1, "Cancel")
    assert reply.text == "This conversation has already ended."


async def test_dialog_times_out(bot: BotHarness) -> None:
    await bot.send("/report")
    await bot.advance(timedelta(seconds=601))
    [reply] = await bot.send("broken lamp")
    assert reply.text == "The previous conversation timed out; please start again."
    assert await bot.send("broken lamp") == []


async def test_dialog_survives_a_restart(bot: BotHarness) -> None:
    await bot.send("/report")
    await bot.send("broken lamp")
    await bot.restart()
    [q3] = await bot.press(bot.sent[-1], "Skip")  # the button of the question asked before
    assert q3.text.startswith("Where is it?")
    await bot.send(location=(1.0, 2.0))
    [done] = await bot.send("Roads")  # a typed label picks a choice too
    assert done.text == "Filed: broken lamp / roads"


async def test_dialogs_are_per_person_and_per_chat(bot: BotHarness) -> None:
    await bot.send("/report", user="ana")
    assert await bot.send("hello from bo", user="bo") == []  # bo has no dialog
    [q2] = await bot.send("dead tree", user="ana")
    assert q2.text == "Send a photo of it."


async def test_commands_still_work_inside_a_dialog(bot: BotHarness) -> None:
    await bot.send("/report")
    [help_reply] = await bot.send("/help")
    assert "/report" in help_reply.text
    [q2] = await bot.send("dead tree")
    assert q2.text == "Send a photo of it."


async def test_a_failing_on_done_keeps_the_answers(bot: BotHarness) -> None:
    await bot.send("/report")
    await bot.send("flooded street")
    await bot.press(bot.sent[-1], "Skip")
    q4 = (await bot.send(location=(1.0, 2.0)))[0]

    async def broken(ctx: Context, answers: dict[str, Any]) -> None:
        raise RuntimeError("database down")

    dialog = bot.app.plugins.dialogs["reports.report"][1]
    object.__setattr__(dialog, "on_done", broken)  # Dialog is frozen: patch it the hard way
    [sorry, again] = await bot.press(q4, "Roads")  # apologised, and the step asked again
    assert sorry.text == "Sorry, something went wrong with that answer. Please try again."
    assert again.text == q4.text and again.labels == q4.labels
    object.__setattr__(dialog, "on_done", _done)
    [done] = await bot.press(q4, "Roads")  # the same answer again, now it works
    assert done.text == "Filed: flooded street / roads"


async def test_on_done_may_start_another_dialog_with_the_same_person(bot: BotHarness) -> None:
    """A dialog that ends by starting the next one (here itself again): the next one takes the
    person's following answers (it used to be forgotten as the first one closed)."""

    async def again(ctx: Context, answers: dict[str, Any]) -> None:
        await ctx.start_dialog("report")

    dialog = bot.app.plugins.dialogs["reports.report"][1]
    object.__setattr__(dialog, "on_done", again)
    try:
        await bot.send("/report")
        await bot.send("flooded street")
        await bot.press(bot.sent[-1], "Skip")
        [q4] = await bot.send(location=(1.0, 2.0))
        [q1] = await bot.press(q4, "Roads")
        assert q1.text == "What is the problem?"  # the new dialog
        object.__setattr__(dialog, "on_done", _done)
        [q2] = await bot.send("dead tree")  # taken by the new dialog
        await bot.press(q2, "Skip")
        [q4] = await bot.send(location=(1.0, 2.0))
        [done] = await bot.press(q4, "Garbage")
        assert done.text == "Filed: dead tree / garbage"
    finally:
        object.__setattr__(dialog, "on_done", _done)


class WhenPlugin:
    """A text step with buttons for its common answers (a time: 现在, or typed)."""

    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        async def done(ctx: Context, answers: dict[str, Any]) -> None:
            await ctx.reply(f"At: {answers['when']}")

        def upper(_ctx: Context, value: str) -> str:
            return value.upper()

        step = Step("when", "When?", choices=[Choice("Now", "now")], validate=upper)
        return [Dialog("when", (step,), on_done=done)]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("when", help="Ask when")
        async def when(ctx: Context) -> None:
            await ctx.start_dialog("when")

        return [when]


async def test_a_text_step_offers_buttons_for_common_answers(tmp_path: Any) -> None:
    bot = await BotHarness.create(
        workdir=tmp_path, config={"bot": {"language": "en"}}, plugins=[("when", WhenPlugin())]
    )
    try:
        [ask] = await bot.send("/when")
        assert ask.labels == ["Now", "Cancel"]
        [done] = await bot.press(ask, "Now")
        assert done.text == "At: NOW"  # the choice's value, validated like typed text
        [ask] = await bot.send("/when")
        [done] = await bot.send("friday 10:00")
        assert done.text == "At: FRIDAY 10:00"
    finally:
        await bot.close()


async def test_the_skip_label_typed_skips(bot: BotHarness) -> None:
    """A person who reads [Skip] under "Send a photo" writes it: the step is skipped, as the
    button would; other words there are still asked again."""
    await bot.send("/report")
    await bot.send("pothole")
    [hint, _] = await bot.send("no photo, sorry")
    assert hint.text == "Please send a photo."
    [q3] = await bot.send(" skip ")
    assert q3.text.startswith("Where is it?")
    [q4] = await bot.send("东街 12 号")
    assert q4.text == "Which kind of problem is “pothole”?"
    await bot.press(q4, "Roads")
    [row] = await reports(bot)
    assert row.data["photos"] == [] and row.data["location"] == "东街 12 号"
