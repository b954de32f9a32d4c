"""The leader's problem desk (``/desk``, 问题台, 问题清单), in private chat: one list of the
problems of every group he supervises, filed or not, the most urgent, most overdue and most
repeated first (`desk_items`), each with its group, a short quote and its age.

Buttons filter it (全部, 超期, 未受理, 本周, 按单位) and page it; a typed ``/问题台 超期`` or
``/问题台 住建局`` does the same. An item's number routes it in one step (`desk_route`). Asked
for in a group, the desk is not shown there: it is the leader's own view, and the bot says to
write privately. Pages are edited in place when the buttons are pressed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from qunzhu.core import N_, Button, Context, Reply, UsageError, command

from .desk_buttons import UNIT_KEY, DeskFilter, DeskOpen, DeskPage, DeskUnits
from .desk_items import Scope, may_route, scope_of
from .desk_slice import desk_slice, unit_counts
from .desk_texts import FILTERS, heading, item_lines
from .directory import base_config

__all__ = ["desk_command", "press_desk"]

PAGE = 8
#: The last line of a page none of whose items the person may route (a unit's member).
ONLY_HEADS = N_(
    "You see the problems of your units here; only the heads of units and supervisors may "
    "route them."
)
_NUMBERS_PER_ROW = 4
_WORDS = {
    "全部": DeskFilter.ALL,
    "all": DeskFilter.ALL,
    "超期": DeskFilter.OVERDUE,
    "逾期": DeskFilter.OVERDUE,
    "overdue": DeskFilter.OVERDUE,
    "未受理": DeskFilter.UNTAKEN,
    "未處理": DeskFilter.UNTAKEN,
    "未处理": DeskFilter.UNTAKEN,
    "new": DeskFilter.UNTAKEN,
    "本周": DeskFilter.WEEK,
    "本週": DeskFilter.WEEK,
    "week": DeskFilter.WEEK,
}


@command(
    "desk",
    aliases=["问题台", "问题清单", "問題台", "問題清單", "督办", "督辦"],
    help=N_(
        "Your problem desk, in private: every problem of the groups you supervise; "
        "/desk overdue, /desk 住建局"
    ),
)
async def desk_command(ctx: Context, words: str = "", page: int = 1) -> None:
    if not ctx.chat.is_direct:
        await ctx.reply(
            ctx.t("The problem desk is yours alone: write /desk to me in a private chat.")
        )
        return
    which, unit = _read_filter(ctx, words)
    await ctx.reply(await _page(ctx, which, unit, page))


def _read_filter(ctx: Context, words: str) -> tuple[DeskFilter, str]:
    text = words.strip()
    if not text:
        return DeskFilter.ALL, ""
    found = _WORDS.get(text.lower())
    if found is not None:
        return found, ""
    unit = ctx.org.unit(text)
    if unit is None:
        raise UsageError(
            ctx.t(
                "I know no filter or unit “{text}”. Try: /desk, /desk overdue, /desk 未受理, "
                "/desk 本周, or a unit's name.",
                text=text,
            )
        )
    return DeskFilter.UNIT, unit.key


def week_start(ctx: Context) -> datetime:
    """Monday 00:00 of this week, in the bot's timezone."""
    local = ctx.now().astimezone(ctx.calendar.tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=local.tzinfo)


def _scope(ctx: Context) -> Scope:
    scope = scope_of(ctx.person, ctx.org)
    if not scope:
        raise UsageError(
            ctx.t(
                "The problem desk lists the problems of the units you lead or belong to, "
                "and you belong to none. Ask an administrator to add you to your unit."
            )
        )
    return scope


async def _page(ctx: Context, which: DeskFilter, unit: str, page: int) -> Reply:
    start = week_start(ctx)
    shown = await desk_slice(ctx, _scope(ctx), which, unit, start, page=page, per_page=PAGE)
    page, pages, chunk = shown.page, shown.pages, shown.items
    found = ctx.org.unit(unit) if unit else None
    label = (
        found.label(ctx.lang)
        if found is not None
        else ctx.t(FILTERS.get(which, FILTERS[DeskFilter.ALL]))
    )
    lines = [heading(ctx.t, label, shown)]
    config, now = base_config(ctx), ctx.now()
    for n, item in enumerate(chunk, start=(page - 1) * PAGE + 1):
        lines.append(item_lines(ctx.t, config, ctx.org, ctx.calendar, n=n, item=item, now=now))
    if not chunk:
        lines.append(ctx.t("Nothing here: no problem waits in your groups."))
    elif any(may_route(ctx.person, ctx.org, i.department, i.chat) for i in chunk):
        lines.append(ctx.t("Press a number to send that problem to a unit with your deadline."))
    else:
        lines.append(ctx.t(ONLY_HEADS))
    numbers = [
        Button(str(n), data=DeskOpen(item.kind, item.id).pack())
        for n, item in enumerate(chunk, start=(page - 1) * PAGE + 1)
    ]
    rows = [numbers[i : i + _NUMBERS_PER_ROW] for i in range(0, len(numbers), _NUMBERS_PER_ROW)]
    filters = [
        Button(("✓ " if f is which else "") + ctx.t(name), data=DeskPage(f, "", 1).pack())
        for f, name in FILTERS.items()
    ]
    filters.append(Button(ctx.t("By unit"), data=DeskUnits(1).pack()))
    rows += [filters[:3], filters[3:]]
    moves = []
    if page > 1:
        moves.append(Button(ctx.t("◀ Previous"), data=DeskPage(which, unit, page - 1).pack()))
    if page < pages:
        moves.append(Button(ctx.t("Next ▶"), data=DeskPage(which, unit, page + 1).pack()))
    if moves:
        rows.append(moves)
    return Reply("\n".join(lines)).with_buttons(*rows)


async def _units(ctx: Context) -> Reply:
    """The units that have problems on the desk, with how many, to filter by one: each item
    counts for the units above its unit and above its group's unit (`unit_counts`)."""
    counts = await unit_counts(ctx, _scope(ctx))
    buttons = [
        Button(
            f"{unit.label(ctx.lang)} ({counts[unit.key]})",
            data=DeskPage(DeskFilter.UNIT, unit.key, 1).pack(),
        )
        for unit in ctx.org.units
        if counts.get(unit.key) and len(unit.key.encode()) <= UNIT_KEY  # else: /desk <name>
    ]
    if not buttons:
        return Reply(ctx.t("Nothing here: no problem waits in your groups."))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return Reply(ctx.t("Which unit's problems?")).with_buttons(*rows)


async def press_desk(ctx: Context, data: str) -> bool:
    """Handle a desk button; False when `data` is not one."""
    if (page := DeskPage.unpack(data)) is not None:
        await _show(ctx, await _page(ctx, page.which, page.unit, page.page))
    elif (units := DeskUnits.unpack(data)) is not None and units.page >= 1:
        await _show(ctx, await _units(ctx))
    elif (opened := DeskOpen.unpack(data)) is not None:
        from .desk_route import open_item

        await open_item(ctx, opened.kind, opened.item)
    else:
        return False
    return True


async def _show(ctx: Context, reply: Reply) -> None:
    """Edit the desk message the button was under, else send the page anew."""
    press = ctx.button
    target = await ctx.outgoing_for(press.message_id) if press is not None else None
    if target is None:
        await ctx.reply(reply)
    else:
        await ctx.edit(target, reply)
