"""The broadcast: at its time a post becomes one delivery per target group, released into the
core outbox (which paces the sends under the platform's limits) when the group allows it: not
in its quiet hours, not beyond its daily cap (else it waits, and goes later: never dropped).
Progress (sent / pending / failed per group, from the outbox) is reported to the author and
the approver until every copy is out."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Context, JobTick, Reply, Translator, UsageError, command, job
from qunzhu.core.models import ChatRow, OutboxRow

from .approval import APPROVER
from .audience import chat_of, config_for, next_day, next_open, take_slots, targets
from .models import Delivery, Group, Post, Product
from .notify import send_to, translator_for
from .render import post_reply
from .times import aware, local, utc

__all__ = ["broadcast", "progress_command", "progress_job", "release", "skip_waiting", "status"]

BAR = 10
NAMES = 5


def batch_of(post_id: int) -> str:
    return f"promotions:{post_id}"


@job("broadcast", help=N_("Send an approved promotion to its groups"))
async def broadcast(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    post = await ctx.db.get(Post, tick.payload.get("post", 0))
    if post is None or post.state != "scheduled":
        return
    now = ctx.now()
    deliveries = [
        Delivery(
            post_id=post.id,
            platform=target.chat.platform,
            chat_id=target.chat.chat_id,
            title=target.chat.title,
            lang=target.lang,
            status="skipped" if target.skip else "waiting",
            reason=target.skip,
            due_at=now,
        )
        for target in await targets(ctx.app, ctx.db, post.tags)
    ]
    post.state = "sending"
    post.published_at = now
    await _release(ctx, [d for d in deliveries if d.status == "waiting"])
    ctx.db.add_all(deliveries)
    await _schedule_progress(ctx, post.id, now + timedelta(seconds=30))


@job("release", help=N_("Post the promotions that waited for quiet hours or the daily cap"))
async def release(ctx: Context) -> None:
    query = select(Delivery).where(Delivery.status == "waiting", Delivery.due_at <= ctx.now())
    await _release(ctx, list((await ctx.db.scalars(query.order_by(Delivery.id))).all()))


async def _release(ctx: Context, waiting: list[Delivery]) -> None:
    """Queue each waiting copy in the outbox, skip it, or move it later: in a few statements
    for all of them (a broadcast to 500 groups is one job)."""
    if not waiting:
        return
    tz = ctx.app.settings.bot.tz
    now = ctx.now()
    day = now.astimezone(tz).date().isoformat()
    posts = {p.id: p for p in await _all(ctx, Post, Post.id, {d.post_id for d in waiting})}
    product_ids = {p.product_id for p in posts.values() if p.product_id is not None}
    products = {p.id: p for p in await _all(ctx, Product, Product.id, product_ids)}
    keys = {(d.platform, d.chat_id) for d in waiting}
    groups = {(g.platform, g.chat_id): g for g in await _groups(ctx, keys)}
    rows = await ctx.db.execute(select(ChatRow.platform, ChatRow.chat_id).where(~ChatRow.active))
    inactive = {(platform, chat_id) for platform, chat_id in rows.all()}
    ready: list[Delivery] = []
    for d in waiting:
        key = (d.platform, d.chat_id)
        config = config_for(ctx.app, f"{d.platform}:{d.chat_id}")
        post = posts.get(d.post_id)
        product = products.get(post.product_id or 0) if post is not None else None
        group = groups.get(key)
        opted = (
            group.opted_in if group is not None and group.opted_in is not None else config.opt_in
        )
        skip = (
            "withdrawn" if post is None or post.state == "cancelled"
            else "opted_out" if not opted
            else "removed" if key in inactive
            else "sold_out" if product is not None and product.stock <= 0
            else ""
        )  # fmt: skip
        opens = next_open(now, config, tz)
        if skip:
            d.status, d.reason = "skipped", skip
        elif opens > now:
            d.due_at, d.reason = utc(opens), "quiet_hours"
        else:
            ready.append(d)
    allowed = await _slots(ctx, ready, day)
    replies: dict[tuple[int, str, tuple[Any, ...]], Reply] = {}
    for d in ready:
        config = config_for(ctx.app, f"{d.platform}:{d.chat_id}")
        if d.id in allowed or id(d) in allowed:
            post = posts[d.post_id]
            product = products.get(post.product_id or 0)
            look = (
                post.id,
                d.lang,
                (config.product_buttons, config.event_buttons, config.currency),
            )
            reply = replies.get(look)
            if reply is None:
                t = ctx.app.catalogs.translator(d.lang, "promotions")
                reply = replies[look] = post_reply(t, post, product, config, sold_out=post.sold_out)
            chat = chat_of(f"{d.platform}:{d.chat_id}", d.title)
            out = await ctx.send(reply, chat=chat, batch=batch_of(post.id))
            d.status, d.outbox_id, d.queued_at = "queued", out.id, now
        else:
            d.due_at = utc(next_open(next_day(now, tz), config, tz))
            d.reason = "daily_cap"
    for when in {aware(d.due_at) for d in waiting if d.status == "waiting"}:
        await ctx.schedule("release", at=when, key=f"release:{when.isoformat()}")


async def _slots(ctx: Context, ready: list[Delivery], day: str) -> set[int]:
    """Which of `ready` may go today under their groups' caps (their ``id``, or Python ``id()``
    for rows not written yet). A group waited for by several posts counts one at a time."""
    allowed: set[int] = set()
    rounds: list[dict[tuple[str, str], Delivery]] = []
    for d in ready:
        key = (d.platform, d.chat_id)
        free = next((r for r in rounds if key not in r), None)
        if free is None:
            free = {}
            rounds.append(free)
        free[key] = d
    for batch in rounds:
        by_cap: dict[int, list[tuple[str, str]]] = {}
        for key in batch:
            cap = config_for(ctx.app, f"{key[0]}:{key[1]}").daily_cap
            by_cap.setdefault(cap, []).append(key)
        for cap, keys in by_cap.items():
            for key in await take_slots(ctx.db, keys, day, cap):
                d = batch[key]
                allowed.add(d.id if d.id is not None else id(d))
    return allowed


async def _all(ctx: Context, model: Any, column: Any, ids: set[int]) -> list[Any]:
    if not ids:
        return []
    return list((await ctx.db.scalars(select(model).where(column.in_(ids)))).all())


async def _groups(ctx: Context, keys: set[tuple[str, str]]) -> list[Group]:
    query = select(Group).where(tuple_(Group.platform, Group.chat_id).in_(list(keys)))
    return list((await ctx.db.scalars(query)).all())


async def skip_waiting(ctx: Context, post_id: int, reason: str) -> int:
    result = await ctx.db.execute(
        update(Delivery)
        .where(Delivery.post_id == post_id, Delivery.status == "waiting")
        .values(status="skipped", reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


async def status(db: AsyncSession, post_id: int) -> list[tuple[Delivery, str]]:
    """Every delivery of the post with its state: sent, pending, failed (from the outbox),
    waiting or skipped."""
    rows = (
        await db.execute(
            select(Delivery, OutboxRow.status)
            .outerjoin(OutboxRow, OutboxRow.id == Delivery.outbox_id)
            .where(Delivery.post_id == post_id)
            .order_by(Delivery.id)
        )
    ).all()
    return [(d, sent or "pending") if d.status == "queued" else (d, d.status) for d, sent in rows]


def _bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else BAR
    return "▓" * filled + "░" * (BAR - filled) + f" {100 * done // max(total, 1)}%"


_REASONS = {
    "opted_out": N_("not opted in"),
    "removed": N_("the bot was removed"),
    "sold_out": N_("sold out"),
    "withdrawn": N_("withdrawn"),
    "quiet_hours": N_("quiet hours"),
    "daily_cap": N_("daily limit reached"),
}


async def report(ctx: Context, post: Post, tr: Translator | None = None) -> tuple[str, bool]:
    """The progress text (in `tr`'s language, else the asker's), and whether the broadcast is
    finished."""
    t = tr or ctx.t
    states = await status(ctx.db, post.id)
    count = Counter(s for _, s in states)
    active = len(states) - count["skipped"]
    lines = [
        t("Promotion #{id} “{title}”:", id=post.id, title=post.title),
        _bar(count["sent"] + count["failed"], active),
        t(
            "sent {sent} · pending {pending} · failed {failed} · waiting {waiting} · skipped "
            "{skipped}",
            sent=count["sent"], pending=count["pending"], failed=count["failed"],
            waiting=count["waiting"], skipped=count["skipped"],
        ),
    ]  # fmt: skip
    lines += _names(ctx, t, states)
    return "\n".join(lines), count["pending"] == 0 and count["waiting"] == 0


def _names(ctx: Context, t: Translator, states: list[tuple[Delivery, str]]) -> list[str]:
    """The groups that did not get the post (yet), by why: "· failed: g140, g141"."""
    by: dict[str, list[str]] = {}
    for d, state in states:
        if state not in ("failed", "waiting", "skipped"):
            continue
        head = t(state)
        if state == "waiting":
            head += " " + t("until {when}", when=local(ctx, aware(d.due_at)))
        if state != "failed" and d.reason in _REASONS:
            head += f" ({t(_REASONS[d.reason])})"
        by.setdefault(head, []).append(d.title or d.chat_id)
    lines = []
    for head, names in by.items():
        more = f" … ({len(names)})" if len(names) > NAMES else ""
        lines.append(f"· {head}: {', '.join(names[:NAMES])}{more}")
    return lines


# the states of a copy, as the reports show them
_STATE_WORDS = (N_("failed"), N_("waiting"), N_("skipped"))


async def _schedule_progress(ctx: Context, post_id: int, at: datetime) -> None:
    await ctx.schedule(
        "progress", at=at, key=f"progress:{post_id}:{at.isoformat()}", payload={"post": post_id}
    )


@job("progress", help=N_("Report a broadcast's progress to its author and approver"))
async def progress_job(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    post = await ctx.db.get(Post, tick.payload.get("post", 0))
    if post is None or post.state != "sending":
        return
    done = False
    for identity in dict.fromkeys(filter(None, (post.author, post.approver))):
        t = await translator_for(ctx, identity)
        text, done = await report(ctx, post, t)
        await send_to(ctx, identity, text)
    if done:
        states = await status(ctx.db, post.id)
        post.state = "published" if any(s == "sent" for _, s in states) else "failed"
        return
    config = config_for(ctx.app, "")
    nxt = ctx.now() + timedelta(minutes=config.progress_minutes)
    pending = any(s == "pending" for _, s in await status(ctx.db, post.id))
    if not pending:  # only copies waiting for a later time: report when the first goes
        waits = [aware(d.due_at) for d, s in await status(ctx.db, post.id) if s == "waiting"]
        nxt = max(min(waits), nxt) + timedelta(minutes=1)
    await _schedule_progress(ctx, post.id, nxt)


@command("progress", aliases=["进度", "進度"], help=N_("How far a promotion's broadcast has got"))
async def progress_command(ctx: Context, post_id: int) -> None:
    post = await ctx.db.get(Post, post_id)
    allowed = post is not None and (
        ctx.sender.key in (post.author, post.approver) or ctx.person.has_role(APPROVER)
    )
    if post is None or not allowed:
        raise UsageError(ctx.t("There is no promotion #{id} of yours.", id=post_id))
    if post.state in ("pending", "scheduled", "rejected"):
        await ctx.reply(ctx.t("Promotion #{id} has not gone out yet.", id=post_id))
        return
    text, _ = await report(ctx, post)
    await ctx.reply(text)
