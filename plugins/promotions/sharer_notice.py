"""A sharer is told of the orders that came through their shares: which post, which group, how
much; never who ordered or their phone (those are for the seller, who fulfils the order).

An official who shared a post to a dozen groups may see dozens of orders in an hour; a message
for each would bury everything else they are sent. So the orders are told together: an order
schedules the notice for the end of its ``sharer_notice_minutes`` period (30 minutes by
default; one schedule per sharer and period, so a second order in the same period adds none),
and the notice tells every order of that sharer not told yet, one line per post and group.
Nothing is sent in a period without orders. A cancelled order not told yet is left out. The
plugin's own ``quiet_hours`` (those under ``plugins: promotions:``, not a group's) hold the
notices of the night until they end: the orders of the night come in one message then.

Where the bot may not write first (Telegram: only to people who wrote to it in private), a
sharer who never did is not written to: their orders are marked told, and `share` has already
asked them to write to the bot; /stats shows the same figures at any time."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from qunzhu.core import N_, Context, JobTick, Translator, job

from .audience import config_for, next_open
from .models import Delivery, Order, Post
from .notify import send_to, translator_for, user_of
from .progress import title_of
from .render import qty
from .times import utc

__all__ = ["sharer_notice", "tell_sharer_later"]

log = logging.getLogger("qunzhu.plugins.promotions")


async def tell_sharer_later(ctx: Context, order: Order, seller: str) -> None:
    """Schedule the notice that tells `order`'s sharer of it (none for the broadcast's groups,
    nor for a sharer who is the seller: they have the seller's own note)."""
    if not order.shared_by or order.shared_by == seller:
        return
    config = config_for(ctx.app, "")
    period = config.sharer_notice_minutes * 60
    end = datetime.fromtimestamp((int(ctx.now().timestamp()) // period + 1) * period, UTC)
    at = utc(next_open(end, config, ctx.app.settings.bot.tz))  # not at night
    await ctx.schedule(
        "sharer_notice",
        at=at,
        key=f"sharer:{order.shared_by}:{int(at.timestamp())}",
        payload={"sharer": order.shared_by},
    )


@job("sharer_notice", help=N_("Tell sharers of the orders from the groups they shared posts to"))
async def sharer_notice(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    sharer = str(tick.payload.get("sharer", ""))
    untold = (
        await ctx.db.scalars(
            select(Order)
            .where(Order.shared_by == sharer, Order.sharer_told_at.is_(None))
            .order_by(Order.id)
        )
    ).all()
    if not sharer or not untold:
        return
    for order in untold:
        order.sharer_told_at = ctx.now()
    orders = [o for o in untold if o.state != "cancelled"]
    if not orders:
        return
    if not await ctx.can_write_privately(user_of(sharer)):
        log.info("event=sharer_not_told reason=cannot_write_first orders=%d", len(orders))
        return
    t = await translator_for(ctx, sharer)
    await send_to(ctx, sharer, await _text(ctx, t, orders))


async def _text(ctx: Context, t: Translator, orders: list[Order]) -> str:
    posts = {
        p.id: p
        for p in (
            await ctx.db.scalars(select(Post).where(Post.id.in_({o.post_id for o in orders})))
        ).all()
    }
    copies = {
        (d.post_id, d.platform, d.chat_id): d.title
        for d in (
            await ctx.db.scalars(
                select(Delivery).where(Delivery.post_id.in_({o.post_id for o in orders}))
            )
        ).all()
    }
    per: dict[tuple[int, str, str], list[Order]] = defaultdict(list)
    for o in orders:
        per[(o.post_id, o.platform, o.chat_id)].append(o)
    lines = []
    for (post_id, platform, chat_id), some in per.items():
        post = posts.get(post_id)
        title = title_of(t, post) if post is not None else f"#{post_id}"
        group = copies.get((post_id, platform, chat_id)) or chat_id
        n = sum(o.quantity for o in some)
        event = post is not None and post.kind == "event"
        unit = t("people") if event else some[0].unit or t("people")
        if len(orders) == 1:
            return (
                t("New sign-up through your share: #{id} {title} in {group}, {n} {unit}. Your "
                  "figures: /stats {id}", id=post_id, title=title, group=group, n=qty(n),
                  unit=unit)
                if event else
                t("New order through your share: #{id} {title} in {group}, {n} {unit}. Your "
                  "figures: /stats {id}", id=post_id, title=title, group=group, n=qty(n),
                  unit=unit)
            )  # fmt: skip
        lines.append(
            t("· #{id} {title} in {group}: sign-ups {count} · {n} {unit}", id=post_id,
              title=title, group=group, count=len(some), n=qty(n), unit=unit)
            if event else
            t("· #{id} {title} in {group}: orders {count} · {n} {unit}", id=post_id, title=title,
              group=group, count=len(some), n=qty(n), unit=unit)
        )  # fmt: skip
    head = t("New orders through your shares:")
    return "\n".join([head, *lines, t("Your figures: /stats")])
