"""``/cancel``: leave the dialog you are in."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, command
from qunzhu.core.context import Context
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import N_


@command("cancel", aliases=["取消"], help=N_("Stop the conversation you are in"))
async def cancel(ctx: Context) -> None:
    if not await ctx.app.dialogs.cancel(ctx):
        await ctx.reply(ctx.t("There is nothing to cancel."))


@hookimpl
def register_commands() -> Sequence[Command]:
    return [cancel]
