"""The catalog: products from the YAML and from a seller's ``/product`` dialog; ``/products``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from qunzhu.core import N_, App, Button, Context, Dialog, Expect, Reply, Step, UsageError, command

from .audience import config_for
from .buttons import Draft
from .models import Product
from .quantity import conversions_of, parse_conversions, read_number, read_quantity
from .quantity_texts import price_problem, problem_text
from .render import money, qty

__all__ = ["PRODUCT_DIALOG", "products", "product_command", "sync_products"]


async def sync_products(app: App) -> None:
    """Keep the products declared under ``products:`` in step with the YAML (the stock only
    when a product is first created: orders change it afterwards)."""
    config = app.settings.plugins.get("promotions")
    entries = getattr(config, "products", ())
    if not entries:
        return
    async with app.db.writing(), app.db.session() as s, s.begin():
        found = {
            p.key: p for p in (await s.scalars(select(Product).where(Product.key != ""))).all()
        }
        for e in entries:
            row = found.get(e.key)
            if row is None:
                row = Product(key=e.key, stock=e.stock, created_at=app.clock.now())
                s.add(row)
            row.name, row.unit, row.origin, row.contact = e.name, e.unit, e.origin, e.contact
            row.price_fen = int((Decimal(str(e.price)) * 100).to_integral_value())
            row.seller, row.seller_name = e.seller, e.seller_name
            row.description, row.photos = e.description, list(e.photos)
            row.conversions = e.stored_conversions()


_PRICE_WORDS = re.compile(r"(元|块|塊|圆|圓|rmb|cny|yuan|¥|￥)?\s*(/|每|一)?\s*\S{0,2}$", re.I)
#: The most a price may be (yuan per unit): anything above is a typing mistake.
_MAX_PRICE = Decimal(1_000_000)


def _price(ctx: Context, value: Any) -> int:
    """Yuan per unit ("12.5", "12.5元", "十二块五"); "1e9元", "-5" and absurd prices refused."""
    text = str(value).strip()
    amount, problem = read_number(text)
    if amount is None and problem == "unreadable":
        head = re.match(r"[^元块塊圆圓/每¥￥a-zA-Z]*", text)
        amount, problem = read_number(head[0] if head else text)
    if amount is not None and amount > _MAX_PRICE:
        amount, problem = None, "too_large"
    if amount is None:
        raise UsageError(price_problem(ctx.t, problem))
    return int((amount * 100).to_integral_value())


def _stock(ctx: Context, value: Any, answers: dict[str, Any]) -> int:
    """How many units ("2000000", "200万", "200万斤"); exponents, 0 and absurd sizes refused."""
    unit = str(answers.get("unit") or "斤")
    reading = read_quantity(str(value), unit, conversions_of(answers.get("conversions")))
    if reading.amount is None or reading.confirm:
        problem = reading.problem or "vague"
        if reading.everything:
            problem = "unreadable"
        raise UsageError(problem_text(ctx.t, problem, unit, reading.written))
    return reading.amount


def _conversions(ctx: Context, value: Any, answers: dict[str, Any]) -> dict[str, Any]:
    unit = str(answers.get("unit") or "斤")
    found = parse_conversions(str(value), unit)
    if found is None:
        raise UsageError(
            ctx.t("Please write each unit as 1条=4.5斤 (or 1条约4.5斤 when it is about), "
                  "separated by commas: for example 1条约4.5斤, 1箱=20斤.")
        )  # fmt: skip
    return {c.unit: {"per": str(c.per), "approx": c.approx} for c in found.values()}


def _short(limit: int) -> Any:
    def check(ctx: Context, value: Any) -> str:
        text = str(value).strip()
        if len(text) > limit:
            raise UsageError(ctx.t("Please keep it under {n} characters.", n=limit))
        return text

    return check


async def _save(ctx: Context, answers: dict[str, Any]) -> None:
    photos = answers.get("photos") or ()
    product = Product(
        name=answers["name"],
        unit=answers["unit"],
        conversions=answers.get("conversions") or {},
        price_fen=answers["price"],
        stock=answers["stock"],
        origin=answers["origin"],
        contact=answers.get("contact") or "",
        seller=ctx.sender.key,
        seller_name=ctx.person.name,
        photos=[p.ref for p in photos],
        created_at=ctx.now(),
    )
    ctx.db.add(product)
    await ctx.db.flush()
    config = config_for(ctx.app, ctx.chat.key)
    text = ctx.t(
        "Saved product #{id}: {name}, {price} {currency}/{unit}, {stock} {unit} available.",
        id=product.id,
        name=product.name,
        price=money(product.price_fen),
        currency=config.currency,
        unit=product.unit,
        stock=qty(product.stock),
    )
    text += "\n" + ctx.t("Press the button to draft a promotion post for it.")
    button = Button(ctx.t("Draft a promotion"), data=Draft(product.id).pack())
    await ctx.send(Reply(text).with_buttons(button))


PRODUCT_DIALOG = Dialog(
    "product",
    (
        Step(
            "name", N_("What is the product called? (for example: 通山鮰鱼)"), validate=_short(200)
        ),
        Step(
            "photos",
            N_("Send a photo of it (you may send several at once)."),
            Expect.PHOTO,
            optional=True,
        ),
        Step("unit", N_("Sold by which unit? (for example: 斤, 公斤, 箱)"), validate=_short(16)),
        Step(
            "conversions",
            N_(
                "Do buyers also count it in other units? Write how many {unit} one is, for "
                "example: 1条约4.5斤, 1箱=20斤 (约 when it is about). Skip if not: weights such "
                "as 公斤 and 吨 are known."
            ),
            optional=True,
            validate=_conversions,
        ),
        Step("price", N_("Price in yuan per {unit}?"), validate=_price),
        Step("stock", N_("How many {unit} are available?"), validate=_stock),
        Step(
            "origin", N_("Where does it come from? (for example: 湖北通山)"), validate=_short(200)
        ),
        Step(
            "contact",
            N_(
                "What should “Contact seller” show buyers (a phone, a WeChat id)? "
                "Skip to keep your contact private."
            ),
            optional=True,
            validate=_short(200),
        ),
    ),  # fmt: skip
    on_done=_save,
)


@command(
    "product", aliases=["产品", "產品", "登记产品"], role="seller",
    help=N_("Enter a product for sale: name, photos, price, quantity, origin, contact"),
)  # fmt: skip
async def product_command(ctx: Context) -> None:
    if not ctx.chat.is_direct:
        await ctx.reply(ctx.t("I have written to you privately to enter the product."))
    await ctx.start_dialog("product", chat=await ctx.direct_chat())


@command("products", aliases=["我的产品", "我的產品"], role="seller",
         help=N_("Your products and their stock"))  # fmt: skip
async def products(ctx: Context) -> None:
    mine = (
        await ctx.db.scalars(
            select(Product).where(Product.seller == ctx.sender.key).order_by(Product.id)
        )
    ).all()
    if not mine:
        await ctx.reply(ctx.t("You have no products yet. Send /product to enter one."))
        return
    config = config_for(ctx.app, ctx.chat.key)
    lines = [ctx.t("Your products:")]
    for p in mine:
        lines.append(
            ctx.t(
                "#{id} {name}: {price} {currency}/{unit}, {stock} {unit} left",
                id=p.id,
                name=p.name,
                price=money(p.price_fen),
                currency=config.currency,
                unit=p.unit,
                stock=qty(p.stock),
            )
        )
    lines.append(ctx.t("Send /promote <number> to draft a promotion post."))
    await ctx.reply("\n".join(lines))
