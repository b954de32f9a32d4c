"""Reporting in a private chat: ``/checkin`` (or the prompt's button) asks the questions one at a
time, then for photos or videos, and posts the report in the group for the owners. Photos and
videos sent afterwards, until the close, join the report (`attachments`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from qunzhu.core import N_, Choice, Context, Dialog, Expect, Reply, Step

from .campaigns import named
from .models import Round
from .reports import attachment_json, store_report

__all__ = ["DIALOG", "MAX_QUESTIONS", "open_rounds_of", "start_me_first", "start_report"]

MAX_QUESTIONS = 8


async def open_rounds_of(ctx: Context) -> list[Round]:
    """The open rounds that list the sender."""
    rounds = await ctx.db.scalars(select(Round).where(Round.state == "open").order_by(Round.day))
    return [r for r in rounds if any(int(m["id"]) == ctx.person.id for m in r.roster)]


async def start_report(ctx: Context, rounds: list[Round]) -> None:
    """Start the dialog in the sender's private chat, for one of `rounds`."""
    questions: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for rnd in rounds:
        campaign = await named(ctx.app, ctx.db, rnd.campaign)
        if campaign is not None:
            questions[str(rnd.id)] = list(campaign.questions)
            labels[str(rnd.id)] = rnd.campaign
    if not questions:  # their campaigns were removed from the configuration meanwhile
        await ctx.reply(ctx.t("No check-in is waiting for your report now."))
        return
    initial: dict[str, Any] = {"questions": questions, "labels": labels}
    if len(questions) == 1:
        initial["round"] = next(iter(questions))
    await ctx.start_dialog("report", chat=await ctx.direct_chat(), initial=initial)


async def start_me_first(ctx: Context) -> None:
    """The prompt's button pressed by someone the bot may not write to in private yet (on
    Telegram, who never wrote to it): say so under the prompt, naming them, rather than ask
    questions they would never receive."""
    press = ctx.button
    assert press is not None
    username = ctx.app.adapter_for(ctx.chat.platform).bot_username
    bot = f"@{username}" if username else ctx.t("a private chat with me")
    text = ctx.t(
        "{name}, I cannot write to you in private yet: open {bot} and press Start, then press "
        "“{button}” again. Or simply reply to this message with your report.",
        name=ctx.person.name, bot=bot, button=ctx.t("✍️ Answer privately"),
    )  # fmt: skip
    await ctx.send(Reply(text, reply_to=press.message_id, mentions=(ctx.sender.key,)))


def _which(ctx: Context, answers: dict[str, Any]) -> str:
    return str(ctx.t("Which check-in are you reporting for?"))


def _options(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    return [Choice(label, key) for key, label in answers["labels"].items()]


def _asks(index: int) -> Step:
    def question(ctx: Context, answers: dict[str, Any]) -> str:
        questions = answers["questions"][str(answers["round"])]
        return f"{index + 1}/{len(questions)} {questions[index]}"

    def applies(answers: dict[str, Any]) -> bool:
        return index < len(answers["questions"].get(str(answers.get("round")), []))

    return Step(f"q{index}", question, when=applies)


async def _done(ctx: Context, answers: dict[str, Any]) -> None:
    rnd = await ctx.db.get(Round, int(answers["round"]))
    campaign = await named(ctx.app, ctx.db, rnd.campaign) if rnd else None
    if rnd is None or campaign is None:
        await ctx.reply(ctx.t("This check-in no longer exists; your answers were not saved."))
        return
    questions = answers["questions"][str(rnd.id)]
    text = "\n".join(f"{q}：{answers.get(f'q{i}') or ''}" for i, q in enumerate(questions))
    photos = answers.get("media") or ()
    await store_report(ctx, rnd, campaign, text, attachment_json(photos), source="private")


DIALOG = Dialog(
    "report",
    (
        Step(
            "round",
            _which,
            Expect.CHOICE,
            choices=_options,
            when=lambda answers: not answers.get("round"),
        ),
        *(_asks(i) for i in range(MAX_QUESTIONS)),
        Step(
            "media",
            N_("Send photos or a video of the work if you have any, or press Skip."),
            Expect.MEDIA,
            optional=True,
        ),
    ),
    on_done=_done,
)
