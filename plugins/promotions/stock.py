"""Stock: reserved and returned with one conditional UPDATE each, so concurrent orders can never
oversell (PostgreSQL re-checks ``stock >= n`` after the row lock; SQLite has one writer). When
the stock reaches zero every copy of every post of the product is edited to read 已售罄; when a
cancellation brings stock back, the copies take orders again."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import Context

from .audience import config_for
from .models import Delivery, Post, Product
from .render import post_reply

__all__ = ["put_back", "reserve", "show_sold_out"]


async def reserve(db: AsyncSession, product_id: int, quantity: int) -> int | None:
    """Take `quantity` from the stock; the stock left, or None when there was not enough."""
    left = await db.scalar(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    )
    return None if left is None else int(left)


async def put_back(db: AsyncSession, product_id: int, quantity: int) -> int:
    """Return `quantity` to the stock (a cancelled order); the stock now."""
    left = await db.scalar(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + quantity)
        .returning(Product.stock)
        .execution_options(synchronize_session=False)
    )
    return int(left or 0)


async def show_sold_out(ctx: Context, product_id: int, *, sold_out: bool) -> int:
    """Edit every delivered (or queued) copy of the product's posts: 已售罄, or back to
    taking orders. Returns how many copies were edited."""
    product = await ctx.db.get(Product, product_id, populate_existing=True)
    posts = (
        await ctx.db.scalars(
            select(Post).where(Post.product_id == product_id, Post.sold_out.is_not(sold_out))
        )
    ).all()
    edited = 0
    for post in posts:
        post.sold_out = sold_out
        copies = (
            await ctx.db.scalars(
                select(Delivery).where(
                    Delivery.post_id == post.id,
                    Delivery.status == "queued",
                    Delivery.outbox_id.is_not(None),
                )
            )
        ).all()
        for d in copies:
            t = ctx.app.catalogs.translator(d.lang, "promotions")
            config = config_for(ctx.app, f"{d.platform}:{d.chat_id}")
            assert d.outbox_id is not None
            await ctx.edit(d.outbox_id, post_reply(t, post, product, config, sold_out=sold_out))
            edited += 1
    return edited
