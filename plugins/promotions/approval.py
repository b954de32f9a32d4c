"""Approval: the approver sees a preview and presses 批准 / 拒绝 (or ``/pending``); an approved
post is scheduled (the `broadcast` job) at its time, or at the next free slot of all its groups
(`slots`); an approved series plans its first date (`series`). Approval is given once for a
series.

States: pending (waiting for an approver) → scheduled (approved: the broadcast job waits for its
time) → sending → published | failed; or rejected, cancelled. A series: pending → scheduled
(repeating) → ended; or rejected, cancelled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from qunzhu.core import ADMIN, N_, Button, Context, Reply, Translator, aware, command

from .audience import config_for, targets
from .buttons import Approve, Reject
from .config import PromotionsConfig
from .models import Post, Product
from .notify import send_to, translator_for, user_of
from .recurrence import Repeat
from .render import post_reply
from .schedule_text import describe
from .series import end_series, first_date, start_series, summary
from .slots import HORIZON, next_free_slot
from .times import local, utc

__all__ = ["APPROVER", "decide", "pending", "preview", "submit"]

APPROVER = "approver"


async def submit(ctx: Context, post: Post, product: Product | None) -> None:
    found = await targets(ctx.app, ctx.db, post.tags)
    groups = sum(1 for t in found if not t.skip)
    approvers = await ctx.with_role(APPROVER) or await ctx.with_role(ADMIN)
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
    first = _first(ctx, post)
    await ctx.send(_waiting(ctx, post, groups, first))
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
        ask = _ask(ctx, t, post, groups, first)
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
                    Button(t("Approve"), data=Approve(post.id).pack()),
                    Button(t("Reject"), data=Reject(post.id).pack()),
                ]
            ),
        )


async def _has_private_chat(ctx: Context, identity: str) -> bool:
    """Whether the bot can write to `identity` in private (on Telegram only once they wrote to
    it; on Matrix always)."""
    return await ctx.can_write_privately(user_of(identity))


def _first(ctx: Context, post: Post) -> datetime:
    """When the post (or the first post of a series) would go out if approved now."""
    if post.repeat is not None:
        return first_date(ctx, post) or ctx.now()
    return max(aware(post.send_at or ctx.now()), ctx.now())


def _waiting(ctx: Context, post: Post, groups: int, first: datetime) -> str:
    tags, when = ", ".join(post.tags), local(ctx, first)
    if post.repeat is not None:
        return ctx.t(
            "Promotion #{id} is waiting for approval. It will go to {n} groups tagged {tags}, "
            "{how}; the first at {when}.", id=post.id, n=groups, tags=tags,
            how=summary(ctx, post), when=when,
        )  # fmt: skip
    if post.free_slot:
        return ctx.t(
            "Promotion #{id} is waiting for approval. It will go to {n} groups tagged {tags} at "
            "the next free slot: the first time every one of them can take it.", id=post.id,
            n=groups, tags=tags,
        )  # fmt: skip
    return ctx.t(
        "Promotion #{id} is waiting for approval. It will go to {n} groups tagged {tags} at "
        "{when}.", id=post.id, n=groups, tags=tags, when=when,
    )  # fmt: skip


def _ask(ctx: Context, t: Translator, post: Post, groups: int, first: datetime) -> str:
    tags, when, who = ", ".join(post.tags), local(ctx, first), post.author_name
    if post.repeat is not None:
        rep = Repeat.from_json(post.repeat)
        how = describe(t, rep, aware(post.send_at or first), ctx.app.settings.bot.tz,
                       product=post.product_id is not None)  # fmt: skip
        return t(
            "Promotion #{id} from {author}: to {n} groups tagged {tags}, {how}; the first at "
            "{when}. Approve it?", id=post.id, author=who, n=groups, tags=tags, how=how, when=when,
        )  # fmt: skip
    if post.free_slot:
        return t(
            "Promotion #{id} from {author}: to {n} groups tagged {tags}, at the next free slot "
            "of all of them. Approve it?", id=post.id, author=who, n=groups, tags=tags,
        )  # fmt: skip
    return t(
        "Promotion #{id} from {author}: to {n} groups tagged {tags}, at {when}. Approve it?",
        id=post.id, author=who, n=groups, tags=tags, when=when,
    )  # fmt: skip


def preview(t: Translator, post: Post, product: Product | None, config: PromotionsConfig) -> Reply:
    """The post as groups will see it, its buttons named but not pressable."""
    shown = post_reply(t, post, product, config)
    labels = " · ".join(b.label for b in shown.flat_buttons)
    return Reply(shown.text + "\n" + t("Buttons: {labels}", labels=labels), shown.photo)


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
    if post.repeat is not None:
        await _approve_series(ctx, post, t)
        return
    at = max(aware(post.send_at or ctx.now()), ctx.now())
    if post.free_slot:
        slot = await next_free_slot(ctx, post.tags, exclude=post.id)
        if slot is None:
            await _approve_now(ctx, post, t)
            return
        at = utc(slot)
    post.state, post.send_at = "scheduled", at
    await ctx.schedule("broadcast", at=at, key=f"post:{post.id}", payload={"post": post.id})
    when = local(ctx, at)
    if post.free_slot:
        await ctx.send(ctx.t("Approved. Promotion #{id} goes out at {when}, the first time all "
                             "its groups can take it.", id=post.id, when=when))  # fmt: skip
    else:
        await ctx.send(ctx.t("Approved. Promotion #{id} goes out at {when}.", id=post.id,
                             when=when))  # fmt: skip
    await send_to(
        ctx,
        post.author,
        t(
            "{name} approved promotion #{id}; it goes out at {when}. I will report the progress "
            "here.",
            name=ctx.person.name,
            id=post.id,
            when=when,
        ),
    )


async def _approve_now(ctx: Context, post: Post, t: Translator) -> None:
    """The next free slot of every group: none within the horizon. It goes now, and each group
    gets it at its own next free slot."""
    post.state, post.send_at = "scheduled", ctx.now()
    await ctx.schedule("broadcast", at=ctx.now(), key=f"post:{post.id}", payload={"post": post.id})
    text = ctx.t(
        "Approved. No time in the next {days} days suits all the groups of promotion #{id}: it "
        "goes out now, and each group gets it at its own next free time.", id=post.id,
        days=HORIZON,
    )  # fmt: skip
    await ctx.send(text)
    await send_to(ctx, post.author, t(
        "{name} approved promotion #{id}. No time suits all its groups at once, so each group "
        "gets it at its own next free time, from now on. I will report the progress here.",
        name=ctx.person.name, id=post.id,
    ))  # fmt: skip


async def _approve_series(ctx: Context, post: Post, t: Translator) -> None:
    first = await start_series(ctx, post)
    if first is None:
        await end_series(ctx, post, "finished")
        await ctx.send(ctx.t("Promotion #{id} has no date left to go out; its author is told.",
                             id=post.id))  # fmt: skip
        return
    how, when = summary(ctx, post), local(ctx, first)
    await ctx.send(ctx.t("Approved. Promotion #{id} repeats {how}; the first goes out at {when}.",
                         id=post.id, how=how, when=when))  # fmt: skip
    rep = Repeat.from_json(post.repeat or {})
    how = describe(t, rep, aware(post.send_at or first), ctx.app.settings.bot.tz,
                   product=post.product_id is not None)  # fmt: skip
    await send_to(ctx, post.author, t(
        "{name} approved promotion #{id}: it repeats {how}; the first goes out at {when}. I will "
        "report the progress of each post here.", name=ctx.person.name, id=post.id, how=how,
        when=when,
    ))  # fmt: skip


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
                    Button(ctx.t("Approve"), data=Approve(post.id).pack()),
                    Button(ctx.t("Reject"), data=Reject(post.id).pack()),
                ]
            )
        )
