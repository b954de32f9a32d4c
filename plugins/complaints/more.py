"""The rarer steps behind a card's "更多…" button, as dialogs: which step (不予受理, 重复, 非本部门
职责), for a duplicate the earlier ticket's number, then the reason; `outcomes` does it.

The menu offers only what the person who pressed may do to the ticket in its state now, and
the last step checks again, so a ticket changed meanwhile is left as it is, with an answer
saying why. ``/cancel`` or Cancel leaves at any step, changing nothing."""

from __future__ import annotations

from typing import Any

from qunzhu.core import N_, Choice, Context, Dialog, Expect, Step, UsageError

from .directory import allowed, base_config
from .models import Ticket
from .numbers import format_number, parse_number
from .outcomes import decline, merge, reject, root, unusable
from .states import ACTIONS, LABELS, OPEN
from .tickets import Refused, find

__all__ = ["MORE_DIALOGS", "open_menu"]

#: The menu's entries, in the order shown.
MENU = {
    "decline": N_("Not our responsibility"),
    "reject": N_("Do not accept"),
    "duplicate": N_("Duplicate of another ticket"),
}


async def open_menu(ctx: Context, ticket_id: int) -> None:
    """ "更多…" pressed: ask which of the rarer steps, among those this person may take."""
    ticket = await ctx.db.get(Ticket, ticket_id)
    if ticket is None:
        await ctx.reply(ctx.t("That ticket does not exist (any more)."))
        return
    options = [
        action
        for action in MENU
        if ticket.status in ACTIONS[action].sources and allowed(ctx.person, ctx.org, ticket, action)
    ]
    if not options:
        await ctx.reply(_nothing_to_do(ctx, ticket))
        return
    initial = {"ticket": ticket.id, "number": ticket.number, "options": options}
    await ctx.start_dialog("more", initial={**initial, "year": str(ticket.year)})


def _nothing_to_do(ctx: Context, ticket: Ticket) -> str:
    if ticket.status not in OPEN:
        return ctx.t(
            "{number} is already “{status}”; nothing was changed.",
            number=ticket.number,
            status=ctx.t(LABELS[ticket.status]),
        )
    return ctx.t(
        "Only supervisors may reject {number} or mark it a duplicate; only its department "
        "may return it.",
        number=ticket.number,
    )


def _options(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    return [Choice(MENU[a], a) for a in answers.get("options", ()) if a in MENU]


async def _chosen(ctx: Context, answers: dict[str, Any]) -> None:
    keep = {k: answers[k] for k in ("ticket", "number", "year")}
    if answers["action"] == "duplicate":
        await ctx.start_dialog("original", initial=keep)
    else:
        await ctx.start_dialog("why", initial={**keep, "action": answers["action"]})


def _ticket_number(ctx: Context, value: Any) -> Any:
    """``Q-2026-0001``, ``q2026-1``, or just ``1`` (a ticket of the same year)."""
    text = str(value).strip()
    number = parse_number(text)
    if number is None and text.isdigit() and len(text) <= 6:
        return text  # the year is added when the ticket is looked up
    if number is None:
        raise UsageError(ctx.t("Please type a ticket number, such as Q-2026-0001."))
    return number


async def _original_given(ctx: Context, answers: dict[str, Any]) -> None:
    """The earlier ticket was typed: check it, then ask why."""
    text = str(answers["original"])
    if text.isdigit():
        text = format_number(int(answers["year"]), int(text))
    keep = {k: answers[k] for k in ("ticket", "number", "year")}
    original = await root(ctx, await find(ctx, text))
    problem = unusable(ctx, original, text, int(answers["ticket"]))
    if problem is not None or original is None:
        await ctx.reply(problem or "")
        await ctx.start_dialog("original", initial=keep)
        return
    initial = {**keep, "action": "duplicate", "original": original.number}
    await ctx.start_dialog("why", initial=initial)


def _why(ctx: Context, answers: dict[str, Any]) -> str:
    number = str(answers["number"])
    if answers["action"] == "reject":
        return ctx.t(
            "{number}: why is it not accepted? The reporter will read your answer.", number=number
        )
    if answers["action"] == "duplicate":
        return ctx.t(
            "{number} repeats {original}: why? (one line for the record)",
            number=number,
            original=answers["original"],
        )
    return ctx.t(
        "{number}: why is it not your department's responsibility? The supervisors and the "
        "reporter will read your answer.",
        number=number,
    )


async def _decided(ctx: Context, answers: dict[str, Any]) -> None:
    """The reason was given: do it, and tell who needs to know."""
    ticket = await ctx.db.get(Ticket, int(answers["ticket"]))
    if ticket is None:
        await ctx.reply(ctx.t("That ticket does not exist (any more)."))
        return
    reason = str(answers["reason"]).strip()[:1000]
    config = base_config(ctx)
    try:
        if answers["action"] == "reject":
            await reject(ctx, ticket, reason)
        elif answers["action"] == "duplicate":
            await merge(ctx, config, ticket, str(answers["original"]), reason)
        else:
            await decline(ctx, config, ticket, reason)
    except Refused as refused:
        await ctx.reply(refused.text)


MORE_DIALOGS = (
    Dialog(
        "more",
        (Step("action", N_("{number}: what should be done?"), Expect.CHOICE, _options),),
        on_done=_chosen,
    ),
    Dialog(
        "original",
        (
            Step(
                "original",
                N_(
                    "{number}: the same problem as which earlier ticket? Type its number, "
                    "such as Q-{year}-0001."
                ),
                validate=_ticket_number,
            ),
        ),
        on_done=_original_given,
    ),
    Dialog("why", (Step("reason", _why),), on_done=_decided),
)
