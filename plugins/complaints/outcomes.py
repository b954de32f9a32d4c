"""The outcomes of a ticket other than a resolution: 不予受理 (rejected, by a supervisor), 重复
(a duplicate of an earlier ticket, by a supervisor: its reporter and followers join the earlier
one, whose "me too" count rises) and 非本部门职责 (returned by the department, back to the
supervisors to route again).

Each writes the reason on the ticket and its timeline, refreshes the cards, and tells the
reporter and the "me too" followers where they reported; no message names the reporter."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core import N_, ChatRef, Context

from .cards import refresh_card
from .config import ComplaintsConfig
from .directory import t_for_chat
from .models import Follower, Ticket
from .states import LABELS, OPEN, Status
from .tickets import Refused, check, find, move, notify_followers, record

__all__ = ["decline", "merge", "reject", "root", "unusable"]


async def root(ctx: Context, ticket: Ticket | None) -> Ticket | None:
    """A ticket that is itself a duplicate stands for the one it repeats."""
    seen: set[int] = set()
    while ticket is not None and ticket.duplicate_of is not None and ticket.id not in seen:
        seen.add(ticket.id)
        ticket = await ctx.db.get(Ticket, ticket.duplicate_of)
    return ticket


def unusable(ctx: Context, original: Ticket | None, typed: str, ticket_id: int) -> str | None:
    if original is None:
        return ctx.t("There is no ticket {number}.", number=typed)
    if original.id == ticket_id:
        return ctx.t("That is this ticket itself; type the number of the earlier one.")
    if original.status not in (*OPEN, Status.RESOLVED):
        return ctx.t(
            "{number} is already “{status}”. If the problem is back, press Cancel and "
            "handle this ticket as a new one.",
            number=original.number,
            status=ctx.t(LABELS[original.status]),
        )
    return None


async def reject(ctx: Context, ticket: Ticket, reason: str) -> None:
    check(ctx, ticket, "reject")
    group = ticket.card_chat
    ticket.reason = reason
    await move(ctx, ticket, "reject", note=reason)
    told = await notify_followers(
        ctx,
        ticket,
        N_("Your report {number} will not be handled: {reason}"),
        reason=reason,
    )
    if told:
        await ctx.send(
            ctx.t("{number} is not accepted; the reporter is told why.", number=ticket.number)
        )
    else:
        await ctx.send(ctx.t("{number} is not accepted.", number=ticket.number))
    await _tell_group(
        ctx,
        group,
        N_("{name} did not accept {number}: {reason}. Nothing more to do on it."),
        number=ticket.number,
        reason=reason,
    )


async def merge(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, number: str, reason: str
) -> None:
    original = await root(ctx, await find(ctx, number))
    problem = unusable(ctx, original, number, ticket.id)
    if problem is not None or original is None:
        raise Refused(problem or "")
    check(ctx, ticket, "duplicate")
    group = ticket.card_chat
    ticket.reason, ticket.duplicate_of = reason, original.id
    await move(ctx, ticket, "duplicate", note=f"{original.number} · {reason}")
    await _follow(ctx, ticket, original)
    original.metoo += 1 + ticket.metoo
    original.updated_at = ctx.now()
    record(ctx, original, "metoo", before=original.status, note=ticket.number)
    await refresh_card(ctx, config, original)
    await notify_followers(
        ctx,
        ticket,
        N_(
            "Your report {number} is the same problem as {original}, which is being handled; "
            "you will hear of its progress."
        ),
        original=original.number,
    )
    await ctx.send(
        ctx.t(
            "{number} is merged into {original}: {n} people have reported that problem.",
            number=ticket.number,
            original=original.number,
            n=original.metoo + 1,
        )
    )
    await _tell_group(
        ctx,
        group,
        N_("{name} merged {number} into {original}. Nothing more to do on it."),
        number=ticket.number,
        original=original.number,
    )


async def _follow(ctx: Context, ticket: Ticket, original: Ticket) -> None:
    """The duplicate's reporter and followers now follow the original ("me too")."""
    rows = (await ctx.db.scalars(select(Follower).where(Follower.ticket_id == ticket.id))).all()
    known = set(
        (
            await ctx.db.scalars(select(Follower.user_key).where(Follower.ticket_id == original.id))
        ).all()
    )
    for row in rows:
        if row.user_key in known:
            continue
        known.add(row.user_key)
        ctx.db.add(
            Follower(
                ticket_id=original.id,
                user_key=row.user_key,
                person_id=row.person_id,
                kind="metoo",
                chat=row.chat,
                chat_kind=row.chat_kind,
                reply_to=row.reply_to,
                lang=row.lang,
            )
        )


async def decline(ctx: Context, config: ComplaintsConfig, ticket: Ticket, reason: str) -> None:
    check(ctx, ticket, "decline")
    ticket.reason = reason
    await move(ctx, ticket, "decline", note=reason)
    await notify_followers(
        ctx,
        ticket,
        N_(
            "Your report {number} is not a matter for the department it was sent to; it goes "
            "back to be sent to the right one. Their note: {reason}"
        ),
        reason=reason,
    )
    if config.supervision_chat:
        text = ctx.t(
            "{number} is returned to the supervision group, to be sent to the right department.",
            number=ticket.number,
        )
    else:
        text = ctx.t(
            "{number} is returned; a supervisor will find it with /tickets open.",
            number=ticket.number,
        )
    await ctx.send(text)


async def _tell_group(ctx: Context, group: str, message: str, **fields: str) -> None:
    """A ticket was closed from elsewhere (a private /ticket view): its card's group hears it."""
    if not group or group == ctx.chat.key:
        return
    t = t_for_chat(ctx, group)
    await ctx.send(t(message, name=ctx.person.name, **fields), chat=ChatRef.parse(group))
