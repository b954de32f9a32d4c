"""A check-in's life: planned, opened (the prompt), reminded, closed (the summary).

Every step is a one-shot job row (``core_job``) keyed by the campaign and the day, so it is
durable: a restart in the middle of a window keeps the close, and scheduling the same step again
replaces it instead of adding a second one. Opening a round plans the next opening; start-up
plans every campaign again (the config may have changed).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from qunzhu.core import Button, Context, Reply, UserRef

from .config import Campaign
from .models import Round, aware
from .roster import Member, excused, mentions, roster
from .settings import campaign_zone, chat_of, group_t, person_t, settings
from .summary import gather
from .texts import prompt, reminder, summary, when_label
from .windows import Window, current_or_next, next_opening, window_on

__all__ = [
    "close_round",
    "find_round",
    "open_round",
    "plan_all",
    "plan_campaign",
    "remind_round",
    "run_close",
    "run_open",
    "run_remind",
]

log = logging.getLogger("checkins")


def _key(campaign: Campaign, window: Window) -> str:
    return f"{campaign.name}@{window.day.isoformat()}"


async def find_round(ctx: Context, campaign: str, day: Any) -> Round | None:
    found: Round | None = await ctx.db.scalar(
        select(Round).where(Round.campaign == campaign, Round.day == day)
    )
    return found


# -- planning --------------------------------------------------------------------------------
async def plan_campaign(ctx: Context, campaign: Campaign, after: datetime) -> None:
    """Schedule the opening of the first window that opens after `after`."""
    tz = campaign_zone(ctx.app, campaign)
    window = next_opening(campaign, tz, ctx.calendar, after)
    if window is None:
        log.info("event=checkins_schedule_ended campaign=%s", campaign.name)
        return
    await ctx.schedule(
        "open",
        at=window.opens_at,
        key=f"open:{_key(campaign, window)}",
        chat=chat_of(campaign.group),
        payload={"campaign": campaign.name, "day": window.day.isoformat()},
    )


async def plan_all(ctx: Context) -> None:
    """At start-up: make sure every campaign's current window is open (opening it late if the
    bot was down at its time) or will close, and that its next opening is scheduled."""
    now = ctx.now()
    for campaign in settings(ctx.app).campaigns:
        tz = campaign_zone(ctx.app, campaign)
        window = current_or_next(campaign, tz, ctx.calendar, now)
        if window is None:
            continue
        if window.opens_at > now:
            await plan_campaign(ctx, campaign, now)
            continue
        rnd = await find_round(ctx, campaign.name, window.day)
        if rnd is None:
            await open_round(ctx, campaign, window)  # late: the bot was down; plans the next
            continue
        if rnd.state == "open":
            await _schedule_rest(ctx, campaign, window, rnd)
        await plan_campaign(ctx, campaign, window.opens_at)


async def _schedule_rest(ctx: Context, campaign: Campaign, window: Window, rnd: Round) -> None:
    """The reminders still to come and the close of an open round."""
    key = _key(campaign, window)
    group = chat_of(campaign.group)
    now = ctx.now()
    for index, fraction in enumerate(campaign.reminders):
        at = window.at_fraction(fraction)
        if index >= rnd.reminders_sent and at > now:
            await ctx.schedule(
                "remind",
                at=at,
                key=f"remind:{key}:{index}",
                chat=group,
                payload={"round": rnd.id, "index": index},
            )
    await ctx.schedule(
        "close",
        at=max(window.closes_at, now),
        key=f"close:{key}",
        chat=group,
        payload={"round": rnd.id},
    )


# -- the jobs --------------------------------------------------------------------------------
async def run_open(ctx: Context) -> None:
    payload = ctx.event.payload  # type: ignore[union-attr]
    campaign = settings(ctx.app).campaign(str(payload.get("campaign")))
    if campaign is None:  # removed from the config since it was planned
        return
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
    if not members:
        text += "\n" + t(
            "⚠️ This check-in has no participants yet: an administrator should list them "
            "under participants in the configuration."
        )
    button = Button(t("✍️ Answer privately"), data=f"checkins:dm:{rnd.id}")
    out = await ctx.send(Reply(text).with_buttons(button), chat=chat_of(campaign.group))
    rnd.messages = [out.id]
    await _schedule_rest(ctx, campaign, window, rnd)
    await plan_campaign(ctx, campaign, window.opens_at)
    log.info(
        "event=checkins_opened campaign=%s day=%s people=%d", rnd.campaign, rnd.day, len(members)
    )
    return rnd


async def missing(ctx: Context, rnd: Round) -> list[Member]:
    """Roster members who have not reported and are not excused."""
    from .summary import reports_of

    members = [Member.from_json(m) for m in rnd.roster]
    done = {r.person_id for r in await reports_of(ctx.db, [rnd.id])}
    away = await excused(ctx.db, [m.id for m in members], rnd.chat, rnd.day)
    return [m for m in members if m.id not in done and m.id not in away]


async def remind_round(ctx: Context, rnd: Round, index: int) -> None:
    rnd.reminders_sent = max(rnd.reminders_sent, index + 1)
    campaign = settings(ctx.app).campaign(rnd.campaign)
    late = await missing(ctx, rnd)
    if campaign is None or not late:
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
    campaign = settings(ctx.app).campaign(rnd.campaign)
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
    campaign = settings(ctx.app).campaign(rnd.campaign)
    t = group_t(ctx.app, rnd.chat)
    data = await gather(ctx.db, rnd, campaign.tag if campaign else "", final=True)
    await ctx.edit(rnd.summary_id, summary(t, data))
