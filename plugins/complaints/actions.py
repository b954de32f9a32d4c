"""What the buttons do: the card's 接单 / 处理中 / 已解决 / 转办, and the reporter's answer to
"问题解决了吗?" (已解决 / 未解决, then 1-5 stars). Each checks the role and the state, so a button
pressed twice, or by someone else, gets an answer and changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from qunzhu.core import N_, Attachment, Button, ChatRef, Context, Reply

from .answers import remember_question
from .buttons import Feedback
from .directory import (
    allowed,
    department_chat,
    department_name,
    t_for_chat,
)
from .models import Follower, Ticket
from .report import photo_refs
from .tickets import Refused, check, move, notify_followers, record

__all__ = ["on_card_button", "on_feedback", "reassign", "resolve"]


async def _ticket(ctx: Context, ticket_id: int) -> Ticket | None:
    ticket = await ctx.db.get(Ticket, ticket_id)
    if ticket is None:
        await ctx.reply(ctx.t("That ticket does not exist (any more)."))
    return ticket


async def on_card_button(ctx: Context, action: str, ticket_id: int) -> None:
    ticket = await _ticket(ctx, ticket_id)
    if ticket is None:
        return
    try:
        if action == "ack":
            await move(ctx, ticket, "acknowledge")
            await ctx.reply(
                ctx.t("{name} acknowledged {number}.", name=ctx.person.name, number=ticket.number)
            )
            await notify_followers(
                ctx, ticket, N_("Your report {number} was acknowledged; it is being handled.")
            )
        elif action == "start":
            await move(ctx, ticket, "start")
        elif action == "resolve":
            check(ctx, ticket, "resolve")
            await ctx.start_dialog(
                "resolve", initial={"ticket": ticket.id, "number": ticket.number}
            )
        elif action == "reassign":
            what = "route" if ticket.status in ("new", "not_responsible") else "reassign"
            check(ctx, ticket, what)
            initial = {"ticket": ticket.id, "number": ticket.number, "current": ticket.department}
            if not ctx.org:
                await ctx.reply(ctx.t("No departments are configured to send it to."))
                return
            await ctx.start_dialog("reassign", initial={k: v for k, v in initial.items() if v})
    except Refused as refused:
        await ctx.reply(refused.text)


async def resolve(ctx: Context, ticket_id: int, note: str, photos: Sequence[Attachment]) -> None:
    """The resolution dialog's end: resolve, tell the followers, ask the reporter."""
    ticket = await _ticket(ctx, ticket_id)
    if ticket is None:
        return
    ticket.resolution = note[:4000]
    ticket.resolution_photos = list(photo_refs(ctx.chat.platform, tuple(photos)))
    try:
        await move(ctx, ticket, "resolve", note=note)
    except Refused as refused:
        await ctx.reply(refused.text)
        return
    await ctx.send(
        ctx.t("{number} is resolved; the reporter is asked to confirm.", number=ticket.number)
    )
    await notify_followers(
        ctx, ticket, N_("{number}, which you also reported, was resolved."), kinds=("metoo",)
    )
    await ask_reporter(ctx, ticket)


async def ask_reporter(ctx: Context, ticket: Ticket) -> None:
    """ "问题解决了吗?" to the reporter, where they reported (private chat or group thread)."""
    follower = await ctx.db.scalar(
        select(Follower).where(Follower.ticket_id == ticket.id, Follower.kind == "reporter")
    )
    if follower is None:
        return
    t = t_for_chat(ctx, follower.chat, follower.lang)
    text = t(
        "Your report {number} was resolved: {note}\nIs the problem solved?",
        number=ticket.number,
        note=ticket.resolution,
    )
    photo = next(
        (
            p["ref"]
            for p in ticket.resolution_photos
            if p.get("platform") == follower.chat.split(":")[0]
        ),
        None,
    )
    reply = Reply(text, photo=photo, reply_to=follower.reply_to).with_buttons(
        [
            Button(t("Solved"), data=Feedback(ticket.id, "yes").pack()),
            Button(t("Not solved"), data=Feedback(ticket.id, "no").pack()),
        ]
    )
    out = await ctx.send(reply, chat=ChatRef.parse(follower.chat, follower.chat_kind))
    ctx.db.add(remember_question(ticket, follower.chat, follower.user_key, out.id, ctx.now()))


async def on_feedback(ctx: Context, ticket_id: int, answer: str) -> None:
    """已解决 / 未解决, then the stars."""
    ticket = await _ticket(ctx, ticket_id)
    if ticket is None:
        return
    if answer in ("1", "2", "3", "4", "5"):
        if not allowed(ctx.person, ctx.org, ticket, "confirm"):
            await ctx.reply(ctx.t("Only the person who reported it may answer this."))
            return
        ticket.rating = int(answer)
        record(ctx, ticket, "rated", before=ticket.status, note=answer)
        await ctx.reply(
            ctx.t(
                "Thank you! You rated the handling of {number}: {stars}",
                number=ticket.number,
                stars="★" * int(answer),
            )
        )
        return
    action = "confirm" if answer == "yes" else "reopen"
    try:
        await move(
            ctx,
            ticket,
            action,
            note=ctx.t("The reporter says: not solved") if action == "reopen" else "",
        )
    except Refused as refused:
        await ctx.reply(refused.text)
        return
    ticket.feedback = "solved" if answer == "yes" else "unsolved"
    stars = [Button("★" * n, data=Feedback(ticket.id, str(n)).pack()) for n in range(1, 6)]
    if answer == "yes":
        text = ctx.t(
            "Thank you, {number} is closed as solved. How well was it handled?",
            number=ticket.number,
        )
    else:
        text = ctx.t(
            "{number} is reopened and the department is told. How well was it handled so far?",
            number=ticket.number,
        )
        await _tell_department(ctx, ticket)
    await ctx.reply(Reply(text).with_buttons(stars[:3], stars[3:]))


async def _tell_department(ctx: Context, ticket: Ticket) -> None:
    chat = department_chat(ctx.org, ticket.department)
    if chat is None:
        return
    t = t_for_chat(ctx, chat)
    text = t(
        "⚠️ {number}: the reporter says the problem is not solved; it is reopened. "
        "Acknowledge it again on its card.",
        number=ticket.number,
    )
    await ctx.send(text, chat=ChatRef.parse(chat))


async def reassign(ctx: Context, ticket_id: int, department: str, reason: str) -> None:
    """The reassignment dialog's end (转办, or 派单 for a ticket not routed yet)."""
    ticket = await _ticket(ctx, ticket_id)
    if ticket is None:
        return
    action = "route" if ticket.status in ("new", "not_responsible") else "reassign"
    try:
        await move(ctx, ticket, action, note=reason, department=department)
    except Refused as refused:
        await ctx.reply(refused.text)
        return
    await ctx.send(
        ctx.t(
            "{number} is now with {department}.",
            number=ticket.number,
            department=department_name(ctx.org, department, ctx.lang),
        )
    )
