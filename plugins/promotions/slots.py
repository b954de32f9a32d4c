"""Free slots: when a group may take a promotion (outside its quiet hours, under its daily cap).

*A group's next free slot* (a copy that may not go now): the end of its quiet hours, or, when
today's cap is used up, the next day at the same time of day, or earlier that day when its
quiet hours end then (a 10:00 post capped today goes at 10:00 tomorrow, or at 08:00 where the
group's quiet hours end at 08:00; never at midnight just because a day began).

*A post's next free slot* ("下一个空档", chosen when drafting): the earliest moment at which
**every** group it targets may take it, so that it reaches all of them at once, counting what
already took or will take their days: promotions sent today, copies waiting for a day, approved
posts scheduled for it and the dates of running series. The moments tried are: now, the ends of
the groups' quiet hours today, then on each following day the same time of day as now and the
ends of quiet hours, up to `HORIZON`. None when no moment suits every group.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qunzhu.core import Context, aware

from .audience import config_for, next_open, targets
from .config import PromotionsConfig, quiet_periods
from .models import Delivery, Group, Post
from .occurrences import occurrences
from .recurrence import Repeat

__all__ = ["HORIZON", "group_next_day", "next_free_slot"]

HORIZON = 14  # days


def _candidates(moment: datetime, ends: set[time], days: range, tz: ZoneInfo) -> list[datetime]:
    """The moments tried: `moment` (then the same time on each day), and the ends of quiet
    hours on those days, from `moment` on, in order."""
    local = moment.astimezone(tz)
    found = set()
    for k in days:
        day = local.date() + timedelta(days=k)
        found.add(datetime.combine(day, local.timetz().replace(tzinfo=None), tz))
        found |= {datetime.combine(day, end, tz) for end in ends}
    return sorted(at for at in found if at >= local)


def group_next_day(now: datetime, config: PromotionsConfig, tz: ZoneInfo) -> datetime:
    """A group's next free slot once its cap for today is used up: tomorrow at this time, or
    earlier tomorrow when its quiet hours end then; moved past quiet hours."""
    ends = {end for _, end in quiet_periods(config)}
    for at in _candidates(now, ends, range(1, 2), tz):
        if next_open(at, config, tz) == at:
            return at
    return next_open(now + timedelta(days=1), config, tz)


async def next_free_slot(ctx: Context, tags: list[str], exclude: int = 0) -> datetime | None:
    """The earliest moment from now at which every group a post for `tags` targets may take it
    (None: none within `HORIZON` days). `exclude`: the post itself, not counted as planned."""
    tz = ctx.app.settings.bot.tz
    now = ctx.now()
    groups = [t for t in await targets(ctx.app, ctx.db, tags) if not t.skip]
    if not groups:
        return now
    configs = {g.chat.key: config_for(ctx.app, g.chat.key) for g in groups}
    taken = await _planned(ctx, set(configs), now, exclude)
    ends = {end for c in configs.values() for _, end in quiet_periods(c)}
    for at in _candidates(now, ends, range(HORIZON), tz):
        day = at.date()
        if all(
            next_open(at, config, tz) == at and taken[(key, day)] < config.daily_cap
            for key, config in configs.items()
        ):
            return at
    return None


async def _planned(
    ctx: Context, keys: set[str], now: datetime, exclude: int
) -> Counter[tuple[str, date]]:
    """Per (group, local day): promotions already sent that day, copies waiting for it, and the
    posts approved for it (one-off, and the dates of running series)."""
    tz = ctx.app.settings.bot.tz
    today = now.astimezone(tz).date()
    horizon = now + timedelta(days=HORIZON)
    taken: Counter[tuple[str, date]] = Counter()
    for g in (await ctx.db.scalars(select(Group).where(Group.day == today.isoformat()))).all():
        taken[(f"{g.platform}:{g.chat_id}", today)] += g.today
    waiting = await ctx.db.scalars(select(Delivery).where(Delivery.status == "waiting"))
    for d in waiting.all():
        taken[(f"{d.platform}:{d.chat_id}", aware(d.due_at).astimezone(tz).date())] += 1
    query = select(Post).where(Post.state == "scheduled", Post.id != exclude)
    for post in (await ctx.db.scalars(query)).all():
        dates = _dates(ctx, post, now, horizon)
        if not dates:
            continue
        reached = [t.chat.key for t in await targets(ctx.app, ctx.db, post.tags) if not t.skip]
        for at in dates:
            for key in reached:
                if key in keys:
                    taken[(key, at.astimezone(tz).date())] += 1
    return taken


def _dates(ctx: Context, post: Post, now: datetime, horizon: datetime) -> list[datetime]:
    """When an approved post (or series) will go out, between now and `horizon`."""
    tz = ctx.app.settings.bot.tz
    if post.repeat is None:
        at = aware(post.send_at or now)
        return [at] if now <= at <= horizon else []
    if post.next_at is None:
        return []
    rep = Repeat.from_json(post.repeat)
    start = aware(post.send_at or now)
    dates = occurrences(rep, start, tz, ctx.calendar.is_workday)
    next_at = aware(post.next_at)
    return [at for at in takewhile(lambda at: at <= horizon, dates) if at >= next_at]
