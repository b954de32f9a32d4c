"""Orders and sign-ups: 我要订购 opens a private dialog (quantity with its unit, delivery city,
phone, confirm); the order is stored with the post and the group it came from, the stock is
reserved, the seller is told (with Confirm / Reject / Shipped) and the buyer gets a Cancel
button. 我要报名 on an event post asks for the number of people and a phone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from qunzhu.core import (
    N_,
    Button,
    Choice,
    Context,
    Dialog,
    Expect,
    Reply,
    Step,
    UsageError,
    command,
)

from .audience import config_for
from .models import Order, Post, Product
from .notify import send_to, translator_for
from .parse import parse_phone, parse_quantity
from .render import PREFIX, money, qty
from .stock import put_back, reserve, show_sold_out

__all__ = ["ORDER_DIALOG", "SIGNUP_DIALOG", "change_order", "orders_command", "start_order"]


async def start_order(ctx: Context, post: Post, group_key: str, *, keep: dict[str, Any]) -> None:
    """Open the order (or sign-up) dialog with the presser, in private."""
    initial: dict[str, Any] = {"post": post.id, "group": group_key, "title": post.title, **keep}
    if post.kind == "event":
        await ctx.start_dialog("signup", chat=await ctx.direct_chat(), initial=initial)
        return
    product = await ctx.db.get(Product, post.product_id or 0, populate_existing=True)
    if product is None:
        return
    config = config_for(ctx.app, group_key)
    initial |= {
        "product": product.name,
        "unit": product.unit,
        "stock": qty(product.stock),
        "price": money(product.price_fen),
        "price_fen": product.price_fen,
        "currency": config.currency,
    }
    await ctx.start_dialog("order", chat=await ctx.direct_chat(), initial=initial)


def _quantity(ctx: Context, value: Any) -> str:
    text = str(value).strip()
    if parse_quantity(text, "斤") is None:
        raise UsageError(
            ctx.t("Please write how many as a whole number above 0, for example 500 or 两千.")
        )
    return text


def _phone(ctx: Context, value: Any) -> str:
    phone = parse_phone(str(value))
    if phone is None:
        raise UsageError(
            ctx.t(
                "Sorry, that does not look like a mobile number. Please write the 11 digits, "
                "for example 138 0013 8000."
            )
        )
    return phone


def _summary(ctx: Any, a: dict[str, Any]) -> str:
    n = parse_quantity(a["quantity"], a["unit"]) or 0
    return str(
        ctx.t(
            "Please check your order: {n} {unit} of {product} at {price} {currency}/{unit}, "
            "{total} {currency} in all, delivered to {city}; phone {phone}. Confirm?",
            n=qty(n),
            unit=a["unit"],
            product=a["product"],
            price=a["price"],
            currency=a["currency"],
            total=money(n * int(a["price_fen"])),
            city=a["city"],
            phone=a["phone"],
        )
    )


def _missing(key: str) -> Any:
    return lambda answers: key not in answers


async def _place(ctx: Context, a: dict[str, Any]) -> None:
    post = await ctx.db.get(Post, a["post"])
    if post is None:
        await ctx.send(ctx.t("Sorry, this promotion no longer exists."))
        return
    product = await ctx.db.get(Product, post.product_id or 0)
    n = parse_quantity(a["quantity"], product.unit if product else "") if product else None
    if product is None or n is None:
        await ctx.send(ctx.t("Sorry, this product is no longer offered."))
        return
    left = await reserve(ctx.db, product.id, n)
    if left is None:
        await ctx.db.refresh(product)
        if product.stock <= 0:
            await ctx.send(ctx.t("Sorry, {product} is sold out.", product=product.name))
            return
        await ctx.send(
            ctx.t(
                "Sorry, only {left} {unit} are left now.", left=qty(product.stock),
                unit=product.unit,
            )
        )  # fmt: skip
        keep = {"city": a["city"], "phone": a["phone"]}
        await start_order(ctx, post, a["group"], keep=keep)
        return
    await _record(ctx, post, product, a, n)
    if left == 0:
        await show_sold_out(ctx, product.id, sold_out=True)
        t = await translator_for(ctx, product.seller)
        await send_to(ctx, product.seller, t("{product} is sold out: every post now says so.",
                                            product=product.name))  # fmt: skip


async def _record(
    ctx: Context, post: Post, product: Product | None, a: dict[str, Any], n: int
) -> None:
    platform, _, chat_id = a["group"].partition(":")
    order = Order(
        post_id=post.id,
        product_id=product.id if product else None,
        platform=platform,
        chat_id=chat_id,
        buyer=ctx.sender.key,
        buyer_name=ctx.person.name,
        quantity=n,
        unit=product.unit if product else "",
        price_fen=product.price_fen if product else 0,
        city=a.get("city") or "",
        phone=a["phone"],
        created_at=ctx.now(),
        extra={"group_title": a.get("group_title", "")},
    )
    ctx.db.add(order)
    await ctx.db.flush()
    if product is not None:
        text = ctx.t(
            "Thank you! Order #{id} is placed: {n} {unit} of {product}. The seller will contact "
            "you at {phone}.", id=order.id, n=qty(n), unit=order.unit, product=product.name,
            phone=order.phone,
        )  # fmt: skip
    else:
        text = ctx.t(
            "Thank you! You are signed up for {title} ({n} people), number #{id}.",
            title=post.title, n=n, id=order.id,
        )  # fmt: skip
    cancel = Button(ctx.t("Cancel order"), data=f"{PREFIX}ord:cancel:{order.id}")
    await ctx.send(Reply(text).with_buttons(cancel))
    seller = product.seller if product else post.author
    t = await translator_for(ctx, seller)
    group = a.get("group_title") or await _group_title(ctx, order)
    if product is not None:
        note = t(
            "New order #{id}: {name} wants {n} {unit} of {title}, to {city}, phone {phone} "
            "(from the group {group}).", id=order.id, name=order.buyer_name, n=qty(n),
            unit=order.unit, title=post.title, city=order.city or "—", phone=order.phone,
            group=group,
        )  # fmt: skip
    else:
        note = t(
            "New sign-up #{id} for {title}: {name}, {n} people, phone {phone} (from the group "
            "{group}).", id=order.id, title=post.title, name=order.buyer_name, n=n,
            phone=order.phone, group=group,
        )  # fmt: skip
    buttons = [
        Button(t("Confirm"), data=f"{PREFIX}ord:confirm:{order.id}"),
        Button(t("Reject"), data=f"{PREFIX}ord:reject:{order.id}"),
    ]
    await send_to(ctx, seller, Reply(note).with_buttons(buttons))


async def _group_title(ctx: Context, order: Order) -> str:
    from .models import Delivery

    title = await ctx.db.scalar(
        select(Delivery.title).where(
            Delivery.post_id == order.post_id,
            Delivery.platform == order.platform,
            Delivery.chat_id == order.chat_id,
        )
    )
    return title or order.chat_id


async def _sign_up(ctx: Context, a: dict[str, Any]) -> None:
    post = await ctx.db.get(Post, a["post"])
    n = parse_quantity(a["quantity"], "人")
    if post is None or n is None:
        await ctx.send(ctx.t("Sorry, this promotion no longer exists."))
        return
    await _record(ctx, post, None, a, n)


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
        ship = Button(ctx.t("Shipped"), data=f"{PREFIX}ord:ship:{order.id}")
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
        Button(ctx.t("Cancel order #{id}", id=o.id), data=f"{PREFIX}ord:cancel:{o.id}")
        for o in mine
        if o.state == "new"
    ]
    reply = Reply("\n".join(lines))
    await ctx.reply(reply.with_buttons(*cancels) if cancels else reply)


def _line(ctx: Context, o: Order, *, with_buyer: bool) -> str:
    who = f" · {o.buyer_name} {o.phone} {o.city}" if with_buyer else ""
    unit = o.unit or ctx.t("people")
    return f"#{o.id} {qty(o.quantity)} {unit} · {ctx.t(o.state)}{who}"


ORDER_DIALOG = Dialog(
    "order",
    (
        Step(
            "quantity",
            N_(
                "How many {unit} of {product} would you like? {stock} {unit} are "
                "left, at {price} {currency}/{unit}."
            ),
            validate=_quantity,
        ),
        Step("city", N_("Which city should it be delivered to?"), when=_missing("city")),
        Step(
            "phone",
            N_("Your mobile number, so the seller can reach you?"),
            validate=_phone,
            when=_missing("phone"),
        ),
        Step("confirm", _summary, Expect.CHOICE, choices=[Choice(N_("Confirm order"), "yes")]),
    ),  # fmt: skip
    on_done=_place,
)

SIGNUP_DIALOG = Dialog(
    "signup",
    (
        Step("quantity", N_("How many people will come to {title}?"), validate=_quantity),
        Step("phone", N_("Your mobile number, so the organiser can reach you?"), validate=_phone),
    ),
    on_done=_sign_up,
)
