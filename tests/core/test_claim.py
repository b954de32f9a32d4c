"""One message, one owner: `ctx.claim()` and `ctx.handled_by` across plugins, in pluggy's order
(``tryfirst`` answers, default readers, ``trylast`` offers), undone when the claimer fails."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from qunzhu.core import Context, hookimpl
from qunzhu.core.testing import BotHarness


class Answers:
    """Reads "yes" as the answer to its question, first; claims it."""

    @hookimpl(tryfirst=True, specname="on_message")
    async def answer_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        if ctx.message.text == "yes":
            assert ctx.claim()
            await ctx.reply("answers: noted yes")


class Reports:
    """Takes "#report ..." (the default phase); fails on "#report boom" after claiming it."""

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        if ctx.handled_by is not None or not ctx.message.text.startswith("#report"):
            return
        assert ctx.claim() and ctx.claim()  # claiming again keeps it
        if "boom" in ctx.message.text:
            raise RuntimeError("a bug after the claim")
        await ctx.reply("reports: recorded")


class Offers:
    """Offers something for any message nobody took (declared first, called last)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, bool]] = []

    @hookimpl(trylast=True)
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        owner = ctx.handled_by
        self.seen.append((ctx.message.text, owner, ctx.claim()))  # the first claim stands
        if owner is None:
            await ctx.reply("offers: want to file it?")


@pytest.fixture
def offers() -> Offers:
    return Offers()


@pytest.fixture
def bot_plugins(offers: Offers) -> Sequence[object]:
    # registered so that pluggy's default (last registered, first called) would call the
    # offer first: only tryfirst/trylast put it last
    return [("reports", Reports()), ("answers", Answers()), ("offers", offers)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {"bot": {"language": "en"}}


async def test_a_claimed_message_gets_no_offer(bot: BotHarness, offers: Offers) -> None:
    assert [s.text for s in await bot.send("#report all done")] == ["reports: recorded"]
    assert [s.text for s in await bot.send("yes")] == ["answers: noted yes"]
    assert [s.text for s in await bot.send("a photo of a pothole")] == ["offers: want to file it?"]
    assert offers.seen == [
        ("#report all done", "reports", False),
        ("yes", "answers", False),
        ("a photo of a pothole", None, True),
    ]


async def test_the_claim_of_a_failed_handler_is_undone(bot: BotHarness, offers: Offers) -> None:
    texts = [s.text for s in await bot.send("#report boom")]
    # the report was not recorded (an apology says so), so the message is nobody's: offered
    assert texts == [
        "Sorry, something went wrong while handling that. It has been logged.",
        "offers: want to file it?",
    ]
    assert offers.seen[-1] == ("#report boom", None, True)
