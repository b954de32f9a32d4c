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
)

from .audience import config_for
from .buttons import OnOrder, OrderStep
from .models import Delivery, Order, Post, Product
from .notify import send_to, translator_for
from .parse import parse_phone, parse_quantity
from .quantity import conversions_of, read_quantity
from .quantity_texts import conversion_note, problem_text
from .render import money, qty
from .sharer_notice import tell_sharer_later
from .stock import reserve, show_sold_out

__all__ = ["ORDER_DIALOG", "SIGNUP_DIALOG", "start_order"]


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
        "product_id": product.id,
        "product": product.name,
        "unit": product.unit,
        "stock": qty(product.stock),
        "price": money(product.price_fen),
        "price_fen": product.price_fen,
        "currency": config.currency,
    }
    await ctx.start_dialog("order", chat=await ctx.direct_chat(), initial=initial)


async def _quantity(ctx: Context, value: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """Read the quantity against the product's unit, conversions and stock as soon as it is
    given: converted and shown, asked about (a guess, or everything that is left), or refused
    with what to write instead (more than the stock: what is left, and how to take it all)."""
    product = await ctx.db.get(Product, answers.get("product_id") or 0, populate_existing=True)
    if product is None:
        raise UsageError(ctx.t("Sorry, this product is no longer offered."))
    reading = read_quantity(str(value), product.unit, conversions_of(product.conversions))
    unit = product.unit
    if reading.problem:
        raise UsageError(problem_text(ctx.t, reading.problem, unit, reading.written))
    if product.stock <= 0:
        raise UsageError(ctx.t("Sorry, {product} is sold out.", product=product.name))
    if reading.everything:
        return {"amount": product.stock, "ask": "everything", "note": ""}
    assert reading.amount is not None
    note = conversion_note(ctx.t, reading, unit)
    if reading.amount > product.stock:
        raise UsageError(
            (note + "\n" if note else "")
            + ctx.t(
                "Sorry, only {left} {unit} are left now. Write “all” to take them all, or a "
                "quantity up to {left}.", left=qty(product.stock), unit=unit,
            )
        )  # fmt: skip
    if reading.confirm:
        return {"amount": reading.amount, "ask": "guess", "note": note}
    if note:
        left = ctx.t("There is enough: {left} {unit} left.", left=qty(product.stock), unit=unit)
        await ctx.send(f"{note}\n{left}")
    return {"amount": reading.amount, "ask": "", "note": note}


_YES = {
    "yes",
    "y",
    "ok",
    "是",
    "是的",
    "对",
    "對",
    "对的",
    "好",
    "好的",
    "嗯",
    "可以",
    "确认",
    "確認",
    "要",
}


def _ask_quantity(ctx: Any, a: dict[str, Any]) -> str:
    q = a["quantity"]
    values = {"n": qty(q["amount"]), "unit": a["unit"]}
    if q["ask"] == "everything":
        return str(ctx.t("All that is left, {n} {unit}: is that right?", **values))
    question = str(ctx.t("Do you mean {n} {unit}?", **values))
    return f"{q['note']}\n{question}" if q["note"] else question


async def _quantity_ok(ctx: Context, value: Any, answers: dict[str, Any]) -> int:
    """Yes, or another quantity written instead (which must then be clear)."""
    text = str(value).strip().lower().rstrip("。!！")
    if text in _YES:
        return int(answers["quantity"]["amount"])
    again = await _quantity(ctx, value, answers)
    if again["ask"]:
        raise UsageError(
            ctx.t("Please press Yes, or write the exact quantity in {unit}, for example 500.",
                  unit=answers["unit"])
        )  # fmt: skip
    return int(again["amount"])


def _amount(a: dict[str, Any]) -> int:
    """The quantity ordered, in the product's unit."""
    if isinstance(a.get("quantity_ok"), int):
        return int(a["quantity_ok"])
    q = a["quantity"]
    return int(q["amount"]) if isinstance(q, dict) else parse_quantity(str(q), a["unit"]) or 0


def _people(ctx: Context, value: Any) -> str:
    reading = read_quantity(str(value), "人")
    if reading.amount is None or reading.confirm or reading.amount > 100_000:
        problem = reading.problem or ("too_large" if reading.amount else "vague")
        raise UsageError(problem_text(ctx.t, problem, ctx.t("people")))
    return str(reading.amount)


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
    n = _amount(a)
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
    n = _amount(a) if product else None
    if product is None or not n:
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
    copy = await _copy(ctx, order)
    order.shared_by = copy.shared_by if copy is not None else ""
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
    cancel = Button(ctx.t("Cancel order"), data=OnOrder(OrderStep.CANCEL, order.id).pack())
    await ctx.send(Reply(text).with_buttons(cancel))
    seller = product.seller if product else post.author
    t = await translator_for(ctx, seller)
    group = a.get("group_title") or (copy.title if copy is not None else "") or order.chat_id
    if copy is not None and copy.shared_by:
        group = t("{group}, shared by {name}", group=group, name=copy.shared_name)
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
        Button(t("Confirm"), data=OnOrder(OrderStep.CONFIRM, order.id).pack()),
        Button(t("Reject"), data=OnOrder(OrderStep.REJECT, order.id).pack()),
    ]
    await send_to(ctx, seller, Reply(note).with_buttons(buttons))
    await tell_sharer_later(ctx, order, seller)


async def _copy(ctx: Context, order: Order) -> Delivery | None:
    """The copy of the post in the group the order came from (its title, and who shared it)."""
    return await ctx.db.scalar(
        select(Delivery).where(
            Delivery.post_id == order.post_id,
            Delivery.platform == order.platform,
            Delivery.chat_id == order.chat_id,
        )
    )


async def _sign_up(ctx: Context, a: dict[str, Any]) -> None:
    post = await ctx.db.get(Post, a["post"])
    n = parse_quantity(a["quantity"], "人")
    if post is None or n is None:
        await ctx.send(ctx.t("Sorry, this promotion no longer exists."))
        return
    await _record(ctx, post, None, a, n)


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
        Step(
            "quantity_ok",
            _ask_quantity,
            choices=[Choice(N_("Yes"), "yes")],
            validate=_quantity_ok,
            when=lambda a: isinstance(a["quantity"], dict) and bool(a["quantity"]["ask"]),
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
        Step("quantity", N_("How many people will come to {title}?"), validate=_people),
        Step("phone", N_("Your mobile number, so the organiser can reach you?"), validate=_phone),
    ),
    on_done=_sign_up,
)
