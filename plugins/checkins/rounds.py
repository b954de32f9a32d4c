"""A check-in's life: planned, opened (the prompt), reminded, closed (the summary).

Every step is a one-shot job (`planning`) keyed by the campaign and the day. Opening a round
plans the next opening; start-up plans every campaign again (the config may have changed, and
campaigns are created in chat).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from qunzhu.core import Button, Context, Reply, UserRef, aware

from .buttons import AnswerPrivately
from .campaigns import entries, find, named, shadowed
from .config import Campaign
from .expected import expected
from .models import Round
from .planning import plan_campaign, round_window, schedule_rest
from .roster import Member, mentions, roster
from .settings import campaign_zone, chat_of, group_t, person_t, settings
from .summary import gather
from .texts import prompt, reminder, summary, when_label
from .windows import Window, current_or_next, window_on

__all__ = [
    "close_round",
    "find_round",
    "open_round",
    "plan_all",
    "plan_one",
    "remind_round",
    "run_close",
    "run_open",
    "run_remind",
]

log = logging.getLogger("checkins")


async def find_round(ctx: Context, campaign: str, day: Any) -> Round | None:
    found: Round | None = await ctx.db.scalar(
        select(Round).where(Round.campaign == campaign, Round.day == day)
    )
    return found


# -- planning ------------------------------------------------------------------------------
async def plan_all(ctx: Context) -> None:
    """At start-up: plan every campaign that is not paused (see `plan_one`)."""
    for entry in await entries(ctx.app, ctx.db):
        if not entry.paused:
            await plan_one(ctx, entry.campaign, entry.since)
    for row in await shadowed(ctx.app, ctx.db):
        log.warning(
            "event=checkins_campaign_shadowed name=%s: the configuration has a campaign of the "
            "same name, which wins; the one created in chat is not run",
            row.name,
        )


async def plan_one(ctx: Context, campaign: Campaign, since: datetime | None = None) -> None:
    """Make sure the campaign's current window is open (opening it late if the bot was down at
    its time) or will close, and that its next opening is scheduled. A window that opened before
    `since` (the campaign was created, edited or resumed later) is not opened late."""
    now = ctx.now()
    tz = campaign_zone(ctx.app, campaign)
    window = current_or_next(campaign, tz, ctx.calendar, now)
    if window is None:
        return
    if window.opens_at > now:
        await plan_campaign(ctx, campaign, now)
        return
    rnd = await find_round(ctx, campaign.name, window.day)
    if rnd is None and (since is None or window.opens_at >= since):
        await open_round(ctx, campaign, window)  # late: the bot was down; plans the next
        return
    if rnd is not None and rnd.state == "open":
        await schedule_rest(ctx, campaign, round_window(rnd), rnd)
    await plan_campaign(ctx, campaign, window.opens_at)


# -- the jobs --------------------------------------------------------------------------------
async def run_open(ctx: Context) -> None:
    payload = ctx.event.payload  # type: ignore[union-attr]
    entry = await find(ctx.app, ctx.db, str(payload.get("campaign")))
    if entry is None or entry.paused:  # removed or paused since it was planned: nothing to do
        log.info("event=checkins_open_dropped campaign=%s", payload.get("campaign"))
        return
    campaign = entry.campaign
    tz = campaign_zone(ctx.app, campaign)
    window = window_on(campaign, tz, ctx.calendar, _day(payload.get("day")))
    if window is None or window.closes_at <= ctx.now():
        log.warning("event=checkins_open_missed campaign=%s day=%s", campaign.name, payload)
        await plan_campaign(ctx, campaign, ctx.now())
        return
    await open_round(ctx, campaign, window)


async def run_remind(ctx: Context) -> None:
    payload = ctx.event.payload  # type: ignore[union-attr]
    rnd = await ctx.db.get(Round, int(payload["round"]))
    if rnd is not None and rnd.state == "open":
        await remind_round(ctx, rnd, int(payload.get("index", 0)))


async def run_close(ctx: Context) -> None:
    payload = ctx.event.payload  # type: ignore[union-attr]
    rnd = await ctx.db.get(Round, int(payload["round"]))
    if rnd is not None and rnd.state == "open":
        await close_round(ctx, rnd)


def _day(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(str(value))


# -- the steps -------------------------------------------------------------------------------
async def open_round(ctx: Context, campaign: Campaign, window: Window) -> Round:
    """Open the round of `window` (once): fix its roster, post the prompt, schedule the rest."""
    rnd = await find_round(ctx, campaign.name, window.day)
    if rnd is not None:
        return rnd
    members = await roster(ctx.app, campaign)
    rnd = Round(
        campaign=campaign.name,
        chat=campaign.group,
        day=window.day,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        state="open",
        roster=[m.to_json() for m in members],
        messages=[],
        reminders_sent=0,
    )
    ctx.db.add(rnd)
    await ctx.db.flush()
    t = group_t(ctx.app, campaign.group)
    tz = campaign_zone(ctx.app, campaign)
    text = prompt(t, campaign, window, tz)
    if not members and settings(ctx.app).campaign(campaign.name) is None:  # created in chat
        text += "\n" + t(
            "⚠️ This check-in has no participants yet: an owner can add them with "
            "/checkins edit {name}.",
            name=campaign.name,
        )
    elif not members:
        text += "\n" + t(
            "⚠️ This check-in has no participants yet: an administrator should list them "
            "under participants in the configuration."
        )
    button = Button(t("✍️ Answer privately"), data=AnswerPrivately(rnd.id).pack())
    out = await ctx.send(Reply(text).with_buttons(button), chat=chat_of(campaign.group))
    rnd.messages = [out.id]
    await schedule_rest(ctx, campaign, window, rnd)
    await plan_campaign(ctx, campaign, window.opens_at)
    log.info(
        "event=checkins_opened campaign=%s day=%s people=%d", rnd.campaign, rnd.day, len(members)
    )
    return rnd


async def missing(ctx: Context, rnd: Round) -> list[Member]:
    """Roster members who have not reported and are not excused."""
    return (await expected(ctx.db, rnd)).missing


async def remind_round(ctx: Context, rnd: Round, index: int) -> None:
    rnd.reminders_sent = max(rnd.reminders_sent, index + 1)
    entry = await find(ctx.app, ctx.db, rnd.campaign)
    if entry is None or entry.paused:
        return
    campaign = entry.campaign
    late = await missing(ctx, rnd)
    if not late:
        return
    tz = campaign_zone(ctx.app, campaign)
    group = chat_of(rnd.chat)
    t = group_t(ctx.app, rnd.chat)
    close = when_label(t, aware(rnd.closes_at), tz)
    text = reminder(t, campaign, close, [m.name for m in late])
    out = await ctx.send(Reply(text, mentions=mentions(late, group.platform)), chat=group)
    rnd.messages = [*rnd.messages, out.id]
    if campaign.remind_privately:
        await _remind_privately(ctx, campaign, rnd, late)


async def _remind_privately(
    ctx: Context, campaign: Campaign, rnd: Round, late: list[Member]
) -> None:
    tz = campaign_zone(ctx.app, campaign)
    for member in late:
        person = await ctx.app.people.get(member.id)
        if person is None or not person.identities:
            continue
        t = person_t(ctx.app, person)
        platform, _, user_id = person.identities[0].partition(":")
        text = t(
            "⏰ Please send your report for {name} before {close}: /checkin",
            name=campaign.name,
            close=when_label(t, aware(rnd.closes_at), tz),
        )
        await ctx.send_direct(UserRef(platform, user_id, person.name), text)


async def close_round(ctx: Context, rnd: Round) -> None:
    """Close `rnd` and post its summary (once)."""
    rnd.state = "closed"
    campaign = await named(ctx.app, ctx.db, rnd.campaign)
    tag = campaign.tag if campaign else ""
    t = group_t(ctx.app, rnd.chat)
    data = await gather(ctx.db, rnd, tag, final=True)
    out = await ctx.send(summary(t, data), chat=chat_of(rnd.chat))
    rnd.summary_id = out.id
    log.info("event=checkins_closed campaign=%s day=%s", rnd.campaign, rnd.day)


async def refresh_summary(ctx: Context, rnd: Round) -> None:
    """After a late report or an acknowledgement: the posted summary shows it too."""
    if rnd.state != "closed" or rnd.summary_id is None:
        return
    campaign = await named(ctx.app, ctx.db, rnd.campaign)
    t = group_t(ctx.app, rnd.chat)
    data = await gather(ctx.db, rnd, campaign.tag if campaign else "", final=True)
    await ctx.edit(rnd.summary_id, summary(t, data))
