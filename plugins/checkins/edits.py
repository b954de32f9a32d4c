"""Edits: a participant corrects a message that was (part of) a report. Before the close the
report takes the new text (the old one goes to its history) and the receipt says so; after the
close the change is not taken, and the person is told how to add to the report."""

from __future__ import annotations

from qunzhu.core import Context, Message

from .campaigns import every
from .config import Campaign
from .expected import reports_of
from .models import Report, Round
from .receipts import receipt_reply
from .reports import latest_rounds, message_media, message_text

__all__ = ["apply_edit"]


async def apply_edit(ctx: Context, message: Message) -> None:
    """An edited message: when it belongs to a report, the report takes the new text."""
    original = message.edit_of
    if original is None:
        return
    # a group's reports belong to its own campaigns (a look at every campaign of a city was
    # 5,000 queries per edited message); a private chat's to any
    chat = None if ctx.chat.is_direct else ctx.chat.key
    for campaign in await every(ctx.app, ctx.db, chat=chat):
        rnd = await latest_rounds(ctx, campaign)
        if rnd is None:
            continue
        for report in await reports_of(ctx.db, [rnd.id]):
            if report.person_id == ctx.person.id and original in report.events:
                await _replace(ctx, rnd, campaign, report, message)
                return


async def _replace(
    ctx: Context, rnd: Round, campaign: Campaign, report: Report, message: Message
) -> None:
    if rnd.state != "open":
        await ctx.reply(
            ctx.t(
                "{name} has closed: your change was not taken into the report. Send a new "
                "message with {tag} if it matters.",
                name=campaign.name,
                tag=campaign.tag,
            )
        )
        return
    now = ctx.now()
    report.history = [*report.history, {"text": report.text, "at": now.isoformat()}]
    report.text = message_text(message)
    media = message_media(message)
    if media:
        report.attachments = media
    report.updated_at = now
    if report.receipt_id is not None:
        await ctx.edit(report.receipt_id, await receipt_reply(ctx, rnd, report, updated=True))
