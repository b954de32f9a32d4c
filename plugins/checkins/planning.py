"""When a campaign's next steps run: its opening, the reminders and the close of an open round.

Every step is a one-shot job row (``core_job``) keyed by the campaign and the day, so it is
durable: a restart in the middle of a window keeps the close, and scheduling the same step again
replaces it instead of adding a second one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from qunzhu.core import Context, aware

from .config import Campaign
from .models import Round
from .settings import campaign_zone, chat_of
from .windows import Window, current_or_next, next_opening

__all__ = [
    "open_rounds",
    "plan_campaign",
    "round_window",
    "schedule_rest",
    "unplan_opening",
    "unplan_round",
]

log = logging.getLogger("checkins")


def _key(campaign: Campaign, window: Window) -> str:
    return f"{campaign.name}@{window.day.isoformat()}"


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


def round_window(rnd: Round) -> Window:
    """The window a round was opened with (fixed then: later edits do not move it)."""
    return Window(rnd.day, aware(rnd.opens_at), aware(rnd.closes_at), rnd.day)


async def unplan_opening(ctx: Context, campaign: Campaign) -> None:
    """Take back the campaign's planned opening (a job that fires anyway finds the campaign
    paused, deleted or renamed, and does nothing)."""
    tz = campaign_zone(ctx.app, campaign)
    now = ctx.now()
    for window in (
        next_opening(campaign, tz, ctx.calendar, now),
        current_or_next(campaign, tz, ctx.calendar, now),
    ):
        if window is not None:
            await ctx.unschedule("open", f"open:{_key(campaign, window)}")


async def open_rounds(ctx: Context, name: str) -> list[Round]:
    rows = await ctx.db.scalars(select(Round).where(Round.campaign == name, Round.state == "open"))
    return list(rows)


async def unplan_round(ctx: Context, campaign: Campaign, rnd: Round, *, close: bool) -> None:
    """Take back the reminders of an open round, and with `close` its close."""
    key = f"{campaign.name}@{rnd.day.isoformat()}"
    for index in range(len(campaign.reminders)):
        await ctx.unschedule("remind", f"remind:{key}:{index}")
    if close:
        await ctx.unschedule("close", f"close:{key}")


async def schedule_rest(ctx: Context, campaign: Campaign, window: Window, rnd: Round) -> None:
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
