"""The bot's answer to a report: a receipt in the group, with the count so far and a 👍 button
for the owners (a private report is posted there in full), edited later to show who acknowledged
it; and a thank-you in the private chat."""

from __future__ import annotations

from qunzhu.core import Button, Context, Reply

from .buttons import Acknowledge
from .config import Campaign
from .expected import expected
from .models import Report, Round
from .settings import chat_of, group_t
from .summary import acks_of
from .texts import excused_label, receipt

__all__ = ["confirm", "receipt_reply"]


async def receipt_reply(
    ctx: Context, rnd: Round, report: Report, *, updated: bool = False, counted: bool = False
) -> Reply:
    """The receipt of `report` as it should read now, with its 👍 button."""
    t = group_t(ctx.app, rnd.chat)
    acks = (await acks_of(ctx.db, [report.id])).get(report.id, [])
    count = None
    excused: list[str] = []
    if counted:
        found = await expected(ctx.db, rnd)
        count = (len(found.done), len(found.due))
        excused = [excused_label(t, m.name, why) for m, why in found.excused]
    private = report.source == "private"
    text = receipt(
        t,
        report.name,
        late=report.late,
        updated=updated,
        acks=acks,
        count=count,
        excused=excused,
        body=report.text if private else "",
        media=len(report.attachments) if private else 0,
    )
    return Reply(text).with_buttons(Button(t("👍 Acknowledge"), data=Acknowledge(report.id).pack()))


async def confirm(
    ctx: Context,
    rnd: Round,
    campaign: Campaign,
    report: Report,
    *,
    updated: bool,
    question: int | None = None,
) -> None:
    """The receipt in the group (with the 👍 button for owners); a private report is posted in
    the group in full, so that the owners see it. A report the bot asked about ("is this your
    report?") gets its receipt in place of the `question`."""
    reply = await receipt_reply(ctx, rnd, report, updated=updated, counted=True)
    if question is not None:
        await ctx.edit(question, reply)
        report.receipt_id = question
        return
    in_group = ctx.chat.key == rnd.chat and ctx.message is not None
    if in_group and not campaign.receipts:
        # the group asked for quiet: a 👌 on the report says it counted, without a message
        # (owners acknowledge with a 👍 reaction of their own)
        await ctx.react("👌")
        return
    if in_group:
        out = await ctx.reply(reply)
    else:
        out = await ctx.send(reply, chat=chat_of(rnd.chat))
        thanks = ctx.t("Thank you, your report for {name} was received.", name=campaign.name)
        if rnd.state == "open":
            thanks += "\n" + ctx.t(
                "Photos or videos you send here before the close are added to it."
            )
        await ctx.reply(thanks)
    report.receipt_id = out.id
