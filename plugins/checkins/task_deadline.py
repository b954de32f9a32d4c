"""A task's deadline asked for, or asked back: "您是指 10月8日（周四） 17:30 吗？" with
是 / 换一个时间 when the reading is in doubt (`Deadline.doubt`), "期限是什么时候？" with examples
in the reader's language when no deadline could be read. Never guessed silently."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qunzhu.core import (
    N_,
    Choice,
    Context,
    Dialog,
    Expect,
    Step,
    UsageError,
    day_off_reason,
    due_label,
    find_deadline,
)

from .tasks import EXAMPLES, create, end_of_work
from .texts import day_label

__all__ = ["DEADLINE_DIALOG"]


def _parse_due(ctx: Context, value: str) -> dict[str, Any]:
    """A deadline typed in answer to the question: taken as read (the card shows the date)."""
    found = find_deadline(value, ctx.now(), ctx.calendar.tz, ctx.calendar, end_of_work(ctx))
    if found is None or found.due <= ctx.now():
        raise UsageError(
            ctx.t("Please write the deadline like this: {examples}", examples=ctx.t(EXAMPLES))
        )
    return found.to_json()


def _ask_back(ctx: Context, answers: dict[str, Any]) -> str:
    """``明天是国庆假期…``/``“3点前”：您是指 10月8日（周四） 15:00 吗？``"""
    suggested = answers["suggested"]
    due = datetime.fromisoformat(suggested["due"])
    question = ctx.t(
        "“{phrase}”: do you mean {when}?",
        phrase=suggested["phrase"],
        when=due_label(ctx.t, due, ctx.calendar.tz),
    )
    if not suggested["said"]:
        return question
    said = date.fromisoformat(suggested["said"])
    why = ctx.t(
        "{day} is {reason}.",
        day=day_label(ctx.t, said),
        reason=day_off_reason(ctx.t, ctx.calendar, said),
    )
    return why + "\n" + question


def _by_when(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t("By when? For example: {examples}", examples=ctx.t(EXAMPLES))


async def _deadline_given(ctx: Context, answers: dict[str, Any]) -> None:
    chosen = answers["suggested"] if answers.get("confirm") == "yes" else answers["due"]
    said = date.fromisoformat(chosen["said"]) if chosen.get("said") else None
    due = datetime.fromisoformat(chosen["due"])
    await create(ctx, answers, answers["text"], due, chosen["phrase"], said=said)


DEADLINE_DIALOG = Dialog(
    "deadline",
    (
        Step(
            "confirm",
            _ask_back,
            expect=Expect.CHOICE,
            choices=(Choice(N_("Yes"), "yes"), Choice(N_("Another time"), "other")),
            when=lambda answers: "suggested" in answers,
        ),
        Step(
            "due",
            _by_when,
            validate=_parse_due,
            when=lambda answers: answers.get("confirm") != "yes",
        ),
    ),
    on_done=_deadline_given,
)
