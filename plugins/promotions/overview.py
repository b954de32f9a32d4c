"""``/progress``: a seller's promotions and the state of each (waiting for approval, approved
and when, repeating and the next date, sending, published, failed, withdrawn); with a number,
one promotion group by group (or a series post by post)."""

from __future__ import annotations

from sqlalchemy import or_, select

from qunzhu.core import N_, Context, UsageError, aware, command

from .approval import APPROVER
from .audience import targets
from .models import Post
from .progress import names, report, status, tally, title_of
from .schedule_text import state_text
from .times import local

__all__ = ["progress_command"]

LATEST = 10


@command(
    "progress", aliases=["进度", "進度"],
    help=N_("Your promotions and their state; with a number, one of them group by group"),
)  # fmt: skip
async def progress_command(ctx: Context, post_id: int = 0) -> None:
    if not post_id:
        await ctx.reply(await _mine(ctx))
        return
    post = await ctx.db.get(Post, post_id)
    allowed = post is not None and (
        ctx.sender.key in (post.author, post.approver) or ctx.person.has_role(APPROVER)
    )
    if post is None or not allowed:
        raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
    if post.repeat is not None:
        await ctx.reply(await _series(ctx, post))
    elif not await status(ctx.db, post.id):
        await ctx.reply(await _not_out(ctx, post))
    else:
        text, _ = await report(ctx, post)
        await ctx.reply(text)


def _head(ctx: Context, post: Post) -> str:
    return (
        ctx.t("Promotion #{id} {title}:", id=post.id, title=title_of(ctx.t, post))
        + " "
        + (state_text(ctx.t, post, ctx.app.settings.bot.tz))
    )


async def _not_out(ctx: Context, post: Post) -> str:
    """A post not broadcast yet: its state, and the groups it would reach now."""
    found = await targets(ctx.app, ctx.db, post.tags)
    going = [t.chat.title or t.chat.chat_id for t in found if not t.skip]
    lines = [_head(ctx, post)]
    if post.state in ("pending", "scheduled"):
        lines.append(ctx.t("It goes to {n} groups: {names}", n=len(going),
                           names=", ".join(going[:20]) or "—"))  # fmt: skip
    return "\n".join(lines)


async def _series(ctx: Context, series: Post) -> str:
    lines = [await _not_out(ctx, series)]
    posts = (
        await ctx.db.scalars(
            select(Post).where(Post.series_id == series.id).order_by(Post.occurrence)
        )
    ).all()
    for post in posts:
        states = await status(ctx.db, post.id)
        when = local(ctx, aware(post.send_at or post.created_at))
        lines.append(f"· #{post.id} {when}: {tally(ctx.t, states)}")
        lines += ["  " + line for line in names(ctx, ctx.t, states)]
    if posts:
        lines.append(ctx.t("Send /progress <number> for one of its posts, group by group."))
    return "\n".join(lines)


async def _mine(ctx: Context) -> str:
    query = select(Post).where(Post.series_id.is_(None))
    if not ctx.person.has_role(APPROVER):
        query = query.where(or_(Post.author == ctx.sender.key, Post.approver == ctx.sender.key))
    posts = (await ctx.db.scalars(query.order_by(Post.id.desc()).limit(LATEST))).all()
    if not posts:
        return ctx.t("You have no promotions yet. Send /products, then /promote <number>.")
    tz = ctx.app.settings.bot.tz
    lines = [ctx.t("Your promotions:")]
    for post in posts:
        line = f"#{post.id} {post.title}: {state_text(ctx.t, post, tz)}"
        states = await status(ctx.db, post.id)
        if states:
            line += f" · {tally(ctx.t, states)}"
        lines.append(line)
        if post.repeat is not None:
            latest = (
                await ctx.db.scalars(
                    select(Post).where(Post.series_id == post.id).order_by(Post.id.desc()).limit(3)
                )
            ).all()
            for one in reversed(latest):
                when = local(ctx, aware(one.send_at or one.created_at))
                lines.append(f"  · #{one.id} {when}: {tally(ctx.t, await status(ctx.db, one.id))}")
    lines.append(ctx.t("Send /progress <number> for one promotion, group by group."))
    return "\n".join(lines)
