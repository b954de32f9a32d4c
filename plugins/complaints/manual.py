"""Closing and reopening by hand: ``/close Q-2026-0001 原因`` (``/关闭``) and ``/reopen
Q-2026-0001 原因`` (``/重开``), for supervisors (and admins).

A ticket the supervisors know is done (handled on the phone, merged offline) is closed; one
closed too early, or whose problem came back, is reopened with fresh deadlines. The reason is
the timeline's note; the unit's group is told (unless this is that group) and so are the
reporter and the "me too" followers, in the words every outcome uses: no message names the
reporter.
"""

from __future__ import annotations

from qunzhu.core import N_, ChatRef, Context, Text, UsageError, command

from .directory import department_chat, department_name, t_for_chat
from .tickets import Refused, find, move, notify_followers

__all__ = ["close_command", "reopen_command"]


async def _by_hand(ctx: Context, action: str, number: str, reason: str) -> None:
    ticket = await find(ctx, number)
    if ticket is None:
        raise UsageError(ctx.t("There is no ticket {number}.", number=number.strip()))
    reason = reason.strip()[:1000]
    if not reason:
        raise UsageError(
            ctx.t("Please add the reason after the number, for the record and the department.")
        )
    try:
        await move(ctx, ticket, action, note=reason)
    except Refused as refused:
        raise UsageError(refused.text) from None
    if action == "close":
        told = N_("Your report {number} was closed: {reason}")
        unit = N_("{name} closed {number}: {reason}. Nothing more to do on it.")
        done = ctx.t("{number} is closed.", number=ticket.number)
    else:
        told = N_("Your report {number} was reopened: {reason}")
        unit = N_("{name} reopened {number}: {reason}. Acknowledge it again on its card.")
        done = ctx.t(
            "{number} is reopened, with new deadlines, at {department}.",
            number=ticket.number,
            department=department_name(ctx.org, ticket.department, ctx.lang) or "-",
        )
    await notify_followers(ctx, ticket, told, reason=reason)
    group = department_chat(ctx.org, ticket.department)
    if group is not None and group != ctx.chat.key:
        t = t_for_chat(ctx, group)
        text = t(unit, name=ctx.person.name, number=ticket.number, reason=reason)
        await ctx.send(text, chat=ChatRef.parse(group))
    await ctx.reply(done)


@command(
    "close",
    aliases=["关闭", "關閉"],
    role="supervisor",
    help=N_("Close a ticket by hand: /close Q-2026-0001 reason"),
)
async def close_command(ctx: Context, number: str, reason: Text = "") -> None:
    await _by_hand(ctx, "close", number, reason)


@command(
    "reopen",
    aliases=["重开", "重開"],
    role="supervisor",
    help=N_("Reopen a ticket by hand: /reopen Q-2026-0001 reason"),
)
async def reopen_command(ctx: Context, number: str, reason: Text = "") -> None:
    await _by_hand(ctx, "reopen", number, reason)
