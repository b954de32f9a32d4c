"""``/export_tickets`` (``/导出工单``): a signed, expiring download link, scoped to what the
asker may see and sent in private only.

Scope: supervisors and admins get every ticket; a unit's member gets the tickets of the units
they belong to and of the units below them (those they may act on); anyone else is refused.
The link is a key to the file, so it never goes to a group: asked in a group, the bot writes
it to the asker in private and says so in the group, or, where it may not write first (on
Telegram, to someone who never pressed Start), says in the group how to open the private chat.
"""

from __future__ import annotations

from urllib.parse import urlencode

from qunzhu.core import N_, Button, Context, Reply, UsageError, command

from .directory import base_config
from .export import sign

__all__ = ["export_command", "export_scope"]


def export_scope(ctx: Context) -> str | None:
    """``all``, the unit keys joined by commas, or None when the asker may export nothing."""
    person = ctx.person
    if person.is_admin or person.has_role("supervisor"):
        return "all"
    keys: list[str] = []
    for unit in ctx.org.units_of(person):
        keys += [u.key for u in ctx.org.subtree(unit) if u.key not in keys]
    return ",".join(keys) or None


@command(
    "export_tickets",
    aliases=["导出工单", "導出工單"],
    help=N_("Download the tickets you may see: /export_tickets [csv|xlsx]"),
)
async def export_command(ctx: Context, fmt: str = "xlsx") -> None:
    fmt = fmt.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise UsageError(ctx.t("Choose csv or xlsx."))
    scope = export_scope(ctx)
    if scope is None:
        raise UsageError(ctx.t("Only supervisors, admins and departments may export tickets."))
    settings = base_config(ctx).export
    if settings.public_url is None or settings.secret is None or not ctx.app.settings.web.enabled:
        await ctx.reply(
            ctx.t(
                "I cannot send files in chat. To get download links, turn on web: and set "
                "plugins.complaints.export.public_url and .secret; or on the server run: "
                "qunzhu complaints export --format {fmt}",
                fmt=fmt,
            )
        )
        return
    if not ctx.chat.is_direct and not await ctx.can_write_privately(ctx.sender):
        username = ctx.app.adapter_for(ctx.chat.platform).bot_username
        bot = f"@{username}" if username else ctx.t("a private chat with me")
        await ctx.reply(
            ctx.t(
                "{name}, the download link is sent in private only, and I cannot write to you "
                "in private yet: open {bot}, press Start and ask there.",
                name=ctx.person.name,
                bot=bot,
            )
        )
        return
    expires = int(ctx.now().timestamp()) + settings.link_minutes * 60
    signature = sign(settings.secret.get_secret_value(), fmt, ctx.lang, scope, expires)
    query = urlencode(
        {"format": fmt, "lang": ctx.lang, "scope": scope, "expires": expires, "sig": signature}
    )
    url = f"{settings.public_url.rstrip('/')}/complaints/export?{query}"
    what = (
        ctx.t("All tickets as {fmt}", fmt=fmt.upper())
        if scope == "all"
        else ctx.t("Your departments' tickets as {fmt}", fmt=fmt.upper())
    )
    text = ctx.t(
        "{what}: the link works for {minutes} minutes.", what=what, minutes=settings.link_minutes
    )
    link = Reply(text).with_buttons(Button(ctx.t("Download"), url=url))
    if ctx.chat.is_direct:
        await ctx.reply(link)
        return
    await ctx.send_direct(ctx.sender, link)
    await ctx.reply(ctx.t("I have sent you the download link in private."))
