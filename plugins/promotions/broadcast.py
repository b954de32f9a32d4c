"""The broadcast: at its time a post becomes one delivery per target group, released into the
core outbox (which paces the sends under the platform's limits) when the group allows it: not
in its quiet hours, not beyond its daily cap (else it waits for the group's next free slot,
see `slots`: never dropped). A copy of a series' post that would still be waiting when the
series' next post goes out is skipped instead ("superseded": the newer post replaces it).
The reports are in `progress`.

A running post may reach more groups later (`deliver`): shared there by someone who runs them
(`sharing`), or to a group that opted in while it ran (`late`); under the same limits, and never
twice to a group (one delivery per post and group)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError

from qunzhu.core import N_, ChatRef, Context, JobTick, Reply, aware, inactive_chats, job

from .audience import config_for, next_open, take_slots, targets
from .models import Delivery, Group, Post, Product
from .progress import schedule_progress
from .render import post_reply
from .slots import group_next_day
from .times import utc

__all__ = ["batch_of", "broadcast", "deliver", "release", "send_post", "skip_waiting"]


def batch_of(post_id: int) -> str:
    return f"promotions:{post_id}"


@job("broadcast", help=N_("Send an approved promotion to its groups"))
async def broadcast(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    post = await ctx.db.get(Post, tick.payload.get("post", 0))
    if post is None or post.state != "scheduled" or post.repeat is not None:
        return
    await send_post(ctx, post)


async def send_post(ctx: Context, post: Post) -> None:
    """The post goes out now: a delivery per target group, released where the group allows."""
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
    await schedule_progress(ctx, post.id, now + timedelta(seconds=30))


#: Why a group did not get the broadcast that does not stop a later copy (shared, opted in late).
_AGAIN = {"opted_out", "removed"}


async def deliver(
    ctx: Context, post: Post, chats: list[tuple[ChatRef, str]], *, via: str, by: str = "",
    name: str = "",
) -> list[Delivery]:  # fmt: skip
    """Send the running `post` to more groups (`chats`: each with its language): ``via``
    "share" (`by` shared it, whose name is `name`) or "late". A group that has a copy, or one
    on its way, is left out; what is returned went out, or waits for the group's free slot,
    or was skipped (the bot was removed, the group turned promotions off...)."""
    now = ctx.now()
    wanted = {(c.platform, c.chat_id): (c, lang) for c, lang in chats}
    if not wanted:
        return []
    query = select(Delivery).where(
        Delivery.post_id == post.id,
        tuple_(Delivery.platform, Delivery.chat_id).in_(list(wanted)),
    )
    known = {(d.platform, d.chat_id): d for d in (await ctx.db.scalars(query)).all()}
    fresh: list[Delivery] = []
    for key, (chat, lang) in wanted.items():
        d = known.get(key)
        if d is not None and not (d.status == "skipped" and d.reason in _AGAIN):
            continue
        new = d is None
        if d is None:
            d = Delivery(post_id=post.id, platform=chat.platform, chat_id=chat.chat_id)
        d.title, d.lang, d.status, d.reason, d.due_at = chat.title, lang, "waiting", "", now
        d.via, d.shared_by, d.shared_name = via, by, name
        if new:
            try:
                async with ctx.db.begin_nested():
                    ctx.db.add(d)
            except IntegrityError:  # someone else's share (or late copy) got there first
                continue
        fresh.append(d)
    await ctx.db.flush()
    await _release(ctx, fresh)
    return fresh


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
    series_ids = {p.series_id for p in posts.values() if p.series_id is not None}
    series = {p.id: p for p in await _all(ctx, Post, Post.id, series_ids)}
    product_ids = {p.product_id for p in posts.values() if p.product_id is not None}
    products = {p.id: p for p in await _all(ctx, Product, Product.id, product_ids)}
    keys = {(d.platform, d.chat_id) for d in waiting}
    groups = {(g.platform, g.chat_id): g for g in await _groups(ctx, keys)}
    inactive = await inactive_chats(ctx.db)
    ready: list[Delivery] = []
    for d in waiting:
        key = (d.platform, d.chat_id)
        config = config_for(ctx.app, f"{d.platform}:{d.chat_id}")
        post = posts.get(d.post_id)
        product = products.get(post.product_id or 0) if post is not None else None
        skip = _skip(d, post, product, groups.get(key), opt_in=config.opt_in, inactive=inactive)
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
            chat = ChatRef.parse(f"{d.platform}:{d.chat_id}", title=d.title)
            out = await ctx.send(reply, chat=chat, batch=batch_of(post.id))
            d.status, d.outbox_id, d.queued_at = "queued", out.id, now
        else:
            d.due_at = utc(group_next_day(now, config, tz))
            d.reason = "daily_cap"
    for d in waiting:  # a series' next post replaces a copy that would wait until then
        whole = series.get(posts[d.post_id].series_id or 0) if d.post_id in posts else None
        if d.status == "waiting" and whole is not None and _superseded(whole, d):
            d.status, d.reason = "skipped", "superseded"
    for when in {aware(d.due_at) for d in waiting if d.status == "waiting"}:
        await ctx.schedule("release", at=when, key=f"release:{when.isoformat()}")


def _skip(
    d: Delivery, post: Post | None, product: Product | None, group: Group | None, *,
    opt_in: bool, inactive: set[str],
) -> str:  # fmt: skip
    """Why the copy `d` may not go at all ("" when it may)."""
    opted = group.opted_in if group is not None and group.opted_in is not None else opt_in
    if d.via == "share":  # who runs the group shared it: unless its admins said no
        opted = group is None or group.opted_in is not False
    return (
        "withdrawn" if post is None or post.state == "cancelled"
        else "opted_out" if not opted
        else "removed" if f"{d.platform}:{d.chat_id}" in inactive
        else "sold_out" if product is not None and product.stock <= 0
        else ""
    )  # fmt: skip


def _superseded(series: Post, d: Delivery) -> bool:
    return series.next_at is not None and aware(d.due_at) >= aware(series.next_at)


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


async def skip_waiting(ctx: Context, post_ids: list[int], reason: str) -> int:
    """Skip the copies of these posts still waiting for their time; how many were."""
    if not post_ids:
        return 0
    result = await ctx.db.execute(
        update(Delivery)
        .where(Delivery.post_id.in_(post_ids), Delivery.status == "waiting")
        .values(status="skipped", reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))
