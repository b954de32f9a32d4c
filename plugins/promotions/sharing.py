"""Sharing (转发): an official passes a running post to the groups they run.

Who may share: people with one of ``share_roles`` (default ``sharer``) and the heads of the
units of ``org:``. The groups they run: the groups of the units they head and of every unit
below them, of the units they belong to, and the groups whose ``admins`` name them (or for which
they have the role ``groupadmin:<chat key>``). ``/share 1`` (转发 1, or ``/share`` and a button)
shows those groups as buttons, and 全部; each press sends the post there through `deliver`:
the same daily cap and quiet hours as a broadcast, never twice to a group. A group need not
have opted in (who runs it decided), unless its admins turned promotions off (/promotions off).
Orders from a shared copy count for the sharer too (`orders`, `stats`), who is told of them
(`sharer_notice`).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from qunzhu.core import (
    N_,
    Button,
    ChatRef,
    Context,
    Person,
    Reply,
    Text,
    Translator,
    UsageError,
    command,
)

from .audience import config_for
from .broadcast import deliver
from .buttons import ALL_GROUPS, PickGroups, Share
from .models import Delivery, Group, Post, Product
from .notify import send_to, translator_for
from .progress import REASONS, title_of
from .times import local

__all__ = [
    "groups_run_by",
    "may_share",
    "pick_groups",
    "share",
    "share_button",
    "share_command",
]

_NUMBER = re.compile(r"\d+")
#: Why a group's earlier copy does not count as having the post (see `broadcast.deliver`).
_NOT_THERE = {"opted_out", "removed"}


def _heads(person: Person, head: str | None) -> bool:
    text = (head or "").strip().lstrip("@")
    return bool(text) and (text in person.identities or text in (person.real_name,
                                                                 person.display_name))  # fmt: skip


def may_share(ctx: Context, person: Person) -> bool:
    """Whether `person` may share promotions: a share role (an admin has every role), or the
    head of a unit."""
    roles = config_for(ctx.app, "").share_roles
    return any(person.has_role(r) for r in roles) or any(
        _heads(person, unit.head) for unit in ctx.org.units
    )


async def groups_run_by(ctx: Context, person: Person) -> list[tuple[ChatRef, str]]:
    """The groups `person` runs, each with its language, by name."""
    keys: dict[str, str] = {}  # chat key → the unit's name, when it is a unit's group
    lang = ctx.app.settings.bot.language
    for unit in ctx.org.units:
        units = ctx.org.subtree(unit) if _heads(person, unit.head) else ()
        if not units and ctx.org.is_member(person, unit):
            units = (unit,)
        for below in units:
            for chat in below.chats:
                keys.setdefault(chat, below.label(lang))
    for key, settings in ctx.app.settings.chats.items():
        admins = config_for(ctx.app, key).admins if "promotions" in settings.plugins else ()
        if any(i in admins for i in person.identities):
            keys.setdefault(key, "")
    for key in person.scopes("groupadmin"):
        keys.setdefault(key, "")
    rows = {f"{g.platform}:{g.chat_id}": g for g in (await ctx.db.scalars(select(Group))).all()}
    found: list[tuple[ChatRef, str]] = []
    for key, unit_name in keys.items():
        if key.partition(":")[0] not in ctx.app.adapters:
            continue
        row = rows.get(key)
        title = config_for(ctx.app, key).name or (row.title if row else "") or unit_name
        ref = ChatRef.parse(key, title=title or key.partition(":")[2])
        found.append((ref, ctx.app.settings.chat_language(key) or lang))
    return sorted(found, key=lambda c: c[0].title)


async def share_button(ctx: Context, identity: str, post: Post, t: Translator) -> Button | None:
    """转发到我的群 under a post's progress report, for a reader who may share and runs groups
    that do not have the post yet."""
    person = await ctx.app.people.find(identity)
    if person is None or post.sold_out or not may_share(ctx, person):
        return None
    has = await _has_it(ctx, post)
    if all(c.key in has for c, _ in await groups_run_by(ctx, person)):
        return None
    return Button(t("Share to my groups"), data=PickGroups(post.id).pack())


async def _running(ctx: Context, post_id: int) -> Post:
    """The post to share (a series: its latest post), or UsageError saying why not."""
    post = await ctx.db.get(Post, post_id)
    if post is None or post.state in ("draft", "rejected"):
        raise UsageError(ctx.t("There is no promotion #{id}.", id=post_id))
    if post.repeat is not None:
        latest = await ctx.db.scalar(
            select(Post)
            .where(Post.series_id == post.id, Post.published_at.is_not(None))
            .order_by(Post.occurrence.desc())
            .limit(1)
        )
        if post.state != "scheduled" and latest is not None:
            raise UsageError(ctx.t("Promotion #{id} is not running any more.", id=post_id))
        post = latest or post
    if post.state in ("pending", "scheduled") or post.published_at is None:
        raise UsageError(ctx.t("Promotion #{id} has not gone out yet: share it once it has.",
                               id=post_id))  # fmt: skip
    if post.state in ("cancelled", "failed"):
        raise UsageError(ctx.t("Promotion #{id} is not running any more.", id=post_id))
    product = await ctx.db.get(Product, post.product_id) if post.product_id else None
    if post.sold_out or (product is not None and product.stock <= 0):
        raise UsageError(ctx.t("Promotion #{id} is sold out.", id=post_id))
    return post


async def _has_it(ctx: Context, post: Post) -> set[str]:
    rows = (await ctx.db.scalars(select(Delivery).where(Delivery.post_id == post.id))).all()
    return {
        f"{d.platform}:{d.chat_id}"
        for d in rows
        if not (d.status == "skipped" and d.reason in _NOT_THERE)
    }


async def _mine(ctx: Context) -> list[tuple[ChatRef, str]]:
    if not may_share(ctx, ctx.person):
        raise UsageError(ctx.t("Only officials with the sharer role, or the heads of units, can "
                               "share promotions."))  # fmt: skip
    groups = await groups_run_by(ctx, ctx.person)
    if not groups:
        raise UsageError(ctx.t("You do not run any group I am in, so there is nowhere to share "
                               "to."))  # fmt: skip
    return groups


@command(
    "share", aliases=["转发", "轉發", "分享"],
    help=N_("Share a running promotion to the groups you run: /share 1"),
)  # fmt: skip
async def share_command(ctx: Context, args: Text = "") -> None:
    await _mine(ctx)
    number = _NUMBER.search(args)
    if number is not None:
        await pick_groups(ctx, int(number.group()))
        return
    posts = (
        await ctx.db.scalars(
            select(Post)
            .where(Post.state.in_(("sending", "published")), Post.sold_out.is_(False))
            .order_by(Post.id.desc())
            .limit(10)
        )
    ).all()
    if not posts:
        await ctx.reply(ctx.t("No promotion is running now."))
        return
    buttons = [
        [Button(f"#{p.id} {title_of(ctx.t, p, quote=False)}", data=PickGroups(p.id).pack())]
        for p in posts
    ]
    await ctx.reply(Reply(ctx.t("Which promotion would you like to share?")).with_buttons(*buttons))


async def pick_groups(ctx: Context, post_id: int) -> None:
    """The groups of the presser that do not have the post yet, as buttons, and 全部."""
    groups = await _mine(ctx)
    post = await _running(ctx, post_id)
    has = await _has_it(ctx, post)
    there = [c.title for c, _ in groups if c.key in has]
    offer = [c for c, _ in groups if c.key not in has]
    title = title_of(ctx.t, post)
    if not offer:
        await ctx.reply(ctx.t("All your groups already have promotion #{id} {title}.",
                              id=post.id, title=title))  # fmt: skip
        return
    text = ctx.t("Share promotion #{id} {title} to which of your groups?", id=post.id,
                 title=title)  # fmt: skip
    if there:
        text += "\n" + ctx.t("Already there: {groups}", groups=", ".join(there))
    buttons = [[Button(c.title, data=Share(post.id, c.key).pack())] for c in offer]
    if len(offer) > 1:
        label = ctx.t("All ({n})", n=len(offer))
        buttons.append([Button(label, data=Share(post.id, ALL_GROUPS).pack())])
    await ctx.reply(Reply(text).with_buttons(*buttons))


async def share(ctx: Context, post_id: int, chat: str) -> None:
    """A press on a group (or 全部) of `pick_groups`: the post goes there now, or waits for the
    group's free slot; the sharer is told how each went, the post's author that it was
    shared."""
    groups = await _mine(ctx)
    post = await _running(ctx, post_id)
    chosen = [(c, lang) for c, lang in groups if chat in (ALL_GROUPS, c.key)]
    if not chosen:  # not (or no longer) a group of theirs
        raise UsageError(ctx.t("You do not run that group."))
    name = ctx.person.name
    done = await deliver(ctx, post, chosen, via="share", by=ctx.sender.key, name=name)
    title = title_of(ctx.t, post)
    if not done:
        await ctx.reply(ctx.t("{group} already has promotion #{id} {title}.",
                              group=chosen[0][0].title, id=post.id, title=title)
                        if len(chosen) == 1 else
                        ctx.t("All your groups already have promotion #{id} {title}.",
                              id=post.id, title=title))  # fmt: skip
        return
    lines = [ctx.t("Promotion #{id} {title}, shared to your groups:", id=post.id, title=title)]
    for d in done:
        if d.status == "queued":
            how = ctx.t("posted now")
        elif d.status == "waiting":
            how = ctx.t("waiting until {when}", when=local(ctx, d.due_at))
            how += f" ({ctx.t(REASONS[d.reason])})" if d.reason in REASONS else ""
        else:
            why = REASONS.get(d.reason)
            how = ctx.t("not sent") + (f" ({ctx.t(why)})" if why else "")
        lines.append(f"· {d.title}: {how}")
    sent = [d.title for d in done if d.status != "skipped"]
    if sent and not await ctx.can_write_privately(ctx.sender):  # `sharer_notice` could not
        lines.append(ctx.t("To be told of the orders from these groups, send me a private "
                           "message once."))  # fmt: skip
    await ctx.reply("\n".join(lines))
    if sent and post.author != ctx.sender.key:
        t = await translator_for(ctx, post.author)
        await send_to(ctx, post.author, t(
            "{name} shared promotion #{id} {title} to {n} of their groups: {groups}. Orders "
            "from there are counted for them too (/stats {id}).", name=name, id=post.id,
            title=title_of(t, post), n=len(sent), groups=", ".join(sent),
        ))  # fmt: skip
