"""Photos and videos a participant sends in a private chat after reporting (the dialog takes one
message of them; people often send more, one by one): while the check-in is open they join the
report, and the receipt in the group counts them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from qunzhu.core import Context, Message

from .config import Campaign
from .models import Report, Round
from .receipts import receipt_reply
from .reports import latest_rounds, message_media

__all__ = ["more_media"]


async def more_media(ctx: Context, message: Message, campaigns: Sequence[Campaign]) -> bool:
    """Add the media of `message` to the sender's report in the one open check-in they reported
    for; False (nothing done, other plugins may want the message) when there is none."""
    mine: list[tuple[Campaign, Round, Report]] = []
    for campaign in campaigns:
        rnd = await latest_rounds(ctx, campaign)
        if rnd is None or rnd.state != "open":
            continue
        report = await ctx.db.scalar(
            select(Report).where(Report.round_id == rnd.id, Report.person_id == ctx.person.id)
        )
        if report is not None:
            mine.append((campaign, rnd, report))
    if len(mine) != 1:
        return False
    campaign, rnd, report = mine[0]
    ctx.claim()  # the report's photos: not also offered as a problem to report
    media = message_media(message)
    report.attachments = [*report.attachments, *media]
    report.events = [*report.events, message.event_id]
    report.updated_at = ctx.now()
    if report.receipt_id is not None:
        await ctx.edit(report.receipt_id, await receipt_reply(ctx, rnd, report, updated=True))
    await ctx.reply(
        ctx.t(
            "Added to your report for {name}: {count} photos/videos in all.",
            name=campaign.name,
            count=len(report.attachments),
        )
    )
    return True
