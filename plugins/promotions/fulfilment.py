"""After the order: the seller confirms (确认), ships (已发货) or rejects (拒绝); the buyer may
cancel while the order is new. A cancelled order returns its stock (and a sold-out post takes
orders again). ``/orders`` lists them."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core import N_, Button, Context, Reply, command

from .buttons import OnOrder, OrderStep
from .models import Order, Post, Product
from .notify import send_to, translator_for
from .render import qty
from .stock import put_back, show_sold_out

__all__ = ["change_order", "orders_command"]


_ALLOWED = {
    "confirm": ({"new"}, "confirmed"),
    "ship": ({"confirmed"}, "shipped"),
    "reject": ({"new", "confirmed"}, "cancelled"),
    "cancel": ({"new"}, "cancelled"),
}


async def change_order(ctx: Context, action: str, order_id: int) -> None:
    """The seller confirms, ships or rejects; the buyer cancels (while the order is new)."""
    order = await ctx.db.get(Order, order_id, with_for_update=True)
    if order is None or action not in _ALLOWED:
        await ctx.send(ctx.t("There is no order #{id}.", id=order_id))
        return
    post = await ctx.db.get(Post, order.post_id)
    product = await ctx.db.get(Product, order.product_id) if order.product_id else None
    seller = product.seller if product else post.author if post else ""
    is_buyer = ctx.sender.key == order.buyer and action == "cancel"
    if not is_buyer and ctx.sender.key != seller and not ctx.person.is_admin:
        await ctx.send(ctx.t("Only the seller can do that with order #{id}.", id=order_id))
        return
    states, new = _ALLOWED[action]
    if order.state not in states:
        await ctx.send(
            ctx.t("Order #{id} is already {state}.", id=order.id, state=ctx.t(order.state))
        )
        return
    order.state, order.changed_at = new, ctx.now()
    if new == "cancelled" and product is not None:
        left = await put_back(ctx.db, product.id, order.quantity)
        if left == order.quantity:  # it was sold out: the posts take orders again
            await show_sold_out(ctx, product.id, sold_out=False)
    text = ctx.t("Order #{id} is now {state}.", id=order.id, state=ctx.t(new))
    if new == "confirmed":
        text += "\n" + ctx.t("Press Shipped when it is on its way.")
        ship = Button(ctx.t("Shipped"), data=OnOrder(OrderStep.SHIP, order.id).pack())
        await ctx.send(Reply(text).with_buttons(ship))
    else:
        await ctx.send(text)
    other = seller if is_buyer else order.buyer
    if other and other != ctx.sender.key:
        t = await translator_for(ctx, other)
        title = post.title if post else ""
        await send_to(
            ctx, other, t("Order #{id} ({title}) is now {state}.", id=order.id, title=title,
                          state=t(new))
        )  # fmt: skip


# the order states, translated where they are shown
_STATES = (N_("new"), N_("confirmed"), N_("shipped"), N_("cancelled"))


@command(
    "orders",
    aliases=["订单", "訂單"],
    help=N_("Your orders (and, for sellers, the orders received)"),
)
async def orders_command(ctx: Context) -> None:
    received = (
        await ctx.db.scalars(
            select(Order)
            .join(Product, Product.id == Order.product_id)
            .where(Product.seller == ctx.sender.key)
            .order_by(Order.id.desc())
            .limit(20)
        )
    ).all()
    mine = (
        await ctx.db.scalars(
            select(Order).where(Order.buyer == ctx.sender.key).order_by(Order.id.desc()).limit(10)
        )
    ).all()
    if not received and not mine:
        await ctx.reply(ctx.t("No orders yet."))
        return
    lines = []
    if received:
        lines.append(ctx.t("Orders received:"))
        lines += [_line(ctx, o, with_buyer=True) for o in received]
    if mine:
        lines.append(ctx.t("Your orders:"))
        lines += [_line(ctx, o, with_buyer=False) for o in mine]
    cancels = [
        Button(ctx.t("Cancel order #{id}", id=o.id), data=OnOrder(OrderStep.CANCEL, o.id).pack())
        for o in mine
        if o.state == "new"
    ]
    reply = Reply("\n".join(lines))
    await ctx.reply(reply.with_buttons(*cancels) if cancels else reply)


def _line(ctx: Context, o: Order, *, with_buyer: bool) -> str:
    who = f" · {o.buyer_name} {o.phone} {o.city}" if with_buyer else ""
    unit = o.unit or ctx.t("people")
    return f"#{o.id} {qty(o.quantity)} {unit} · {ctx.t(o.state)}{who}"
