"""``/stats``: for the seller, per post and per group: delivered, button presses, leads (感兴趣),
orders, quantity ordered, and orders within 24 hours of the post reaching the group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Context, UsageError, aware, command

from .approval import APPROVER
from .models import Lead, Order, Post, Press, Product
from .progress import status, title_of
from .render import qty

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
        _add(total, g)
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
    mine_or_all = select(Post) if ctx.person.has_role(APPROVER) else select(Post).where(mine)
    query = mine_or_all.where(Post.state.in_(("sending", "published", "failed", "cancelled")))
    query = query.where(Post.published_at.is_not(None))
    if post_id:
        out = await ctx.db.scalar(query.where(Post.id == post_id).with_only_columns(Post.id))
        post = await ctx.db.scalar(mine_or_all.where(Post.id == post_id))
        if post is None:
            raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
        if post.repeat is not None and post.state not in ("pending", "rejected"):
            await ctx.reply(await _series(ctx, post))
        elif out is None:
            await ctx.reply(ctx.t("Promotion #{id} has not gone out yet.", id=post_id))
        else:
            await ctx.reply(await _one(ctx, post))
        return
    posts = (await ctx.db.scalars(query.order_by(Post.id.desc()).limit(10))).all()
    if not posts:
        await ctx.reply(ctx.t("None of your promotions has gone out yet."))
        return
    lines = []
    for post in posts:
        total, _, _ = await post_figures(ctx.db, post)
        head = f"#{post.id} {title_of(ctx.t, post, quote=False)}: "
        lines.append(head + _line(ctx, total, await _unit(ctx, post)))
    lines.append(ctx.t("Send /stats <number> for the figures per group."))
    await ctx.reply("\n".join(lines))


async def _unit(ctx: Context, post: Post) -> str:
    product = await ctx.db.get(Product, post.product_id) if post.product_id else None
    return product.unit if product else ctx.t("people")


async def _one(ctx: Context, post: Post) -> str:
    total, groups, titles = await post_figures(ctx.db, post)
    unit = await _unit(ctx, post)
    head = f"#{post.id} {title_of(ctx.t, post, quote=False)}: "
    lines = [head + _line(ctx, total, unit), ctx.t("Per group:")]
    return "\n".join(lines + _groups(ctx, groups, titles, unit))


async def _series(ctx: Context, series: Post) -> str:
    """A series: each of its posts, then the groups over all of them."""
    unit = await _unit(ctx, series)
    posts = (
        await ctx.db.scalars(
            select(Post)
            .where(Post.series_id == series.id, Post.published_at.is_not(None))
            .order_by(Post.occurrence)
        )
    ).all()
    if not posts:
        return ctx.t("Promotion #{id} has not gone out yet.", id=series.id)
    total = Figures()
    groups: dict[Key, Figures] = defaultdict(Figures)
    titles: dict[Key, str] = {}
    lines = []
    for post in posts:
        figures, per_group, named = await post_figures(ctx.db, post)
        _add(total, figures)
        for key, f in per_group.items():
            _add(groups[key], f)
        titles |= named
        when = aware(post.published_at or post.created_at).astimezone(ctx.app.settings.bot.tz)
        lines.append(f"· #{post.id} {when:%m-%d %H:%M}: " + _line(ctx, f=figures, unit=unit))
    head = ctx.t("#{id} {title}, {n} posts: {figures}", id=series.id, title=series.title,
                 n=len(posts), figures=_line(ctx, total, unit))  # fmt: skip
    lines = [head, *lines, ctx.t("Per group:")]
    return "\n".join(lines + _groups(ctx, dict(groups), titles, unit))


def _add(into: Figures, more: Figures) -> None:
    for name in vars(into):
        setattr(into, name, getattr(into, name) + getattr(more, name))


def _groups(
    ctx: Context, groups: dict[Key, Figures], titles: dict[Key, str], unit: str
) -> list[str]:
    lines = []
    ranked = sorted(
        groups.items(), key=lambda kv: (-kv[1].orders, -kv[1].leads, titles.get(kv[0], ""))
    )
    for key, f in ranked[:20]:
        lines.append(f"· {titles.get(key, key[1])}: " + _line(ctx, f, unit))
    if len(ranked) > 20:
        lines.append(ctx.t("… and {n} more groups", n=len(ranked) - 20))
    return lines
