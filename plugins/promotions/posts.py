"""Drafting a promotion: ``/promote`` (a product's post) and ``/event`` (a festival, tourism:
no stock), each a private dialog: text, the tags of the groups, when. Then `approval`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core import N_, Context, Dialog, Expect, Step, UsageError, command

from .approval import submit
from .audience import config_for
from .models import Group, Post, Product
from .parse import parse_when
from .times import utc

__all__ = ["EVENT_DIALOG", "POST_DIALOG", "event_command", "promote", "start_post_dialog"]

_SPLIT = re.compile(r"[\s,，、;；]+")


def _tags(ctx: Context, value: Any) -> list[str]:
    tags = [t.lstrip("#") for t in _SPLIT.split(str(value)) if t.strip("#")]
    if not tags:
        raise UsageError(ctx.t("Please write at least one tag, for example: buyers"))
    return tags


def _when(ctx: Context, value: Any) -> str:
    now = ctx.now()
    at = parse_when(str(value), now, ctx.app.settings.bot.tz)
    if at is None:
        raise UsageError(
            ctx.t("I could not read that time. Write for example 10:00, 明天 9点 or 现在.")
        )
    if at < now - timedelta(minutes=1):  # "明天 9点" or a date: not in the past
        raise UsageError(ctx.t("That time has passed. Write a later time, or 现在 for now."))
    return utc(at).isoformat()


async def _known_tags(ctx: Context) -> str:
    tags = {t for g in (await ctx.db.scalars(select(Group))).all() for t in g.tags}
    for key in ctx.app.settings.chats:
        tags |= set(config_for(ctx.app, key).tags)
    return ", ".join(sorted(tags)) or "—"


async def start_post_dialog(ctx: Context, product: Product) -> None:
    if product.seller != ctx.sender.key and not ctx.person.is_admin:
        raise UsageError(ctx.t("Product #{id} is not yours.", id=product.id))
    initial = {"product_id": product.id, "title": product.name, "known": await _known_tags(ctx)}
    await ctx.start_dialog("post", chat=await ctx.direct_chat(), initial=initial)


@command("promote", aliases=["推介", "推广", "推廣"], role="seller",
         help=N_("Draft a promotion post for one of your products"))  # fmt: skip
async def promote(ctx: Context, product_id: int = 0) -> None:
    product = await ctx.db.get(Product, product_id) if product_id else None
    if product is None:
        raise UsageError(ctx.t("Which product? Send /products to see their numbers."))
    await start_post_dialog(ctx, product)


@command("event", aliases=["活动", "活動"], role="seller",
         help=N_("Draft a promotion for an event or tourism (no stock)"))  # fmt: skip
async def event_command(ctx: Context) -> None:
    initial = {"known": await _known_tags(ctx)}
    await ctx.start_dialog("event", chat=await ctx.direct_chat(), initial=initial)


_TEXT = Step("text", N_("Write the text of the post, or press Skip to show the product's details "
                        "only."), optional=True)  # fmt: skip
_TAGS = Step("tags", N_("Which groups should receive it? Write their tags, for example: buyers "
                        "tourism. Known tags: {known}"), validate=_tags)  # fmt: skip
_WHEN = Step("when", N_("When should it go out? For example: 10:00, 明天 9点, or 现在 (now)."),
             validate=_when)  # fmt: skip


async def _draft(ctx: Context, answers: dict[str, Any]) -> None:
    product = None
    if answers.get("product_id"):
        product = await ctx.db.get(Product, answers["product_id"])
    if product is None and answers.get("product_id"):
        await ctx.send(ctx.t("That product no longer exists."))
        return
    photos = answers.get("photos") or ()
    post = Post(
        kind="product" if product else "event",
        product_id=product.id if product else None,
        title=answers["title"],
        text=answers.get("text") or "",
        photo=(product.photos[0] if product and product.photos else None)
        or (photos[0].ref if photos else None),
        contact=answers.get("contact") or (product.contact if product else ""),
        author=ctx.sender.key,
        author_name=ctx.person.name,
        tags=answers["tags"],
        state="pending",
        send_at=datetime.fromisoformat(answers["when"]),
        created_at=ctx.now(),
    )
    ctx.db.add(post)
    await ctx.db.flush()
    await submit(ctx, post, product)


POST_DIALOG = Dialog("post", (_TEXT, _TAGS, _WHEN), on_done=_draft)

EVENT_DIALOG = Dialog(
    "event",
    (
        Step("title", N_("What is the event called? (for example: 杜鹃花节)")),
        Step("text", N_("Write the text of the post: what, where, when.")),
        Step("photos", N_("Send a photo for the post."), Expect.PHOTO, optional=True),
        Step(
            "contact",
            N_("A phone or contact for “Contact organiser”? Skip to leave it out."),
            optional=True,
        ),  # fmt: skip
        _TAGS,
        _WHEN,
    ),
    on_done=_draft,
)
