"""``/stats``: for the seller, per post and per group: delivered, button presses, leads (感兴趣),
orders, quantity ordered, their amount, and orders within 24 hours of the post reaching the
group; and per sharer (who passed the post to groups they run): orders, quantity, amount. A
sharer's own /stats shows the posts they shared, with the figures of their groups only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Context, UsageError, aware, command

from .approval import APPROVER
from .audience import config_for
from .models import Delivery, Lead, Order, Post, Press, Product
from .progress import status, title_of
from .render import money, qty

__all__ = ["Figures", "Unit", "post_figures", "sharer_figures", "stats_command"]

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
    amount_fen: int = 0


async def post_figures(
    db: AsyncSession, post: Post, *, only: str | None = None
) -> tuple[Figures, dict[Key, Figures], dict[Key, str]]:
    """The post's figures, the same per group, and the groups' titles; `only`: those of the
    groups that sharer shared it to."""
    groups: dict[Key, Figures] = defaultdict(Figures)
    titles: dict[Key, str] = {}
    reached = {}
    for d, state in await status(db, post.id):
        key = (d.platform, d.chat_id)
        if only is not None and d.shared_by != only:
            continue
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
            if only is None or (platform, chat_id) in titles:
                setattr(groups[(platform, chat_id)], field, n)
    orders = (
        await db.scalars(select(Order).where(Order.post_id == post.id, Order.state != "cancelled"))
    ).all()
    for o in orders:
        if only is not None and o.shared_by != only:
            continue
        g = groups[(o.platform, o.chat_id)]
        g.orders += 1
        g.quantity += o.quantity
        g.amount_fen += o.quantity * o.price_fen
        since = reached.get((o.platform, o.chat_id))
        if since is not None and aware(o.created_at) - since <= DAY:
            g.within_24h += 1
    total = Figures()
    for g in groups.values():
        _add(total, g)
    return total, dict(groups), titles


async def sharer_figures(db: AsyncSession, post: Post) -> dict[str, tuple[str, Figures]]:
    """Per sharer of the post (identity → name, figures): the orders from the groups they
    shared it to, their quantity and amount."""
    rows = await db.execute(
        select(Delivery.shared_by, Delivery.shared_name).where(
            Delivery.post_id == post.id, Delivery.shared_by != ""
        )
    )
    names: dict[str, str] = {who: name for who, name in rows.all()}
    found = {who: (name, Figures()) for who, name in names.items()}
    orders = await db.scalars(
        select(Order).where(
            Order.post_id == post.id, Order.state != "cancelled", Order.shared_by != ""
        )
    )
    for o in orders.all():
        f = found.setdefault(o.shared_by, (o.shared_by, Figures()))[1]
        f.orders += 1
        f.quantity += o.quantity
        f.amount_fen += o.quantity * o.price_fen
    return found


@dataclass(frozen=True)
class Unit:
    """What the figures count in: the product's unit and the currency ("" for an event)."""

    name: str
    currency: str = ""


def _line(ctx: Context, f: Figures, unit: Unit) -> str:
    if unit.currency:
        return ctx.t(
            "delivered {delivered} · presses {presses} · leads {leads} · orders {orders} · "
            "{quantity} {unit} ordered · {amount} {currency} · orders within 24 hours {within}",
            delivered=f.delivered, presses=f.presses, leads=f.leads, orders=f.orders,
            quantity=qty(f.quantity), unit=unit.name, amount=money(f.amount_fen),
            currency=unit.currency, within=f.within_24h,
        )  # fmt: skip
    return ctx.t(
        "delivered {delivered} · presses {presses} · leads {leads} · orders {orders} · "
        "{quantity} {unit} ordered · orders within 24 hours {within}",
        delivered=f.delivered, presses=f.presses, leads=f.leads, orders=f.orders,
        quantity=qty(f.quantity), unit=unit.name, within=f.within_24h,
    )  # fmt: skip


def _sharer_line(ctx: Context, name: str, f: Figures, unit: Unit) -> str:
    return "· " + ctx.t(
        "{name}: orders {orders} · {quantity} {unit} · {amount} {currency}", name=name,
        orders=f.orders, quantity=qty(f.quantity), unit=unit.name, amount=money(f.amount_fen),
        currency=unit.currency or config_for(ctx.app, "").currency,
    )  # fmt: skip


@command(
    "stats", aliases=["统计", "統計"], help=N_("Figures of your promotions, per post and per group")
)
async def stats_command(ctx: Context, post_id: int = 0) -> None:
    me = ctx.sender.key
    mine = or_(
        Post.author == me,
        Post.product_id.in_(select(Product.id).where(Product.seller == me)),
    )
    shared = Post.id.in_(select(Delivery.post_id).where(Delivery.shared_by == me))
    everything = ctx.person.has_role(APPROVER)
    mine_or_all = select(Post) if everything else select(Post).where(or_(mine, shared))
    query = mine_or_all.where(Post.state.in_(("sending", "published", "failed", "cancelled")))
    query = query.where(Post.published_at.is_not(None))
    owned = select(Post.id).where(mine)
    if post_id:
        out = await ctx.db.scalar(query.where(Post.id == post_id).with_only_columns(Post.id))
        post = await ctx.db.scalar(mine_or_all.where(Post.id == post_id))
        if post is None:
            raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
        only = None if everything or await ctx.db.scalar(owned.where(Post.id == post_id)) else me
        if post.repeat is not None and post.state not in ("pending", "rejected"):
            await ctx.reply(await _series(ctx, post))
        elif out is None:
            await ctx.reply(ctx.t("Promotion #{id} has not gone out yet.", id=post_id))
        else:
            await ctx.reply(await _one(ctx, post, only=only))
        return
    posts = (await ctx.db.scalars(query.order_by(Post.id.desc()).limit(10))).all()
    if not posts:
        await ctx.reply(ctx.t("None of your promotions has gone out yet."))
        return
    ours = set() if everything else set((await ctx.db.scalars(owned)).all())
    lines = []
    for post in posts:
        only = me if not everything and post.id not in ours else None
        total, _, _ = await post_figures(ctx.db, post, only=only)
        head = f"#{post.id} {title_of(ctx.t, post, quote=False)}: "
        if only is not None:
            head += ctx.t("(the groups you shared it to)") + " "
        lines.append(head + _line(ctx, total, await _unit(ctx, post)))
    lines.append(ctx.t("Send /stats <number> for the figures per group."))
    await ctx.reply("\n".join(lines))


async def _unit(ctx: Context, post: Post) -> Unit:
    product = await ctx.db.get(Product, post.product_id) if post.product_id else None
    if product is None:
        return Unit(ctx.t("people"))
    return Unit(product.unit, config_for(ctx.app, "").currency)


async def _one(ctx: Context, post: Post, *, only: str | None = None) -> str:
    """One post: its figures, per group, and per sharer (a sharer sees their groups only)."""
    total, groups, titles = await post_figures(ctx.db, post, only=only)
    unit = await _unit(ctx, post)
    head = f"#{post.id} {title_of(ctx.t, post, quote=False)}: "
    if only is not None:
        head += ctx.t("(the groups you shared it to)") + " "
    lines = [head + _line(ctx, total, unit), ctx.t("Per group:")]
    lines += _groups(ctx, groups, titles, unit)
    sharers = await sharer_figures(ctx.db, post)
    if only is not None:
        sharers = {k: v for k, v in sharers.items() if k == only}
    if sharers:
        lines.append(ctx.t("Per sharer:"))
        ranked = sorted(sharers.values(), key=lambda nf: (-nf[1].amount_fen, -nf[1].orders))
        lines += [_sharer_line(ctx, name, f, unit) for name, f in ranked]
    return "\n".join(lines)


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
    ctx: Context, groups: dict[Key, Figures], titles: dict[Key, str], unit: Unit
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
