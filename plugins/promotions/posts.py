"""Drafting a promotion (``/promote``, ``/event``), its approval by an approver, withdrawal.

States: pending (waiting for an approver) → scheduled (the broadcast job waits for its time)
→ sending → published | failed; or rejected, cancelled.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core import N_, Context, Dialog, Expect, Reply, Step, Translator, UsageError, command
from qunzhu.core.models import InboxRow
from qunzhu.core.people import ADMIN

from .audience import config_for, targets
from .config import PromotionsConfig
from .models import Group, Post, Product
from .notify import send_to, translator_for, user_of
from .parse import parse_when
from .render import PREFIX, post_reply
from .times import aware, utc

__all__ = ["EVENT_DIALOG", "POST_DIALOG", "decide", "event_command", "local", "pending",
           "promote", "start_post_dialog", "withdraw"]  # fmt: skip

APPROVER = "approver"
_SPLIT = re.compile(r"[\s,，、;；]+")


def local(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ctx.app.settings.bot.tz).strftime("%m-%d %H:%M")


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
    await _submit(ctx, post, product)


async def _submit(ctx: Context, post: Post, product: Product | None) -> None:
    found = await targets(ctx.app, ctx.db, post.tags)
    groups = sum(1 for t in found if not t.skip)
    approvers = await ctx.app.people.with_role(APPROVER) or await ctx.app.people.with_role(ADMIN)
    config = config_for(ctx.app, ctx.chat.key)
    await ctx.send(preview(ctx.t, post, product, config))
    if not approvers:
        await ctx.send(
            ctx.t(
                "Promotion #{id} is drafted, but nobody can approve it yet: ask an administrator "
                "to give someone the approver role (/role add NAME approver).",
                id=post.id,
            )
        )
        return
    await ctx.send(
        ctx.t(
            "Promotion #{id} is waiting for approval. It will go to {n} groups tagged {tags} at "
            "{when}.",
            id=post.id,
            n=groups,
            tags=", ".join(post.tags),
            when=local(ctx, aware(post.send_at or ctx.now())),
        )
    )
    warning = ""
    if product is not None and not await _has_private_chat(ctx, product.seller):
        warning = product.seller
    for person in approvers:
        identity = next(
            (i for i in person.identities if i.partition(":")[0] in ctx.app.adapters), None
        )
        if identity is None:
            continue
        t = await translator_for(ctx, identity)
        await send_to(ctx, identity, preview(t, post, product, config))
        ask = t(
            "Promotion #{id} from {author}: to {n} groups tagged {tags}, at {when}. Approve it?",
            id=post.id,
            author=post.author_name,
            n=groups,
            tags=", ".join(post.tags),
            when=local(ctx, aware(post.send_at or ctx.now())),
        )
        if warning:
            ask += "\n" + t(
                "Note: the seller {seller} has never written to me privately, so I cannot pass "
                "orders on to them; they can read them with /orders once they do.",
                seller=product.seller_name if product else warning,
            )
        await send_to(
            ctx,
            identity,
            Reply(ask).with_buttons(
                [
                    _button(t("Approve"), f"approve:{post.id}"),
                    _button(t("Reject"), f"reject:{post.id}"),
                ]
            ),
        )


async def _has_private_chat(ctx: Context, identity: str) -> bool:
    """Whether `identity` ever wrote to the bot in private (a platform like Telegram lets the
    bot write only to people who did)."""
    user = user_of(identity)
    if user.platform not in ctx.app.adapters:
        return False
    chat = await ctx.app.direct_chat(user)
    found = await ctx.db.scalar(
        select(InboxRow.id)
        .where(InboxRow.platform == chat.platform, InboxRow.chat_id == chat.chat_id)
        .limit(1)
    )
    return found is not None


def preview(t: Translator, post: Post, product: Product | None, config: PromotionsConfig) -> Reply:
    """The post as groups will see it, its buttons named but not pressable."""
    shown = post_reply(t, post, product, config)
    labels = " · ".join(b.label for b in shown.flat_buttons)
    return Reply(shown.text + "\n" + t("Buttons: {labels}", labels=labels), shown.photo)


def _button(label: str, data: str) -> Any:
    from qunzhu.core import Button

    return Button(label, data=f"{PREFIX}{data}")


async def decide(ctx: Context, post_id: int, *, approve: bool) -> None:
    """An approver pressed Approve or Reject."""
    if not ctx.person.has_role(APPROVER):
        await ctx.send(ctx.t("Only an approver can approve promotions."))
        return
    post = await ctx.db.get(Post, post_id, with_for_update=True)
    if post is None:
        await ctx.send(ctx.t("There is no promotion #{id}.", id=post_id))
        return
    if post.state != "pending":
        await ctx.send(_decided(ctx, post))
        return
    post.approver, post.approver_name = ctx.sender.key, ctx.person.name
    post.decided_at = ctx.now()
    t = await translator_for(ctx, post.author)
    if not approve:
        post.state = "rejected"
        await ctx.send(ctx.t("Promotion #{id} is rejected; its author is told.", id=post.id))
        await send_to(
            ctx,
            post.author,
            t("{name} did not approve promotion #{id}.", name=ctx.person.name, id=post.id),
        )
        return
    post.state = "scheduled"
    at = max(aware(post.send_at or ctx.now()), ctx.now())
    await ctx.schedule("broadcast", at=at, key=f"post:{post.id}", payload={"post": post.id})
    await ctx.send(
        ctx.t("Approved. Promotion #{id} goes out at {when}.", id=post.id, when=local(ctx, at))
    )
    await send_to(
        ctx,
        post.author,
        t(
            "{name} approved promotion #{id}; it goes out at {when}. I will report the progress "
            "here.",
            name=ctx.person.name,
            id=post.id,
            when=local(ctx, at),
        ),
    )


def _decided(ctx: Context, post: Post) -> str:
    if post.state == "rejected":
        return ctx.t("Promotion #{id} was already rejected by {name}.", id=post.id,
                     name=post.approver_name)  # fmt: skip
    if post.state == "cancelled":
        return ctx.t("Promotion #{id} was withdrawn.", id=post.id)
    return ctx.t("Promotion #{id} was already approved by {name}.", id=post.id,
                 name=post.approver_name)  # fmt: skip


@command("pending", aliases=["待审批", "待審批"], role=APPROVER,
         help=N_("Promotions waiting for your approval"))  # fmt: skip
async def pending(ctx: Context) -> None:
    posts = (
        await ctx.db.scalars(select(Post).where(Post.state == "pending").order_by(Post.id))
    ).all()
    if not posts:
        await ctx.reply(ctx.t("No promotion is waiting for approval."))
        return
    for post in posts:
        text = ctx.t(
            "Promotion #{id} “{title}” from {author}, tags {tags}.",
            id=post.id,
            title=post.title,
            author=post.author_name,
            tags=", ".join(post.tags),
        )
        await ctx.reply(
            Reply(text).with_buttons(
                [
                    _button(ctx.t("Approve"), f"approve:{post.id}"),
                    _button(ctx.t("Reject"), f"reject:{post.id}"),
                ]
            )
        )


@command("withdraw", aliases=["撤回"], role="seller",
         help=N_("Withdraw a promotion that has not gone out yet"))  # fmt: skip
async def withdraw(ctx: Context, post_id: int) -> None:
    from .broadcast import skip_waiting

    post = await ctx.db.get(Post, post_id)
    if post is None or (post.author != ctx.sender.key and not ctx.person.has_role(APPROVER)):
        raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
    if post.state in ("published", "failed", "rejected", "cancelled"):
        await ctx.reply(ctx.t("Promotion #{id} cannot be withdrawn any more.", id=post_id))
        return
    await ctx.unschedule("broadcast", f"post:{post.id}")
    skipped = await skip_waiting(ctx, post.id, "withdrawn")
    post.state = "cancelled"
    await ctx.reply(
        ctx.t(
            "Promotion #{id} is withdrawn; {n} groups will not receive it.", id=post.id, n=skipped
        )  # fmt: skip
    )


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
