"""The states of a campaign created in chat: ``/checkins 暂停|恢复|删除 NAME`` (owners only) and
``/checkins 列表``.

A paused campaign opens nothing and reminds nobody; a check-in open when it was paused still takes
reports and closes with its summary. Deleting asks first (buttons), closes an open check-in at
once (its summary is posted) and keeps every past report.
"""

from __future__ import annotations

import logging

from qunzhu.core import Button, Context, Reply

from .buttons import Delete, Keep
from .campaign_admin import next_label, owned
from .campaigns import entries, from_row, shadowed
from .models import CampaignRow
from .planning import (
    open_rounds,
    plan_campaign,
    round_window,
    schedule_rest,
    unplan_opening,
    unplan_round,
)
from .reports import bot_message
from .roster import is_owner
from .rounds import close_round
from .schedule_text import describe
from .settings import NAME, campaign_zone, settings
from .texts import when_label

__all__ = ["ask_delete", "delete_pressed", "list_campaigns", "pause", "resume"]

log = logging.getLogger(NAME)


async def pause(ctx: Context, name: str) -> None:
    entry, row = await owned(ctx, name)
    if entry.paused:
        await ctx.reply(
            ctx.t("{name} is already paused. To resume: /checkins resume {name}", name=entry.name)
        )
        return
    row.state, row.updated_at = "paused", ctx.now()
    await unplan_opening(ctx, entry.campaign)
    rounds = await open_rounds(ctx, entry.name)
    for rnd in rounds:
        await unplan_round(ctx, entry.campaign, rnd, close=False)
    text = ctx.t(
        "⏸ Paused {name}: no check-in opens and nobody is reminded until /checkins resume {name}.",
        name=entry.name,
    )
    if rounds:
        text += "\n" + ctx.t(
            "The check-in open now still takes reports and posts its summary at {close}.",
            close=when_label(
                ctx.t, round_window(rounds[0]).closes_at, campaign_zone(ctx.app, entry.campaign)
            ),
        )
    await ctx.reply(text)


async def resume(ctx: Context, name: str) -> None:
    entry, row = await owned(ctx, name)
    if not entry.paused:
        await ctx.reply(ctx.t("{name} is not paused.", name=entry.name))
        return
    row.state, row.updated_at = "active", ctx.now()
    await ctx.db.flush()
    for rnd in await open_rounds(ctx, entry.name):
        await schedule_rest(ctx, entry.campaign, round_window(rnd), rnd)
    await plan_campaign(ctx, entry.campaign, ctx.now())
    await ctx.reply(
        ctx.t(
            "▶️ Resumed {name}. The next check-in opens {next}.",
            name=entry.name,
            next=await next_label(ctx, entry.campaign),
        )
    )


async def ask_delete(ctx: Context, name: str) -> None:
    entry, row = await owned(ctx, name, shadowed_too=True)
    text = ctx.t(
        "Delete {name}? No check-in will open again. Reports already received are kept (and "
        "stay in the export).",
        name=entry.name,
    )
    buttons = (
        Button(ctx.t("🗑 Delete"), data=Delete(row.id).pack()),
        Button(ctx.t("Keep it"), data=Keep(row.id).pack()),
    )
    await ctx.reply(Reply(text).with_buttons(*buttons))


async def delete_pressed(ctx: Context, row_id: int, *, confirmed: bool) -> None:
    """The delete confirmation's buttons."""
    row = await ctx.db.get(CampaignRow, row_id)
    campaign = from_row(row) if row is not None else None
    if row is None or campaign is None:
        await ctx.reply(ctx.t("This check-in has already been deleted."))
        return
    if not await is_owner(ctx.app, campaign, ctx.person):
        await ctx.reply(ctx.t("Only the owners of {name} can do that.", name=campaign.name))
        return
    if not confirmed:
        await _answered(ctx, ctx.t("Not deleted: {name} goes on.", name=campaign.name))
        return
    if settings(ctx.app).campaign(campaign.name) is not None:  # hidden by the YAML's: only the row
        await ctx.db.delete(row)
        await _answered(
            ctx,
            ctx.t(
                "🗑 Deleted the {name} created in chat; the one in the configuration file goes on.",
                name=campaign.name,
            ),
        )
        return
    await unplan_opening(ctx, campaign)
    closed = 0
    for rnd in await open_rounds(ctx, campaign.name):
        await unplan_round(ctx, campaign, rnd, close=True)
        await close_round(ctx, rnd)  # the summary of what came in, now
        closed += 1
    await ctx.db.delete(row)
    log.info("event=checkins_campaign_deleted name=%s by=%s", campaign.name, ctx.person.id)
    text = ctx.t("🗑 Deleted {name}. Its past check-ins and reports are kept.", name=campaign.name)
    if closed:
        text += "\n" + ctx.t("The check-in that was open has been closed; its summary is above.")
    await _answered(ctx, text)


async def _answered(ctx: Context, text: str) -> None:
    """The confirmation question takes the answer (its buttons go), else a new message."""
    press = ctx.button
    target = await bot_message(ctx, press.message_id) if press is not None else None
    if target is not None:
        await ctx.edit(target, Reply(text))
    else:
        await ctx.reply(text)


async def list_campaigns(ctx: Context) -> None:
    """``/checkins 列表``: the check-ins of this group (in a private chat: all of them)."""
    chat = None if ctx.chat.is_direct else ctx.chat.key
    found = await entries(ctx.app, ctx.db, chat=chat)
    hidden = await shadowed(ctx.app, ctx.db, chat=chat)
    if not found and not hidden:
        await ctx.reply(ctx.t("No check-ins here yet. Create one: /checkins new"))
        return
    lines = [ctx.t("📋 Check-ins:")]
    for index, entry in enumerate(found, 1):
        campaign = entry.campaign
        where = (
            ctx.t("set in the configuration file")
            if entry.source == "config"
            else ctx.t("created in chat by {name}", name=entry.created_by)
        )
        state = " " + ctx.t("⏸ paused") if entry.paused else ""
        lines.append(
            f"{index}. {campaign.name} — {describe(ctx.t, campaign)} "
            f"{campaign.opens or ''}–{campaign.closes} ({where}){state}"
        )
    for row in hidden:
        lines.append(
            ctx.t(
                "⚠️ {name} created in chat is not run: the configuration file has a check-in "
                "of the same name, which wins.",
                name=row.name,
            )
        )
    await ctx.reply("\n".join(lines))
