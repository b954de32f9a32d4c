"""Campaigns created and edited in chat: ``/checkins 新建`` and ``/checkins 修改 NAME`` start the
dialog of `campaign_dialog`; its end stores the campaign and plans its next check-in.

Only chat-created campaigns can be changed in chat (those of the YAML are changed in the file),
and only by their owners (and admins); who may create one is ``creator_role`` (and admins).
Pausing, resuming, deleting and listing are in `campaign_states`.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update

from qunzhu.core import Context, UsageError

from .campaign_answers import campaign_of, current_of, resolved
from .campaign_dialog import summary_lines
from .campaigns import Entry, find, from_row, to_spec
from .config import Campaign
from .models import CampaignRow, Round
from .people_text import entry_names
from .planning import (
    open_rounds,
    plan_campaign,
    round_window,
    schedule_rest,
    unplan_opening,
    unplan_round,
)
from .roster import is_owner, roster
from .schedule_text import describe
from .settings import NAME, campaign_zone, settings
from .texts import when_label
from .windows import next_opening

__all__ = [
    "created",
    "edited",
    "may_create",
    "next_label",
    "owned",
    "start_edit",
    "start_new",
]

log = logging.getLogger(NAME)


def may_create(ctx: Context) -> bool:
    role = settings(ctx.app).creator_role
    return ctx.person.is_admin or (role is not None and ctx.person.has_role(role))


async def _roles(ctx: Context) -> list[str]:
    """Roles someone holds (offered as buttons for who reports), admin left out."""
    found = sorted({str(role) for role in await ctx.roles_in_use() if role.name != "admin"})
    return found[:6]


async def start_new(ctx: Context) -> None:
    if ctx.chat.is_direct:
        raise UsageError(
            ctx.t(
                "Send /checkins new in the group that should report: the check-in belongs to "
                "that group."
            )
        )
    if not may_create(ctx):
        role = settings(ctx.app).creator_role
        if role is None:
            raise UsageError(ctx.t("Only administrators can create check-ins."))
        raise UsageError(
            ctx.t(
                "Only administrators and people with the role {role} can create check-ins.",
                role=ctx.t.core(role),
            )
        )
    initial = {"group": ctx.chat.key, "roles": await _roles(ctx)}
    await ctx.start_dialog("campaign", initial=initial)


async def owned(
    ctx: Context, name: str, *, shadowed_too: bool = False
) -> tuple[Entry, CampaignRow]:
    """The chat-created campaign `name`, if the sender may change it; else a clear refusal.
    With `shadowed_too`, also one the YAML's campaign of the same name hides (to delete it)."""
    if not name.strip():
        raise UsageError(ctx.t("Name the check-in, for example /checkins pause 水源保护周报."))
    entry = await find(ctx.app, ctx.db, name.strip())
    row = None
    if entry is not None and entry.row_id is not None:
        row = await ctx.db.get(CampaignRow, entry.row_id)
    elif entry is not None and shadowed_too:
        row = await ctx.db.scalar(select(CampaignRow).where(CampaignRow.name == entry.name))
        hidden = from_row(row) if row is not None else None
        if row is not None and hidden is not None:
            entry = Entry(hidden, "chat", row_id=row.id)
    if entry is None or row is None:
        if entry is not None:  # the YAML's
            raise UsageError(
                ctx.t(
                    "{name} is set in the configuration file, so it cannot be changed in chat: "
                    "ask whoever runs the bot.",
                    name=entry.name,
                )
            )
        raise UsageError(ctx.t("There is no check-in called {name}.", name=name.strip()))
    if not await is_owner(ctx.app, entry.campaign, ctx.person):
        raise UsageError(ctx.t("Only the owners of {name} can do that.", name=entry.name))
    return entry, row


async def start_edit(ctx: Context, name: str) -> None:
    entry, row = await owned(ctx, name)
    campaign = entry.campaign
    who = await entry_names(ctx, campaign.participants)
    owners = await entry_names(ctx, campaign.owners)
    initial = {
        "group": campaign.group,
        "edit": row.id,
        "current": current_of(campaign, who, owners),
        "roles": await _roles(ctx),
    }
    await ctx.start_dialog("campaign_edit", initial=initial)


def _built(ctx: Context, answers: dict[str, Any]) -> Campaign | None:
    try:
        return campaign_of(answers)
    except (ValidationError, KeyError, TypeError) as exc:
        log.warning("event=checkins_campaign_invalid error=%s", exc)
        return None


async def next_label(ctx: Context, campaign: Campaign) -> str:
    tz = campaign_zone(ctx.app, campaign)
    window = next_opening(campaign, tz, ctx.calendar, ctx.now())
    return when_label(ctx.t, window.opens_at, tz) if window else ctx.t("never")


async def created(ctx: Context, answers: dict[str, Any]) -> None:
    """The dialog's end: store the campaign and plan its first check-in."""
    campaign = _built(ctx, answers)
    if campaign is None:
        await ctx.reply(ctx.t("Those answers do not make a check-in; nothing was saved."))
        return
    if await find(ctx.app, ctx.db, campaign.name) is not None:  # created meanwhile
        await ctx.reply(
            ctx.t(
                "There is already a check-in called {name}; nothing was saved. Start again "
                "with another name: /checkins new",
                name=campaign.name,
            )
        )
        return
    now = ctx.now()
    ctx.db.add(
        CampaignRow(
            name=campaign.name,
            chat=campaign.group,
            spec=to_spec(campaign),
            state="active",
            created_by=ctx.person.name,
            created_at=now,
            updated_at=now,
        )
    )
    await ctx.db.flush()
    await plan_campaign(ctx, campaign, now)
    log.info("event=checkins_campaign_created name=%s by=%s", campaign.name, ctx.person.id)
    await ctx.reply(
        ctx.t(
            "✅ Created {name}: {days} {opens}–{closes}, {count} to report. The first check-in "
            "opens {next}. To open one now: /checkins open {name}. Owners may also: "
            "/checkins pause|resume|edit|delete {name}",
            name=campaign.name,
            days=describe(ctx.t, campaign),
            opens=campaign.opens or "",
            closes=campaign.closes,
            count=len(await roster(ctx.app, campaign)),
            next=await next_label(ctx, campaign),
        )
    )


async def edited(ctx: Context, answers: dict[str, Any]) -> None:
    """The edit dialog's end: the row takes the new settings from the next check-in on."""
    row = await ctx.db.get(CampaignRow, int(answers["edit"]))
    old = from_row(row) if row is not None else None
    campaign = _built(ctx, answers)
    if row is None or old is None or campaign is None:
        await ctx.reply(ctx.t("This check-in no longer exists; nothing was saved."))
        return
    other = await find(ctx.app, ctx.db, campaign.name)
    if campaign.name != old.name and other is not None:
        await ctx.reply(
            ctx.t(
                "There is already a check-in called {name}; nothing was saved.",
                name=campaign.name,
            )
        )
        return
    await unplan_opening(ctx, old)
    rounds = await open_rounds(ctx, old.name)
    for rnd in rounds:
        await unplan_round(ctx, old, rnd, close=True)
    if campaign.name != old.name:
        await ctx.db.execute(
            update(Round).where(Round.campaign == old.name).values(campaign=campaign.name)
        )
    row.name, row.spec, row.updated_at = campaign.name, to_spec(campaign), ctx.now()
    await ctx.db.flush()
    for rnd in rounds:  # an open check-in keeps its hours, under its new name
        await schedule_rest(ctx, campaign, round_window(rnd), rnd)
    if row.state != "paused":
        await plan_campaign(ctx, campaign, ctx.now())
    who = resolved(answers, "who")["names"]
    owners = resolved(answers, "owners")["names"]
    lines = [
        ctx.t("✅ Saved. From the next check-in on:"),
        *summary_lines(ctx, campaign, who, owners),
    ]
    await ctx.reply("\n".join(lines))
