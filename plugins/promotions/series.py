"""Recurring posts (a series): approved once, then at each of its dates a post of its own (a
row with ``series_id``) is broadcast like any other (its own deliveries, caps, quiet hours,
progress and figures). The next date is a job row (``occurrence``), so a series survives
restarts; a date missed while the bot was down goes out when it is back (only the latest when
several were missed). A series ends after its last date, when the product is sold out at a
date, when withdrawn, or after ``max_occurrences`` posts; its author is told why."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from sqlalchemy import select

from qunzhu.core import N_, Context, JobTick, aware, job

from .audience import config_for
from .broadcast import send_post, skip_waiting
from .models import Post, Product
from .notify import send_to, translator_for
from .occurrences import occurrences
from .recurrence import Repeat
from .schedule_text import describe
from .times import utc

__all__ = [
    "end_series",
    "first_date",
    "occurrence",
    "start_series",
    "summary",
    "withdraw_series",
]

log = logging.getLogger("promotions")


def _dates(ctx: Context, series: Post, extra: int = 0) -> Iterator[tuple[int, datetime]]:
    """The series' dates, numbered from 1, up to ``max_occurrences`` (and `extra` more)."""
    assert series.repeat is not None
    rep = Repeat.from_json(series.repeat)
    limit = config_for(ctx.app, "").max_occurrences + extra
    start = aware(series.send_at or series.created_at)
    dates = occurrences(rep, start, ctx.app.settings.bot.tz, ctx.calendar.is_workday)
    return enumerate(islice(dates, limit), start=1)


def _after(ctx: Context, series: Post, moment: datetime) -> tuple[int, datetime] | None:
    """The first date after `moment`, with its number."""
    return next(((n, at) for n, at in _dates(ctx, series) if at > moment), None)


def _first(ctx: Context, series: Post) -> tuple[int, datetime] | None:
    """The first date from now on (this minute included)."""
    now = ctx.now().replace(second=0, microsecond=0)
    return next(((n, at) for n, at in _dates(ctx, series) if at >= now), None)


def first_date(ctx: Context, series: Post) -> datetime | None:
    """The first date from now on (None: none is left)."""
    found = _first(ctx, series)
    return found[1] if found else None


async def _plan(ctx: Context, series: Post, found: tuple[int, datetime] | None) -> None:
    if found is None:
        series.next_at = None
        return
    n, at = found[0], utc(found[1])
    series.next_at = at
    await ctx.schedule(
        "occurrence", at=at, key=f"series:{series.id}:{n}", payload={"series": series.id}
    )


async def start_series(ctx: Context, series: Post) -> datetime | None:
    """The approver approved a series: plan its first date (None: no date is left)."""
    if series.send_at is None:  # "现在" and then repeat: from the approval on
        series.send_at = utc(ctx.now())
    first = _first(ctx, series)
    series.state = "scheduled"
    await _plan(ctx, series, first)
    return first[1] if first else None


@job("occurrence", help=N_("Send the next post of a recurring promotion"))
async def occurrence(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    series = await ctx.db.get(Post, tick.payload.get("series", 0))
    if series is None or series.state != "scheduled" or series.repeat is None:
        return  # withdrawn or ended meanwhile
    now = ctx.now()
    due = [(n, at) for n, at in _dates(ctx, series) if at <= now]
    last = await ctx.db.scalar(
        select(Post.occurrence).where(Post.series_id == series.id).order_by(Post.occurrence.desc())
    )
    due = [(n, at) for n, at in due if n > (last or 0)]
    if not due:  # nothing due yet (the schedule moved): plan the next date again
        await _plan(ctx, series, _after(ctx, series, now))
        return
    n, at = due[-1]
    if len(due) > 1:
        log.warning("event=series_missed series=%s missed=%d", series.id, len(due) - 1)
    product = await ctx.db.get(Product, series.product_id) if series.product_id else None
    if product is not None and product.stock <= 0:
        await end_series(ctx, series, "sold_out")
        return
    post = Post(
        kind=series.kind, product_id=series.product_id, title=series.title, text=series.text,
        photo=series.photo, contact=series.contact, author=series.author,
        author_name=series.author_name, tags=list(series.tags), state="scheduled", send_at=utc(at),
        approver=series.approver, approver_name=series.approver_name,
        decided_at=series.decided_at, created_at=now, series_id=series.id, occurrence=n,
    )  # fmt: skip
    ctx.db.add(post)
    await ctx.db.flush()
    earlier = await ctx.db.scalars(
        select(Post.id).where(Post.series_id == series.id, Post.id != post.id)
    )
    await skip_waiting(ctx, list(earlier.all()), "superseded")
    nxt = _after(ctx, series, now)
    await _plan(ctx, series, nxt)  # first: copies that would wait past it are superseded
    await send_post(ctx, post)
    if nxt is None:
        cut = any(m > n for m, _ in _dates(ctx, series, extra=1))  # more dates than allowed
        await end_series(ctx, series, "limit" if cut else "finished")


async def end_series(ctx: Context, series: Post, reason: str) -> None:
    """The series posts no more; its author is told why."""
    series.state, series.end_reason, series.next_at = "ended", reason, None
    posts = len((await ctx.db.scalars(select(Post.id).where(Post.series_id == series.id))).all())
    t = await translator_for(ctx, series.author)
    if reason == "sold_out":
        product = await ctx.db.get(Product, series.product_id or 0)
        text = t(
            "Promotion #{id} repeats no more: {product} is sold out. Posts sent: {n}.",
            id=series.id, product=product.name if product else series.title, n=posts,
        )  # fmt: skip
    elif reason == "limit":
        text = t(
            "Promotion #{id} repeats no more: it reached {n} posts, the most a series may have. "
            "Draft it again to go on.", id=series.id, n=posts,
        )  # fmt: skip
    else:
        text = t("Promotion #{id} has gone out for the last time ({n} posts).", id=series.id,
                 n=posts)  # fmt: skip
    await send_to(ctx, series.author, text)


async def withdraw_series(ctx: Context, series: Post) -> int:
    """Withdrawn: no more dates, and the copies of its posts still waiting are not sent."""
    if series.next_at is not None:
        number = next((n for n, at in _dates(ctx, series) if at == aware(series.next_at)), 0)
        await ctx.unschedule("occurrence", f"series:{series.id}:{number}")
    series.state, series.end_reason, series.next_at = "cancelled", "withdrawn", None
    posts = await ctx.db.scalars(select(Post.id).where(Post.series_id == series.id))
    return await skip_waiting(ctx, list(posts.all()), "withdrawn")


def summary(ctx: Context, series: Post) -> str:
    """How the series repeats ("every Friday at 10:00, 3 times"), in the asker's language."""
    assert series.repeat is not None
    rep = Repeat.from_json(series.repeat)
    start = aware(series.send_at or series.created_at)
    tz = ctx.app.settings.bot.tz
    return describe(ctx.t, rep, start, tz, product=series.product_id is not None)
