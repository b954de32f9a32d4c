"""``/stats``: for the seller, per post and per group: delivered, button presses, leads (感兴趣),
orders, quantity ordered, and orders within 24 hours of the post reaching the group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Context, UsageError, command

from .approval import APPROVER
from .broadcast import status
from .models import Lead, Order, Post, Press, Product
from .render import qty
from .times import aware

__all__ = ["Figures", "post_figures", "stats_command"]

DAY = timedelta(hours=24)
Key = tuple[str, str]


@dataclass
class Figures:
    delivered: int = 0
    presses: int = 0
    leads: int = 0
    orders: int = 0
    quantity: int = 0
    within_24h: int = 0


async def post_figures(
    db: AsyncSession, post: Post
) -> tuple[Figures, dict[Key, Figures], dict[Key, str]]:
    """The post's figures, the same per group, and the groups' titles."""
    groups: dict[Key, Figures] = defaultdict(Figures)
    titles: dict[Key, str] = {}
    reached = {}
    for d, state in await status(db, post.id):
        key = (d.platform, d.chat_id)
        titles[key] = d.title or d.chat_id
        if state == "sent":
            groups[key].delivered += 1
            reached[key] = aware(d.queued_at or d.due_at)
    for model, field in ((Press, "presses"), (Lead, "leads")):
        rows = await db.execute(
            select(model.platform, model.chat_id, func.count())
            .where(model.post_id == post.id)
            .group_by(model.platform, model.chat_id)
        )
        for platform, chat_id, n in rows.all():
            setattr(groups[(platform, chat_id)], field, n)
    orders = (
        await db.scalars(select(Order).where(Order.post_id == post.id, Order.state != "cancelled"))
    ).all()
    for o in orders:
        g = groups[(o.platform, o.chat_id)]
        g.orders += 1
        g.quantity += o.quantity
        since = reached.get((o.platform, o.chat_id))
        if since is not None and aware(o.created_at) - since <= DAY:
            g.within_24h += 1
    total = Figures()
    for g in groups.values():
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(g, name))
    return total, dict(groups), titles


def _line(ctx: Context, f: Figures, unit: str) -> str:
    return ctx.t(
        "delivered {delivered} · presses {presses} · leads {leads} · orders {orders} · "
        "{quantity} {unit} ordered · orders within 24 hours {within}",
        delivered=f.delivered, presses=f.presses, leads=f.leads, orders=f.orders,
        quantity=qty(f.quantity), unit=unit, within=f.within_24h,
    )  # fmt: skip


@command(
    "stats", aliases=["统计", "統計"], help=N_("Figures of your promotions, per post and per group")
)
async def stats_command(ctx: Context, post_id: int = 0) -> None:
    mine = or_(
        Post.author == ctx.sender.key,
        Post.product_id.in_(select(Product.id).where(Product.seller == ctx.sender.key)),
    )
    query = select(Post).where(Post.state.in_(("sending", "published", "failed")))
    if not ctx.person.has_role(APPROVER):
        query = query.where(mine)
    if post_id:
        post = await ctx.db.scalar(query.where(Post.id == post_id))
        if post is None:
            raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
        await ctx.reply(await _one(ctx, post))
        return
    posts = (await ctx.db.scalars(query.order_by(Post.id.desc()).limit(10))).all()
    if not posts:
        await ctx.reply(ctx.t("None of your promotions has gone out yet."))
        return
    lines = []
    for post in posts:
        total, _, _ = await post_figures(ctx.db, post)
        lines.append(f"#{post.id} {post.title}: " + _line(ctx, total, await _unit(ctx, post)))
    lines.append(ctx.t("Send /stats <number> for the figures per group."))
    await ctx.reply("\n".join(lines))


async def _unit(ctx: Context, post: Post) -> str:
    product = await ctx.db.get(Product, post.product_id) if post.product_id else None
    return product.unit if product else ctx.t("people")


async def _one(ctx: Context, post: Post) -> str:
    total, groups, titles = await post_figures(ctx.db, post)
    unit = await _unit(ctx, post)
    lines = [f"#{post.id} {post.title}: " + _line(ctx, total, unit), ctx.t("Per group:")]
    ranked = sorted(
        groups.items(), key=lambda kv: (-kv[1].orders, -kv[1].leads, titles.get(kv[0], ""))
    )
    for key, f in ranked[:20]:
        lines.append(f"· {titles.get(key, key[1])}: " + _line(ctx, f, unit))
    if len(ranked) > 20:
        lines.append(ctx.t("… and {n} more groups", n=len(ranked) - 20))
    return "\n".join(lines)
