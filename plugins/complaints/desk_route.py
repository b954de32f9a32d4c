"""One step from the desk: a unit, a deadline in the leader's words, an instruction (批示).

Pressing an item's number asks, one question at a time: which unit (the one whose group the
problem was raised in first, then the one that has it now, then every other unit); by when
(``明早9点前``, ``三个工作日内``, ``周五前``, asked with the core's `deadline_steps`; a
doubtful reading is asked back: "“3点前”：您是指 10月8日（周四） 15:00 吗？"); and the
instruction, which may be skipped. Then (`desk_handover`):

* a message detected in a group and never filed is filed on the way, its author the reporter,
  and its "登记为问题" offer in the group says what it became; the other messages about the
  same problem (one item of the desk) join the ticket, their authors following it as "me too",
  and a question still open under it (a similar report? which unit?) is settled;
* the ticket goes to that unit (a new card in its group) or, when it is there already, stays
  and the unit's group is told; either way its deadline to resolve becomes the leader's (the
  deadline to acknowledge is never later), the card shows the instruction and the deadline,
  and the timeline keeps them (``instruct``).

Who may route: supervisors and the heads of the units above the item (`may_route`); a
unit's member sees the desk, and is told so when he presses a number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qunzhu.core import (
    N_,
    Choice,
    Context,
    Dialog,
    Step,
    UsageError,
    chosen_deadline,
    deadline_steps,
    due_label,
    moved_note,
)

from .desk_handover import file_offer, hand_over
from .desk_items import ASKED, may_route, scope_of
from .directory import base_config, department_name
from .models import Pending, Ticket
from .states import OPEN
from .texts import category_name

__all__ = ["DESK_DIALOGS", "EXAMPLES", "SHORTCUTS", "open_item", "route_item"]

#: The units offered as buttons when routing (any other is written by name).
SHORTCUTS = 12

EXAMPLES = N_("tomorrow 9am, within 3 working days, by Friday, 10/20 17:00")
NOT_YOURS = N_("Only the heads of units and supervisors may route problems.")


def _may_route(ctx: Context, pending: Pending | None, ticket: Ticket | None) -> bool:
    if ticket is not None:
        return may_route(ctx.person, ctx.org, ticket.department, ticket.source_chat)
    return pending is not None and may_route(ctx.person, ctx.org, None, pending.chat)


async def _item(ctx: Context, kind: str, item: int) -> tuple[Pending | None, Ticket | None]:
    """The offer or ticket of a desk item, if it is still waiting and the person sees it."""
    scope = scope_of(ctx.person, ctx.org)
    if kind == "o":
        pending = await ctx.db.get(Pending, item)
        if pending is None or pending.kind != "offer":
            return None, None
        if not scope.covers(None, pending.chat):
            return None, None
        if pending.ticket_id in (None, ASKED):
            return pending, None
        item = pending.ticket_id  # filed meanwhile (another way): route the ticket
    ticket = await ctx.db.get(Ticket, item)
    if ticket is None or not scope.covers(ticket.department, ticket.source_chat):
        return None, None
    return None, ticket


async def open_item(ctx: Context, kind: str, item: int) -> None:
    """An item's number pressed: ask for the unit, the deadline and the instruction."""
    pending, ticket = await _item(ctx, kind, item)
    if ticket is not None and ticket.status not in OPEN:
        await ctx.reply(
            ctx.t("{number} is no longer open; nothing to route.", number=ticket.number)
        )
        return
    if pending is None and ticket is None:
        await ctx.reply(ctx.t("This problem is no longer on your desk."))
        return
    if not _may_route(ctx, pending, ticket):
        await ctx.reply(ctx.t(NOT_YOURS))
        return
    config = base_config(ctx)
    if ticket is not None:
        chat, label = ticket.source_chat, ticket.number
        quote, category, current = ticket.description, ticket.category, ticket.department
    else:
        assert pending is not None
        report = pending.report
        chat, label = pending.chat, ctx.t("not filed")
        quote, current = str(report.get("description") or ""), None
        category = str(report.get("category") or "")
    owner = ctx.org.unit_of_chat(chat) if chat else None
    initial = {
        "kind": kind,
        "item": item,
        "label": label,
        "quote": " ".join(quote.split())[:200],
        "category": category_name(config, category, ctx.lang),
        "owner": owner.key if owner is not None else "",
        "current": current or "",
    }
    await ctx.start_dialog("desk_route", initial=initial)


def _which_unit(ctx: Context, answers: dict[str, Any]) -> str:
    lines = [
        f"{answers['label']} · {answers['category']}",
        f"“{answers['quote']}”",
        ctx.t("Which unit should handle it? Press one, or write its name."),
    ]
    return "\n".join(lines)


def _units(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    """At most `SHORTCUTS` units as buttons: the unit of the group it came from first, then
    the one that has it, the units above the first, then the others in the order written (a
    city has thousands: any other is written by name)."""
    org = ctx.org
    owner, current = answers.get("owner") or None, answers.get("current") or None
    above = [u.key for u in org.chain(owner)] if owner else []
    order = dict.fromkeys([k for k in (owner, current, *above) if k])
    for unit in org.units:
        if len(order) >= SHORTCUTS:
            break
        order.setdefault(unit.key)
    found = (org.unit(key) for key in list(order)[:SHORTCUTS])
    return [Choice(unit.label(ctx.lang), unit.key) for unit in found if unit is not None]


def _read_unit(ctx: Context, value: Any) -> str:
    """A unit pressed (its key) or written (its name or alias): its key; else asked again."""
    unit = ctx.org.unit(str(value or "").strip())
    if unit is None:
        raise UsageError(
            ctx.t("I know no unit “{name}”; press one, or write its name.", name=value)
        )
    return unit.key


def _by_when(ctx: Context, answers: dict[str, Any]) -> str:
    unit = department_name(ctx.org, answers.get("unit"), ctx.lang)
    return ctx.t(
        "{unit} must resolve it by when? For example: {examples}",
        unit=unit,
        examples=ctx.t(EXAMPLES),
    )


def _by_when_then(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t("By when, then? For example: {examples}", examples=ctx.t(EXAMPLES))


def _what_instruction(ctx: Context, answers: dict[str, Any]) -> str:
    unit = department_name(ctx.org, answers.get("unit"), ctx.lang)
    return ctx.t("Your instruction (批示) for {unit}, in a line; or press Skip.", unit=unit)


async def _route_done(ctx: Context, answers: dict[str, Any]) -> None:
    due = chosen_deadline(answers)
    moment = datetime.fromisoformat(due["due"])
    instruction = str(answers.get("instruction") or "").strip()
    pending, ticket = await _item(ctx, str(answers["kind"]), int(answers["item"]))
    if pending is None and (ticket is None or ticket.status not in OPEN):
        await ctx.reply(ctx.t("This problem is no longer on your desk."))
        return
    if not _may_route(ctx, pending, ticket):
        await ctx.reply(ctx.t(NOT_YOURS))
        return
    unit = str(answers["unit"])
    if ctx.org.unit(unit) is None:
        await ctx.reply(ctx.t("There is no department “{name}”.", name=unit))
        return
    config = base_config(ctx)
    if pending is not None:
        ticket = await file_offer(
            ctx, config, pending, unit=unit, moment=moment, instruction=instruction
        )
    else:
        assert ticket is not None
        await hand_over(ctx, config, ticket, unit=unit, moment=moment, instruction=instruction)
    name = department_name(ctx.org, unit, ctx.lang)
    lines = [
        ctx.t(
            "{number} is with {unit}, to be resolved by {due}.",
            number=ticket.number,
            unit=name,
            due=due_label(ctx.t, moment, ctx.calendar.tz),
        )
    ]
    if instruction:
        lines.append(ctx.t("Your instruction: {text}", text=instruction))
    if due.get("said"):
        said = date.fromisoformat(due["said"])
        today = ctx.now().astimezone(ctx.calendar.tz).date()
        lines.append(moved_note(ctx.t, ctx.calendar, said, moment, today))
    await ctx.reply("\n".join(lines))


async def route_item(
    ctx: Context, kind: str, item: int, *, unit: str, moment: datetime, instruction: str
) -> Ticket | None:
    """Route a desk item as the desk's dialog does at its end (the web console's form calls
    this too): file it when it is an offer, send it to `unit` with the deadline and the
    instruction. None when it is no longer on ``ctx.person``'s desk or no longer open;
    `UsageError` when the person may see it but not route it."""
    pending, ticket = await _item(ctx, kind, item)
    if pending is None and (ticket is None or ticket.status not in OPEN):
        return None
    if not _may_route(ctx, pending, ticket):
        raise UsageError(ctx.t(NOT_YOURS))
    config = base_config(ctx)
    if pending is not None:
        return await file_offer(
            ctx, config, pending, unit=unit, moment=moment, instruction=instruction
        )
    assert ticket is not None
    await hand_over(ctx, config, ticket, unit=unit, moment=moment, instruction=instruction)
    return ticket


DESK_DIALOGS = (
    Dialog(
        "desk_route",
        (
            Step("unit", _which_unit, choices=_units, validate=_read_unit),
            *deadline_steps(_by_when, examples=EXAMPLES, again=_by_when_then),
            Step("instruction", _what_instruction, optional=True),
        ),
        on_done=_route_done,
    ),
)
