"""Owners acknowledge reports with 👍: the receipt's button, a 👍 reaction on the report or on
its receipt (on platforms with reactions), or a 👍 typed as a message: in reply to the report or
its receipt, or alone right after a report. Taking the reaction back takes the 👍 back."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, select

from qunzhu.core import Context, Reaction

from .campaigns import named
from .models import Ack, Report, Round
from .receipts import receipt_reply
from .reports import bot_message
from .roster import is_owner
from .rounds import refresh_summary

__all__ = ["ack_button", "ack_reaction", "ack_typed"]

_THUMBS = "👍"
#: A typed 👍 (with a skin tone, repeated, or with 已阅/收到 around it).
_TYPED = re.compile(r"\s*(?:已阅|收到|好)?\s*(?:👍[\U0001F3FB-\U0001F3FF]?\s*)+(?:已阅|收到)?\s*")
#: A 👍 alone counts for the last report in the group when it came at most this long before.
_RIGHT_AFTER = timedelta(minutes=10)


async def ack_button(ctx: Context, report_id: int) -> None:
    report = await ctx.db.get(Report, report_id)
    if report is None:
        return
    await _acknowledge(ctx, report, removed=False, answer=True)


async def ack_reaction(ctx: Context) -> None:
    event = ctx.event
    if not isinstance(event, Reaction) or not event.key.startswith(_THUMBS):
        return
    report = await _target(ctx, event.target_id)
    if report is not None:
        await _acknowledge(ctx, report, removed=event.removed, answer=False)


async def ack_typed(ctx: Context) -> bool:
    """A 👍 typed in the group by an owner: whether it was one (then nothing else reads it)."""
    message = ctx.message
    if message is None or ctx.chat.is_direct or not _TYPED.fullmatch(message.text or ""):
        return False
    if message.reply_to is not None:
        report = await _target(ctx, message.reply_to)
    else:
        report = await _latest(ctx)
    if report is not None:
        await _acknowledge(ctx, report, removed=False, answer=False)
    return True


async def _latest(ctx: Context) -> Report | None:
    """The report this group received last, if it came right before."""
    since = ctx.now() - _RIGHT_AFTER
    found: Report | None = await ctx.db.scalar(
        select(Report)
        .join(Round, Round.id == Report.round_id)
        .where(Round.chat == ctx.chat.key, Report.updated_at >= since)
        .order_by(Report.updated_at.desc(), Report.id.desc())
        .limit(1)
    )
    return found


async def _target(ctx: Context, target_id: str) -> Report | None:
    """The report whose message (or whose receipt) was reacted to, in this chat."""
    rounds = list(
        await ctx.db.scalars(
            select(Round).where(Round.chat == ctx.chat.key).order_by(Round.day.desc()).limit(8)
        )
    )
    if not rounds:
        return None
    reports = list(
        await ctx.db.scalars(select(Report).where(Report.round_id.in_([r.id for r in rounds])))
    )
    for report in reports:
        if target_id in report.events:
            return report
    outbox_id = await bot_message(ctx, target_id)
    return next((r for r in reports if outbox_id and r.receipt_id == outbox_id), None)


async def _acknowledge(ctx: Context, report: Report, *, removed: bool, answer: bool) -> None:
    rnd = await ctx.db.get(Round, report.round_id)
    campaign = await named(ctx.app, ctx.db, rnd.campaign) if rnd else None
    if rnd is None or campaign is None:
        return
    if not await is_owner(ctx.app, campaign, ctx.person):
        if answer:
            await ctx.reply(
                ctx.t("Only the owners of {name} can acknowledge reports.", name=campaign.name)
            )
        return
    have = await ctx.db.scalar(
        select(Ack).where(Ack.report_id == report.id, Ack.person_id == ctx.person.id)
    )
    if removed:
        await ctx.db.execute(
            delete(Ack).where(Ack.report_id == report.id, Ack.person_id == ctx.person.id)
        )
    elif have is None:
        ctx.db.add(
            Ack(report_id=report.id, person_id=ctx.person.id, name=ctx.person.name, at=ctx.now())
        )
    else:
        return  # pressed twice: nothing changes
    await ctx.db.flush()
    if report.receipt_id is not None:
        await ctx.edit(report.receipt_id, await receipt_reply(ctx, rnd, report))
    await refresh_summary(ctx, rnd)
