"""What the buttons under a post (and in the private chats) do; `buttons` declares their data."""

from __future__ import annotations

import logging

from sqlalchemy import select

from qunzhu.core import ButtonDataError, Context, Reply

from .approval import decide
from .buttons import Approve, Draft, OnOrder, OnPost, PickGroups, Reject, Share
from .fulfilment import change_order
from .models import Lead, Post, Press, Product
from .notify import send_to, translator_for
from .orders import start_order
from .posts import start_post_dialog
from .render import LABELS
from .sharing import pick_groups, share

__all__ = ["pressed"]

log = logging.getLogger("promotions")


async def pressed(ctx: Context, data: str) -> None:
    """Do what the button whose data is `data` does; data of no button of the plugin, or of
    one whose fields do not parse, is left alone."""
    try:
        await _pressed(ctx, data)
    except ButtonDataError:
        log.warning("event=bad_button data=%r", data)


async def _pressed(ctx: Context, data: str) -> None:
    if (step := OnOrder.unpack(data)) is not None:
        await change_order(ctx, step.step.value, step.order)
    elif (approve := Approve.unpack(data)) is not None:
        await decide(ctx, approve.post, approve=True)
    elif (reject := Reject.unpack(data)) is not None:
        await decide(ctx, reject.post, approve=False)
    elif (draft := Draft.unpack(data)) is not None:
        product = await ctx.db.get(Product, draft.product)
        if product is not None:
            await start_post_dialog(ctx, product)
    elif (offer := PickGroups.unpack(data)) is not None:
        await pick_groups(ctx, offer.post)
    elif (shared := Share.unpack(data)) is not None:
        await share(ctx, shared.post, shared.chat)
    elif (on_post := OnPost.unpack(data)) is not None:  # last: its prefix begins the others'
        await _post_button(ctx, on_post.action.value, on_post.post)


async def _post_button(ctx: Context, action: str, post_id: int) -> None:
    post = await ctx.db.get(Post, post_id)
    me = ctx.sender
    if post is None:
        await ctx.send_direct(me, ctx.t("Sorry, this promotion no longer exists."))
        return
    ctx.insert(Press, post_id=post.id, platform=ctx.chat.platform, chat_id=ctx.chat.chat_id,
               user=me.key, action=action, at=ctx.now())  # fmt: skip
    if not await ctx.can_write_privately(me):
        await _start_me_first(ctx, post, action)
        return
    product = await ctx.db.get(Product, post.product_id) if post.product_id else None
    seller = product.seller if product else post.author
    if action in ("order", "sold_out") and product is not None:
        await ctx.db.refresh(product)
        if product.stock <= 0:
            await ctx.send_direct(me, ctx.t("Sorry, {product} is sold out.", product=product.name))
            return
    if action in ("order", "signup", "sold_out"):
        await start_order(ctx, post, ctx.chat.key, keep={"group_title": ctx.chat.title})
    elif action == "lead":
        await _lead(ctx, post, seller)
    elif action == "contact":
        contact = post.contact or (product.contact if product else "")
        if contact:
            text = ctx.t("Contact for {title}: {contact}", title=post.title, contact=contact)
        else:
            text = ctx.t(
                "The seller keeps their contact private. Press “Interested” and they will "
                "contact you."
            )
        await ctx.send_direct(me, text)


async def _start_me_first(ctx: Context, post: Post, action: str) -> None:
    """Every post button answers in private, and on Telegram the bot may not write first to
    someone who never wrote to it: say so under the post, naming the presser, instead of a
    private message that would never arrive."""
    press = ctx.button
    assert press is not None
    username = ctx.app.adapter_for(ctx.chat.platform).bot_username
    bot = f"@{username}" if username else ctx.t("a private chat with me")
    event_contact = post.kind == "event" and action == "contact"
    label = ctx.t("Contact organiser") if event_contact else ctx.t(LABELS[action])
    text = ctx.t(
        "{name}, I cannot write to you in private yet: open {bot} and press Start, then press "
        "“{button}” again.", name=ctx.person.name, bot=bot, button=label,
    )  # fmt: skip
    await ctx.send(Reply(text, reply_to=press.message_id, mentions=(ctx.sender.key,)))


async def _lead(ctx: Context, post: Post, seller: str) -> None:
    me = ctx.sender
    known = await ctx.db.scalar(select(Lead.id).where(Lead.post_id == post.id, Lead.user == me.key))
    if known is not None:
        await ctx.send_direct(me, ctx.t("You already told us you are interested in {title}; "
                                        "the seller has your name.", title=post.title))  # fmt: skip
        return
    ctx.db.add(Lead(post_id=post.id, platform=ctx.chat.platform, chat_id=ctx.chat.chat_id,
                    user=me.key, name=ctx.person.name, at=ctx.now()))  # fmt: skip
    await ctx.send_direct(
        me, ctx.t("Thank you! The seller of {title} will contact you.", title=post.title)
    )
    t = await translator_for(ctx, seller)
    await send_to(
        ctx, seller, t("New lead: {name} is interested in {title} (group {group}).",
                       name=ctx.person.name, title=post.title,
                       group=ctx.chat.title or ctx.chat.chat_id),
    )  # fmt: skip
