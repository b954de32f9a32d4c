"""``/help``: what the asking person may use, in their language."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, command
from qunzhu.core.context import Context
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.plugins import domain_of


@command("help", aliases=["帮助", "start"], help=N_("Show what you can do here"))
async def help_command(ctx: Context, name: str = "") -> None:
    commands = ctx.app.plugins.commands
    if name:
        cmd = commands.get(name.lstrip("/").lower())
        if cmd is None or cmd.hidden:
            await ctx.reply(ctx.t("There is no command /{name}. Send /help to see all.", name=name))
            return
        await ctx.reply(_describe(ctx, cmd, usage=True))
        return
    usable = [
        c
        for c in ctx.app.plugins.unique_commands()
        if not c.hidden and (not c.role or ctx.person.has_role(c.role))
    ]
    lines = [*_addressing(ctx), ctx.t("Commands you can use:")]
    lines += [_describe(ctx, c) for c in usable]
    lines.append(ctx.t("Send /help <command> for details."))
    await ctx.reply("\n".join(lines))


def _addressing(ctx: Context) -> list[str]:
    """How to address the bot on a platform whose groups deliver only @-mentions (WeCom,
    DingTalk): a person who writes in the group without one is never heard."""
    adapter = ctx.app.adapters.get(ctx.chat.platform)
    if adapter is None or not adapter.capabilities.mentions_only:
        return []
    mention = adapter.capabilities.mention or ctx.t("@the bot")
    return [
        ctx.t(
            "In a group, start your message with {mention}: the bot receives only the group "
            "messages that mention it. In a private chat, just write.",
            mention=mention,
        )
    ]


def _describe(ctx: Context, cmd: Command, *, usage: bool = False) -> str:
    text = (
        ctx.app.catalogs.translator(ctx.lang, domain_of(cmd.plugin))(cmd.help) if cmd.help else ""
    )
    names = " ".join(f"/{n}" for n in cmd.names if n != cmd.name)
    head = f"/{cmd.name}" + (f" ({names})" if names else "")
    line = f"{head} — {text}" if text else head
    if usage:
        line += "\n" + ctx.t("Usage: {usage}", usage=cmd.usage())
        if cmd.role:
            line += "\n" + ctx.t("Requires the role “{role}”.", role=ctx.t(cmd.role))
    return line


@hookimpl
def register_commands() -> Sequence[Command]:
    return [help_command]
