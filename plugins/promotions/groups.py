"""``/promotions`` in a group: its own admins opt the group in or out and set its tags. A group
that opts in receives the posts running then (`late`)."""

from __future__ import annotations

import re

from qunzhu.core import N_, Context, Text, UsageError, command

from .audience import config_for, ensure_group
from .late import send_running
from .models import Delivery, Group, Post
from .progress import title_of
from .times import local

__all__ = ["promotions_command"]

_ON = {"on", "yes", "开", "开启", "開啟", "打开", "打開", "订阅", "訂閱"}
_OFF = {"off", "no", "关", "關", "关闭", "關閉", "退订", "退訂"}
_TAGS = {"tags", "tag", "标签", "標籤"}
_SPLIT = re.compile(r"[\s,，、;；]+")


def _may_change(ctx: Context) -> bool:
    config = config_for(ctx.app, ctx.chat.key)
    return (
        ctx.person.is_admin
        or ctx.sender.key in config.admins
        or ctx.person.has_role("groupadmin", ctx.chat.key)
    )


@command(
    "promotions", aliases=["推介设置", "推介設置"],
    help=N_("In a group: /promotions on|off|tags <tags> — receive product promotions or not"),
)  # fmt: skip
async def promotions_command(ctx: Context, args: Text = "") -> None:
    if ctx.chat.is_direct:
        raise UsageError(ctx.t("Use /promotions in the group itself."))
    words = [w for w in _SPLIT.split(args.strip()) if w]
    action = words[0].lower() if words else ""
    if action and not _may_change(ctx):
        await ctx.reply(ctx.t("Only this group's admins can change its promotion settings."))
        return
    if action in _ON | _OFF or action in _TAGS:
        await ensure_group(ctx.db, ctx.chat)
        group = await ctx.db.get(Group, (ctx.chat.platform, ctx.chat.chat_id))
        assert group is not None
        group.title = ctx.chat.title or group.title
        group.changed_by, group.changed_at = ctx.sender.key, ctx.now()
        config = config_for(ctx.app, ctx.chat.key)
        was = group.opted_in if group.opted_in is not None else config.opt_in
        if action in _TAGS:
            group.tags = [w.lstrip("#").lower() for w in words[1:]]
        else:
            group.opted_in = action in _ON
        if action in _ON and not was:
            await ctx.reply(await _status(ctx) + _late(ctx, await send_running(ctx)))
            return
    elif action:
        raise UsageError(ctx.t("Write /promotions on, /promotions off or /promotions tags buyers"))
    await ctx.reply(await _status(ctx))


def _late(ctx: Context, sent: list[tuple[Post, Delivery]]) -> str:
    """The running posts the group now receives, and when."""
    lines = []
    for post, d in sent:
        if d.status == "skipped":
            continue
        when = ctx.t("now") if d.status == "queued" else local(ctx, d.due_at)
        lines.append(f"· #{post.id} {title_of(ctx.t, post, quote=False)}: {when}")
    if not lines:
        return ""
    head = ctx.t("Running promotions this group receives as well:")
    return "\n" + "\n".join([head, *lines])


async def _status(ctx: Context) -> str:
    config = config_for(ctx.app, ctx.chat.key)
    group = await ctx.db.get(Group, (ctx.chat.platform, ctx.chat.chat_id))
    opted = group.opted_in if group is not None and group.opted_in is not None else config.opt_in
    tags = sorted({*config.tags, *(group.tags if group else ())})
    lines = [
        ctx.t("This group receives promotions.")
        if opted
        else ctx.t("This group does not receive promotions."),
        ctx.t("Tags: {tags}", tags=", ".join(tags) or "—"),
        ctx.t("At most {n} a day.", n=config.daily_cap),
    ]
    if config.quiet_hours:
        lines.append(ctx.t("Quiet hours: {hours}", hours=", ".join(config.quiet_hours)))
    return "\n".join(lines)
