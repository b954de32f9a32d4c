"""Late groups: a group that opts in (/promotions on) while posts are running receives them, once
each (``late_posts``, on by default): the posts for its tags or its unit that went out in the
last ``late_days`` days and are not sold out (of a running series, its latest post), under the
group's daily cap and quiet hours like any copy (`broadcast.deliver`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from qunzhu.core import ChatRef, Context

from .audience import config_for, targets
from .broadcast import deliver
from .models import Delivery, Post, Product

__all__ = ["send_running"]


async def send_running(ctx: Context) -> list[tuple[Post, Delivery]]:
    """Send this group the posts running now that it has not had; each with its copy."""
    key = ctx.chat.key
    config = config_for(ctx.app, key)
    if not config.late_posts:
        return []
    since = ctx.now() - timedelta(days=config.late_days)
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
    lang = ctx.app.settings.chat_language(key) or ctx.app.settings.bot.language
    chat = ChatRef.parse(key, title=config.name or ctx.chat.title)
    found = []
    for post in posts:
        if post.series_id is not None and latest.get(post.series_id) is not post:
            continue
        product = await ctx.db.get(Product, post.product_id) if post.product_id else None
        if product is not None and product.stock <= 0:
            continue
        if key not in {t.chat.key for t in await targets(ctx.app, ctx.db, post.tags)}:
            continue
        for d in await deliver(ctx, post, [(chat, lang)], via="late"):
            found.append((post, d))
    return found
