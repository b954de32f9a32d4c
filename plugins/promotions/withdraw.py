"""``/withdraw``: the author (or an approver) stops a post not yet (fully) out: copies still
waiting for their group's free slot are not sent; a series posts no more."""

from __future__ import annotations

from qunzhu.core import N_, Context, UsageError, command

from .approval import APPROVER
from .broadcast import skip_waiting
from .models import Post
from .series import withdraw_series

__all__ = ["withdraw"]


@command(
    "withdraw", aliases=["撤回"], role="seller",
    help=N_("Withdraw a promotion that has not gone out yet, or stop a recurring one"),
)  # fmt: skip
async def withdraw(ctx: Context, post_id: int) -> None:
    post = await ctx.db.get(Post, post_id)
    if post is None or (post.author != ctx.sender.key and not ctx.person.has_role(APPROVER)):
        raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
    if post.state in ("published", "failed", "rejected", "cancelled", "ended"):
        await ctx.reply(ctx.t("Promotion #{id} cannot be withdrawn any more.", id=post_id))
        return
    if post.repeat is not None:
        skipped = await withdraw_series(ctx, post)
        if skipped:
            text = ctx.t(
                "Promotion #{id} is withdrawn: it repeats no more, and {n} groups will not "
                "receive the copies still waiting.", id=post.id, n=skipped,
            )  # fmt: skip
        else:
            text = ctx.t("Promotion #{id} is withdrawn: it repeats no more.", id=post.id)
        await ctx.reply(text)
        return
    await ctx.unschedule("broadcast", f"post:{post.id}")
    skipped = await skip_waiting(ctx, [post.id], "withdrawn")
    out = post.state == "sending"
    post.state = "cancelled"
    if out:
        text = ctx.t(
            "Promotion #{id} is withdrawn; {n} groups will not receive it.", id=post.id, n=skipped
        )
    else:
        text = ctx.t("Promotion #{id} is withdrawn; it will not go out.", id=post.id)
    await ctx.reply(text)
