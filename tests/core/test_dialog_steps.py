"""Dialog steps added for the check-ins' campaign dialog: a text step whose buttons are shortcuts
(press one, or type anything), an async validator, and a media step that takes photos or
videos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from qunzhu.core import (
    Attachment,
    AttachmentKind,
    Choice,
    Context,
    Dialog,
    Expect,
    Message,
    Step,
    UsageError,
    command,
    hookimpl,
)
from qunzhu.core.testing import BotHarness


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    media = answers["media"] or ()
    kinds = ",".join(a.kind.value for a in media) or "none"
    await ctx.reply(f"day={answers['day']} media={kinds}")


async def _known_day(ctx: Context, value: str) -> str:
    await ctx.db.flush()  # an async validator may use the database
    if value.lower().startswith("sun"):
        raise UsageError("Not on Sundays: choose a working day.")
    return value


class SurveyPlugin:
    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        return [
            Dialog(
                "survey",
                (
                    Step(
                        "day",
                        "Which day? Press one or type it.",
                        choices=[Choice("Friday", "FR"), Choice("Monday", "MO")],
                        validate=_known_day,
                    ),
                    Step("media", "Photos or a video?", Expect.MEDIA, optional=True),
                ),
                on_done=_done,
            )
        ]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("survey", help="A survey")
        async def survey(ctx: Context) -> None:
            await ctx.start_dialog("survey")

        return [survey]


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("survey", SurveyPlugin())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {"bot": {"language": "en"}}


def _video(bot: BotHarness) -> Message:
    return Message(
        bot.next_id(), bot.dm("ana"), bot.user("ana"), "",
        (Attachment(AttachmentKind.VIDEO, "/tmp/v.mp4", "video/mp4"),),
        sent_at=bot.clock.now(),
    )  # fmt: skip


async def test_a_shortcut_button_answers_a_text_step(bot: BotHarness) -> None:
    [q1] = await bot.send("/survey")
    assert q1.labels == ["Friday", "Monday", "Cancel"]
    [q2] = await bot.press(q1, "Monday")
    assert q2.text == "Photos or a video?" and q2.labels == ["Skip", "Cancel"]
    [done] = await bot.feed(_video(bot))
    assert done.text == "day=MO media=video"


async def test_typed_text_answers_a_text_step_with_shortcuts(bot: BotHarness) -> None:
    await bot.send("/survey")
    [hint, again] = await bot.send("Sunday")
    assert hint.text == "Not on Sundays: choose a working day."
    assert again.text == "Which day? Press one or type it."
    await bot.send("Tuesday at nine")
    [hint, again] = await bot.send("no media here")
    assert hint.text == "Please send a photo or a video."
    assert again.text == "Photos or a video?"
    [done] = await bot.send("", photos=["/tmp/a.jpg", "/tmp/b.jpg"])
    assert done.text == "day=Tuesday at nine media=photo,photo"
