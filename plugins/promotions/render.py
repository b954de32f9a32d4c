"""How a promotion looks in a group: the text, the photo and the buttons (我要订购 / 感兴趣 /
联系卖家, or 已售罄 once the stock is gone), in the group's language."""

from __future__ import annotations

from qunzhu.core import N_, Button, Reply, Translator

from .buttons import OnPost, PostAction
from .config import ButtonName, PromotionsConfig
from .models import Post, Product

__all__ = ["LABELS", "money", "post_reply", "post_text", "qty"]

#: The label of each button, as message ids of the plugin's catalog.
LABELS: dict[str, str] = {
    "order": N_("Order now"),
    "signup": N_("Sign up"),
    "lead": N_("Interested"),
    "contact": N_("Contact seller"),
    "sold_out": N_("Sold out"),
}


def money(fen: int) -> str:
    """12.50 yuan as "12.5", 12 yuan as "12"."""
    yuan, cents = divmod(fen, 100)
    if not cents:
        return f"{yuan:,}"
    return f"{yuan:,}.{cents:02d}".rstrip("0")


def qty(n: int) -> str:
    return f"{n:,}"


def post_text(t: Translator, post: Post, product: Product | None, currency: str) -> str:
    lines = [f"【{post.title}】"]
    if post.text:
        lines.append(post.text)
    if product is not None:
        if product.origin:
            lines.append(t("Origin: {origin}", origin=product.origin))
        lines.append(
            t(
                "Price: {price} {currency}/{unit}",
                price=money(product.price_fen),
                currency=currency,
                unit=product.unit,
            )
        )
        lines.append(t("Available: {stock} {unit}", stock=qty(product.stock), unit=product.unit))
    elif post.contact:
        lines.append(t("Contact: {contact}", contact=post.contact))
    return "\n".join(lines)


def post_reply(
    t: Translator,
    post: Post,
    product: Product | None,
    config: PromotionsConfig,
    *,
    sold_out: bool = False,
) -> Reply:
    """The post as a group sees it; `sold_out` turns its order button into 已售罄."""
    names: tuple[ButtonName, ...] = (
        config.event_buttons if post.kind == "event" else config.product_buttons
    )
    buttons = []
    for name in names:
        action: str = name
        if name == "order" and product is None:
            continue
        if name == "order" and sold_out:
            action = "sold_out"
        label = t(LABELS[action])
        if name == "contact" and post.kind == "event":
            label = t("Contact organiser")
        buttons.append(Button(label, data=OnPost(PostAction(action), post.id).pack()))
    text = post_text(t, post, product, config.currency)
    if sold_out:
        text += "\n" + t("Sold out. Thank you!")
    reply = Reply(text=text, photo=post.photo)
    return reply.with_buttons(buttons) if buttons else reply
