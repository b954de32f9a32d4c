"""The promotions pages of the web console: ``/web/promotions`` lists the posts that went out
with their figures and the product's stock; ``/web/promotions/{id}`` shows one post per group
and per sharer (`stats.post_figures`, `stats.sharer_figures`, the figures of ``/stats``) and its
orders.

Who sees what, as ``/stats`` says it in chat: approvers every post; a seller the posts of their
products and the posts they wrote; a sharer the posts they shared, with the figures of the
groups they shared them to only. A buyer's name and phone are shown to the seller of the product
alone (as the order reaches only the seller's private chat); others see the orders' figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Org, Person, aware
from qunzhu.core.web import Page, Template, Visit

from .approval import APPROVER
from .audience import config_for
from .models import Delivery, Order, Post, Product
from .progress import title_of
from .render import money, qty
from .stats import Figures, post_figures, sharer_figures

__all__ = ["PAGES"]

TEMPLATES = Path(__file__).parent / "web"
OUT = ("sending", "published", "failed", "cancelled")
PER_PAGE = 20


def may_open(person: Person, org: Org) -> bool:
    """Sellers, approvers, and those who may share posts (the heads of units)."""
    return (
        person.has_role("seller")
        or person.has_role(APPROVER)
        or any(unit.head for unit in org.units_of(person))
    )


def _mine(person: Person) -> Any:
    me = list(person.identities)
    return or_(Post.author.in_(me), Post.product_id.in_(
        select(Product.id).where(Product.seller.in_(me))))  # fmt: skip


async def _posts(s: AsyncSession, person: Person, page: int) -> tuple[list[Post], set[int], int]:
    """The posts `person` sees, a page of them; the ids of those that are theirs; how many."""
    me = list(person.identities)
    shared = Post.id.in_(select(Delivery.post_id).where(Delivery.shared_by.in_(me)))
    query = select(Post).where(Post.state.in_(OUT), Post.published_at.is_not(None))
    if not person.has_role(APPROVER):
        query = query.where(or_(_mine(person), shared))
    total = len((await s.scalars(query.with_only_columns(Post.id))).all())
    posts = (
        await s.scalars(
            query.order_by(Post.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
        )  # fmt: skip
    ).all()
    ours = set((await s.scalars(select(Post.id).where(_mine(person)))).all())
    return list(posts), ours, total


def _only(person: Person, post: Post, ours: set[int]) -> str | None:
    """The sharer's identity whose groups alone `person` sees of `post` (None: every group)."""
    if person.has_role(APPROVER) or post.id in ours:
        return None
    return next(iter(person.identities), "")


def _figures(f: Figures) -> dict[str, Any]:
    return {"delivered": f.delivered, "presses": f.presses, "leads": f.leads,
            "orders": f.orders, "quantity": qty(f.quantity), "amount": money(f.amount_fen),
            "within": f.within_24h}  # fmt: skip


async def list_page(visit: Visit) -> Template:
    try:
        page = max(1, int(visit.request.query.get("page", "1")))
    except ValueError:
        page = 1
    rows = []
    async with visit.session() as s:
        posts, ours, total = await _posts(s, visit.person, page)
        for post in posts:
            total_f, _, _ = await post_figures(s, post, only=_only(visit.person, post, ours))
            product = await s.get(Product, post.product_id) if post.product_id else None
            rows.append({
                "id": post.id, "title": title_of(visit.t, post, quote=False),
                "state": post.state, "figures": _figures(total_f),
                "unit": product.unit if product else visit.t("people"),
                "stock": qty(product.stock) if product else "",
                "shared_only": _only(visit.person, post, ours) is not None,
            })  # fmt: skip
    values = {"title": visit.t("Promotions"), "posts": rows, "total": total, "page": page,
              "pages": max(1, -(-total // PER_PAGE))}  # fmt: skip
    return Template("promotions/list.html", values)


async def post_page(visit: Visit) -> Template:
    try:
        post_id = int(visit.request.match_info.get("id", ""))
    except ValueError:
        post_id = 0
    async with visit.session() as s:
        posts, ours, _ = await _visible(s, visit.person, post_id)
        if not posts:
            text = visit.t("There is no promotion #{id} of yours.", id=post_id)
            return Template("core/message.html", {"title": text, "text": text}, status=404)
        post = posts[0]
        only = _only(visit.person, post, ours)
        total, groups, titles = await post_figures(s, post, only=only)
        sharers = await sharer_figures(s, post)
        product = await s.get(Product, post.product_id) if post.product_id else None
        seller = product is not None and product.seller in visit.person.identities
        orders = (
            await s.scalars(
                select(Order).where(Order.post_id == post.id).order_by(Order.id.desc()).limit(200)
            )  # fmt: skip
        ).all()
    if only is not None:
        sharers = {k: v for k, v in sharers.items() if k == only}
        orders = [o for o in orders if o.shared_by == only]
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1].orders, -kv[1].leads,
                                                     titles.get(kv[0], "")))  # fmt: skip
    tz = visit.app.settings.bot.tz
    values = {
        "title": title_of(visit.t, post, quote=False),
        "post": post,
        "total": _figures(total),
        "unit": product.unit if product else visit.t("people"),
        "stock": qty(product.stock) if product else "",
        "groups": [(titles.get(k, k[1]), _figures(f)) for k, f in ranked],
        "sharers": [
            (name, _figures(f))
            for name, f in sorted(sharers.values(), key=lambda nf: -nf[1].amount_fen)
        ],  # fmt: skip
        "orders": [
            {
                "at": aware(o.created_at).astimezone(tz).strftime("%m-%d %H:%M"),
                "group": titles.get((o.platform, o.chat_id), o.chat_id),
                "quantity": qty(o.quantity),
                "unit": o.unit or (product.unit if product else ""),
                "amount": money(o.quantity * o.price_fen),
                "state": o.state,
                "buyer": o.buyer_name if seller else "",
                "phone": o.phone if seller else "",
                "city": o.city if seller else "",
            }
            for o in orders
        ],  # fmt: skip
        "seller": seller,
        "currency": config_for(visit.app, "").currency,
        "shared_only": only is not None,
    }
    return Template("promotions/post.html", values)


async def _visible(
    s: AsyncSession, person: Person, post_id: int
) -> tuple[list[Post], set[int], int]:
    me = list(person.identities)
    query = select(Post).where(Post.id == post_id, Post.state.in_(OUT),
                               Post.published_at.is_not(None))  # fmt: skip
    if not person.has_role(APPROVER):
        shared = Post.id.in_(select(Delivery.post_id).where(Delivery.shared_by.in_(me)))
        query = query.where(or_(_mine(person), shared))
    posts = list((await s.scalars(query)).all())
    ours = set((await s.scalars(select(Post.id).where(_mine(person), Post.id == post_id))).all())
    return posts, ours, len(posts)


PAGES = (
    Page("/promotions", list_page, title=N_("Promotions"), nav=True, templates=TEMPLATES,
         allow=may_open),
    Page("/promotions/{id}", post_page, templates=TEMPLATES, allow=may_open),
)  # fmt: skip
