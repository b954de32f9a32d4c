"""``/web`` (``/后台``): a one-time link to the web console, in a private chat only.

The link is a key to the person's console: asked in a group, the bot says to ask in private
and gives nothing there. It opens once, within ``web.link_minutes``; the session is this
person (every identity they have), with their roles, checked on each request
(`qunzhu.core.webui`)."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, command
from qunzhu.core.context import Context
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.webui._server import ROOT
from qunzhu.core.webui._sessions import issue_link


@command("web", aliases=["后台", "後台", "console"], help=N_("Open the web console (a link)"))
async def web_command(ctx: Context) -> None:
    settings = ctx.app.settings.web
    if not ctx.chat.is_direct:
        await ctx.reply(ctx.t("Write /web to me in a private chat: the link is yours alone."))
        return
    if not settings.enabled or not settings.public_url:
        await ctx.reply(
            ctx.t("The web console is not set up: an admin sets web.enabled and web.public_url.")
        )
        return
    token = await issue_link(ctx.db, ctx.person.id, ctx.now(), settings.link_minutes)
    url = f"{settings.public_url.rstrip('/')}{ROOT}/login?token={token}"
    text = ctx.t(
        "Your console link opens once, within {minutes} minutes. Do not pass it on.",
        minutes=settings.link_minutes,
    )
    await ctx.reply(Reply(text).with_buttons(Button(ctx.t("Open the console"), url=url)))


@hookimpl
def register_commands() -> Sequence[Command]:
    return [web_command]
