"""Late groups: a group that comes to receive promotions while posts are running receives them,
once each (``late_posts``, on by default): the posts for its tags or its unit that went out in
the last ``late_days`` days and are not sold out (of a running series, its latest post), under
the group's daily cap and quiet hours like any copy (`broadcast.deliver`).

A group comes to receive them in three ways: its admins say ``/promotions on``
(`send_running`); the bot is added to a group that receives promotions (``opt_in: true`` under
``chats:``, or an earlier /promotions on; `bot_added`); or the YAML gains a group with
``opt_in: true`` (or says it for a group it had) and the bot starts again (`at_start_up`: the
groups of the config that receive promotions and never had a running post). Each post reaches a
group once: a group that has it, or has it on its way, is left out."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import App, ChatRef, Context, MemberChange, aware

from .audience import config_for, targets
from .broadcast import deliver
from .models import Delivery, Group, Post, Product

__all__ = ["at_start_up", "bot_added", "running_posts", "send_running"]

log = logging.getLogger("qunzhu.plugins.promotions")
#: Why a group's copy did not go that does not stop a late copy (see `broadcast.deliver`).
_AGAIN = {"opted_out", "removed"}


async def running_posts(ctx: Context, days: int) -> list[Post]:
    """The posts running now that went out at most `days` days ago and are not sold out (of a
    running series, its latest post)."""
    since = ctx.now() - timedelta(days=days)
    posts = (
        await ctx.db.scalars(
            select(Post)
            .where(
                Post.state.in_(("sending", "published")),
                Post.sold_out.is_(False),
                Post.published_at >= since,
            )
            .order_by(Post.id)
        )
    ).all()
    latest: dict[int, Post] = {}  # a series → its latest post
    for post in posts:
        if post.series_id is not None:
            series = await ctx.db.get(Post, post.series_id)
            if series is None or series.state != "scheduled":
                continue
            if post.series_id not in latest or latest[post.series_id].occurrence < post.occurrence:
                latest[post.series_id] = post
    found = []
    for post in posts:
        if post.series_id is not None and latest.get(post.series_id) is not post:
            continue
        product = await ctx.db.get(Product, post.product_id) if post.product_id else None
        if product is None or product.stock > 0:
            found.append(post)
    return found


async def send_running(ctx: Context) -> list[tuple[Post, Delivery]]:
    """Send this group the posts running now that it has not had; each with its copy. None
    when the group does not receive promotions."""
    key = ctx.chat.key
    config = config_for(ctx.app, key)
    if not config.late_posts or not await _receives(ctx.app, ctx.db, key):
        return []
    lang = ctx.app.settings.chat_language(key) or ctx.app.settings.bot.language
    chat = ChatRef.parse(key, title=config.name or ctx.chat.title)
    found = []
    for post in await running_posts(ctx, config.late_days):
        if key not in {t.chat.key for t in await targets(ctx.app, ctx.db, post.tags)}:
            continue
        for d in await deliver(ctx, post, [(chat, lang)], via="late"):
            found.append((post, d))
    return found


async def bot_added(ctx: Context) -> None:
    """The bot was added to this group (``on_member_change``): the running posts, if the group
    receives promotions."""
    event = ctx.event
    adapter = ctx.app.adapters.get(ctx.chat.platform)
    if not isinstance(event, MemberChange) or event.change != "joined" or adapter is None:
        return
    if ctx.chat.is_direct or event.user.user_id != adapter.bot_user_id:
        return
    sent = await send_running(ctx)
    log.info("event=late_posts cause=bot_added chat=%s copies=%d", ctx.chat.key, len(sent))


async def at_start_up(ctx: Context) -> int:
    """The groups of the config that receive promotions (and want late posts) get the running
    posts they never had; how many copies that made. One pass over the running posts, not one
    per group: a city has hundreds of groups."""
    configured = {key for key, c in ctx.app.settings.chats.items() if "promotions" in c.plugins}
    copies = 0
    days = {key: config_for(ctx.app, key) for key in configured}
    for post in await running_posts(ctx, max((c.late_days for c in days.values()), default=0)):
        assert post.published_at is not None  # running posts went out
        age = ctx.now() - aware(post.published_at)
        wanted = [
            (t.chat, t.lang)
            for t in await targets(ctx.app, ctx.db, post.tags)
            if not t.skip
            and t.chat.key in days
            and days[t.chat.key].late_posts
            and age <= timedelta(days=days[t.chat.key].late_days)
        ]
        if not wanted:
            continue
        rows = await ctx.db.scalars(select(Delivery).where(Delivery.post_id == post.id))
        had = {
            f"{d.platform}:{d.chat_id}"
            for d in rows
            if not (d.status == "skipped" and d.reason in _AGAIN)
        }
        missing = [(chat, lang) for chat, lang in wanted if chat.key not in had]
        copies += len(await deliver(ctx, post, missing, via="late")) if missing else 0
    if copies:
        log.info("event=late_posts cause=start_up copies=%d", copies)
    return copies


async def _receives(app: App, db: AsyncSession, key: str) -> bool:
    """Whether the group receives promotions: as its admins said, else as the config says."""
    platform, _, chat_id = key.partition(":")
    row = await db.get(Group, (platform, chat_id))
    opted = row.opted_in if row is not None else None
    return opted if opted is not None else config_for(app, key).opt_in
