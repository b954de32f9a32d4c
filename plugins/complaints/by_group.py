"""Routing by the group: a problem raised in a unit's own group (``org:`` units' ``chats``) goes
to that unit. When its category names another unit, the person filing it is asked which of
the two handles it ([住建局] [环卫所]): a report is never sent elsewhere without a word.

The question is a `Pending` of kind ``route`` holding the report and the two unit keys; the
answer files the report with the chosen unit (`Report.department`) and settles the
"登记为问题" offer it came from.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import or_, select

from qunzhu.core import Button, Context, Reply

from .buttons import RouteTo
from .config import ComplaintsConfig
from .directory import base_config, department_name, is_official
from .models import Pending
from .report import Report
from .texts import category_name

__all__ = ["ROUTE", "ask_unit", "group_unit", "press_route"]

ROUTE = "route"
_ASKED = -1  # as `intake`: an offer handed over to a question


def group_unit(ctx: Context, config: ComplaintsConfig, report: Report) -> tuple[str, str | None]:
    """The unit whose own group `report` came from and, when its category names another
    unit, that one: (group unit, other unit or None). ("", None): not a unit's group."""
    if report.department or report.source_kind != "group" or not report.source_chat:
        return "", None
    unit = ctx.org.unit_of_chat(report.source_chat)
    if unit is None:
        return "", None
    category = config.categories.get(report.category)
    named = category.department if category is not None else None
    return unit.key, named if named and named != unit.key else None


async def ask_unit(
    ctx: Context, config: ComplaintsConfig, report: Report, own: str, other: str
) -> None:
    """Ask which unit handles `report`: the group's `own` or the category's `other`."""
    lang = ctx.lang
    pending = Pending(
        kind=ROUTE,
        created_at=ctx.now(),
        source=f"{report.source_chat} {report.source_event}",
        report=report.to_json() | {"extra": {**report.extra, "units": [own, other]}},
    )
    ctx.db.add(pending)
    await ctx.db.flush()
    text = ctx.t(
        "This was raised in the group of {own}, but its kind ({category}) is handled by "
        "{other}. Which unit should handle it?",
        own=department_name(ctx.org, own, lang),
        category=category_name(config, report.category, lang),
        other=department_name(ctx.org, other, lang),
    )
    buttons = [
        Button(department_name(ctx.org, key, lang), data=RouteTo(pending.id, i).pack())
        for i, key in enumerate((own, other))
    ]
    here = report.source_chat == ctx.chat.key  # else asked in private about a group message
    reply_to = (report.source_event or None) if here else None
    out = await ctx.send(Reply(text, reply_to=reply_to).with_buttons(buttons))
    pending.message_id = out.id


async def press_route(ctx: Context, pending_id: int, which: int) -> None:
    """The answer: file the report with the chosen unit."""
    from .intake import submit  # intake asks here first: imported when pressed

    config = base_config(ctx)
    pending = await ctx.db.get(Pending, pending_id)
    if pending is None or pending.kind != ROUTE:
        await ctx.reply(ctx.t("This offer is no longer available."))
        return
    data = dict(pending.report)
    extra = dict(data.get("extra") or {})
    units = list(extra.pop("units", []))
    report = Report.from_json({**data, "extra": extra})
    if ctx.sender.key != report.reporter_key and not is_official(ctx.person, config):
        await ctx.reply(ctx.t("Only the person who reported it may answer this."))
        return
    if pending.ticket_id is not None or not 0 <= which < len(units):
        await ctx.reply(ctx.t("This offer is no longer available."))
        return
    chosen = units[which]
    pending.ticket_id = _ASKED
    if pending.message_id is not None:
        name = department_name(ctx.org, chosen, ctx.lang)
        await ctx.edit(pending.message_id, Reply(ctx.t("To be handled by {unit}.", unit=name)))
    ticket = await submit(ctx, replace(report, department=chosen), reply_to=report.source_event)
    if ticket is None:
        return  # a possible duplicate is asked about first
    pending.ticket_id = ticket.id
    offers = (
        await ctx.db.scalars(
            select(Pending).where(
                Pending.kind == "offer",
                Pending.source == pending.source,
                or_(Pending.ticket_id.is_(None), Pending.ticket_id == _ASKED),
            )
        )
    ).all()
    for offer in offers:
        offer.ticket_id = ticket.id
        if offer.message_id is not None:
            text = ctx.t("Filed as {number}.", number=ticket.number)
            await ctx.edit(offer.message_id, Reply(text))
