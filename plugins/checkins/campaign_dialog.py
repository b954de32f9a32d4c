"""The dialog that creates (``/checkins 新建``) or edits (``/checkins 修改 NAME``) a campaign in
chat, one question at a time, with buttons for the usual answers: the name; the days (and hours);
the hours when the days did not say them; who reports (mentions, names or a role); the owners; the
questions; then a confirmation. Editing offers a "Keep" button on every question.

The answers are checked and turned into a campaign in `campaign_answers`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qunzhu.core import N_, Choice, Context, Dialog, Expect, Step

from .campaign_answers import (
    DEFAULT,
    DEFAULT_QUESTIONS,
    KEEP,
    ME,
    campaign_of,
    name_validator,
    resolved,
    validate_close,
    validate_hours,
    validate_owners,
    validate_questions,
    validate_when,
    validate_who,
    when_answer,
)
from .config import Campaign
from .people_text import role_label
from .schedule_text import describe
from .settings import campaign_zone
from .texts import when_label
from .windows import next_opening

__all__ = ["campaign_dialog", "summary_lines"]

_DAYS = (
    (N_("Every Friday"), "FREQ=WEEKLY;BYDAY=FR"),
    (N_("Every Monday"), "FREQ=WEEKLY;BYDAY=MO"),
    (N_("Every working day"), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    (N_("Last Friday of the month"), "FREQ=MONTHLY;BYDAY=-1FR"),
)
_HOURS = ("09:00-18:00", "08:30-17:30", "09:00-12:00", "14:00-18:00")
_CLOSES = ("12:00", "18:00")


def _keep(ctx: Context, answers: dict[str, Any], label: str) -> list[Choice]:
    if "current" not in answers:
        return []
    short = label if len(label) <= 30 else label[:29] + "…"  # a button, on a phone
    return [Choice(ctx.t("Keep: {value}", value=short), KEEP)]


# -- name ------------------------------------------------------------------------------------
def _ask_name(ctx: Context, answers: dict[str, Any]) -> str:
    if "current" in answers:
        return ctx.t(
            "✏️ Editing {name} (1/6). Write a new name, or press Keep.",
            name=answers["current"]["name"],
        )
    return ctx.t("🆕 New check-in (1/6). What is it called? For example: 水源保护周报")


# -- days and hours --------------------------------------------------------------------------
def _ask_when(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t(
        "📅 (2/6) On which days? Press a button, or write the days and the hours, for example "
        "周五 9:00-18:00 or 周一三五 8:30-12:00 (experts: an RRULE or cron, such as 0 9 * * FRI)."
    )


def _when_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    keep = []
    if "current" in answers:
        keep = _keep(ctx, answers, _schedule_words(ctx, answers["current"]))
    return [*(Choice(label, value) for label, value in _DAYS), *keep]


def _needs_hours(answers: dict[str, Any]) -> bool:
    when = when_answer(answers)
    return not when.get("closes") and not when.get("cron")


def _needs_close(answers: dict[str, Any]) -> bool:
    when = when_answer(answers)
    return not when.get("closes") and bool(when.get("cron"))


def _ask_hours(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t(
        "🕘 (3/6) From when to when? Press a button, or write for example 9:00-18:00 (a closing "
        "time earlier than the opening one is on the next day)."
    )


def _hours_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    keep = []
    current = answers.get("current")
    if current and current.get("hours"):
        hours = current["hours"]
        keep = _keep(ctx, answers, f"{hours['opens'] or ''}–{hours['closes']}")
    return [*(Choice(h.replace("-", "–"), h) for h in _HOURS), *keep]


# -- people ----------------------------------------------------------------------------------
def _ask_who(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t(
        "👥 (4/6) Who must report? Mention them (@福州市长 @厦门市长), write their names "
        "separated by spaces or 、, or choose a role."
    )


def _who_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    roles = [
        Choice(ctx.t("Role: {role}", role=role_label(ctx, r)), f"role:{r}")
        for r in answers.get("roles", [])
    ]
    keep = []
    if "current" in answers:
        keep = _keep(ctx, answers, ctx.t(", ").join(answers["current"]["who"]["names"]))
    return [*roles, *keep]


def _ask_owners(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t(
        "👤 (5/6) Who are the owners? They acknowledge reports with 👍 and may open, close, "
        "pause, edit or delete the check-in. Press “Just me”, or mention the others (you stay "
        "one of them)."
    )


def _owner_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    keep = []
    if "current" in answers:
        keep = _keep(ctx, answers, ctx.t(", ").join(answers["current"]["owners"]["names"]))
    return [Choice(N_("Just me"), ME), *keep]


# -- questions -------------------------------------------------------------------------------
def _ask_questions(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t(
        "❓ (6/6) Which questions should the prompt ask? Press the button for the usual three, "
        "or write your own, one per line or separated by / (at most 8)."
    )


def _question_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    usual = ctx.t("The usual: {questions}", questions=" / ".join(DEFAULT_QUESTIONS))
    keep = []
    if "current" in answers:
        keep = _keep(ctx, answers, " / ".join(answers["current"]["questions"]))
    return [Choice(usual, DEFAULT), *keep]


# -- confirmation ----------------------------------------------------------------------------
def _schedule_words(ctx: Context, current: dict[str, Any]) -> str:
    when = current["when"]
    hours = current.get("hours") or {}
    campaign = Campaign(name="x", group="x:y", schedule=when["schedule"])
    opens = hours.get("opens") or ""
    return f"{describe(ctx.t, campaign)} {opens}–{hours.get('closes', '')}"


def summary_lines(ctx: Context, campaign: Campaign, who: list[str], owners: list[str]) -> list[str]:
    """The campaign in words: when, who, owners, the questions, the next opening."""
    tz = campaign_zone(ctx.app, campaign)
    window = next_opening(campaign, tz, ctx.calendar, ctx.now())
    nxt = when_label(ctx.t, window.opens_at, tz) if window else ctx.t("never")
    return [
        ctx.t("Name: {name}", name=campaign.name),
        ctx.t(
            "When: {days} {opens}–{closes} ({zone})",
            days=describe(ctx.t, campaign),
            opens=campaign.opens or ctx.t("the cron's time"),
            closes=campaign.closes,
            zone=tz.key,
        ),
        ctx.t("Who reports ({count}): {names}", count=len(who), names=ctx.t(", ").join(who)),
        ctx.t("Owners: {names}", names=ctx.t(", ").join(owners)),
        ctx.t("Questions:"),
        *(f"{i}. {q}" for i, q in enumerate(campaign.questions, 1)),
        ctx.t("Next check-in: {when}", when=nxt),
    ]


def _ask_confirm(ctx: Context, answers: dict[str, Any]) -> str:
    campaign = campaign_of(answers)
    who = resolved(answers, "who")["names"]
    owners = resolved(answers, "owners")["names"]
    head = ctx.t("Please check, then press the button:")
    return "\n".join([head, *summary_lines(ctx, campaign, who, owners)])


def _confirm_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    if "current" in answers:
        return [Choice(N_("✅ Save the changes"), "yes")]
    return [Choice(N_("✅ Create it"), "yes")]


def campaign_dialog(
    name: str, editing: bool, on_done: Callable[[Context, dict[str, Any]], Any]
) -> Dialog:
    """The dialog `name`: creating a campaign, or (`editing`) changing one."""
    return Dialog(
        name,
        (
            Step("name", _ask_name, choices=_keep_name, validate=name_validator(editing)),
            Step("when", _ask_when, choices=_when_choices, validate=validate_when),
            Step(
                "hours",
                _ask_hours,
                choices=_hours_choices,
                validate=validate_hours,
                when=_needs_hours,
            ),
            Step(
                "close",
                N_(
                    "🕘 (3/6) It opens at the time the cron expression gives. At what time does "
                    "it close? For example 18:00."
                ),
                choices=[Choice(c, c) for c in _CLOSES],
                validate=validate_close,
                when=_needs_close,
            ),
            Step("who", _ask_who, choices=_who_choices, validate=validate_who),
            Step("owners", _ask_owners, choices=_owner_choices, validate=validate_owners),
            Step(
                "questions", _ask_questions, choices=_question_choices, validate=validate_questions
            ),
            Step("confirm", _ask_confirm, Expect.CHOICE, choices=_confirm_choices),
        ),
        on_done=on_done,
    )


def _keep_name(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    return _keep(ctx, answers, answers["current"]["name"]) if "current" in answers else []
