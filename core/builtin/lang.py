"""``/lang``: choose the language the bot uses with you."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, command
from qunzhu.core.context import Context
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n import LANGUAGES, N_, normalize_language

_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
_AUTO = {"auto", "自动", "自動", "default"}


@command("lang", aliases=["语言", "語言", "language"], help=N_("Choose your language"))
async def lang(ctx: Context, choice: str = "") -> None:
    if not choice:
        options = ", ".join(f"{code} ({name})" for code, name in _NAMES.items())
        await ctx.reply(ctx.t("Your language: {current}. Choose one of: {options}, or auto.",
                              current=_NAMES[ctx.lang], options=options))  # fmt: skip
        return
    if choice.lower() in _AUTO:
        await ctx.app.people.set_lang(ctx.person.id, None)
        await ctx.reply(ctx.t("The bot will use the chat's or your platform's language."))
        return
    code = choice if choice in LANGUAGES else normalize_language(choice) or _by_name(choice)
    if code is None:
        await ctx.reply(ctx.t("Unknown language “{choice}”. Choose one of: {options}.",
                              choice=choice, options=", ".join(LANGUAGES)))  # fmt: skip
        return
    await ctx.app.people.set_lang(ctx.person.id, code)
    await ctx.reply(ctx.app.catalogs.translator(code)("From now on I will write to you in {name}.",
                                                       name=_NAMES[code]))  # fmt: skip


def _by_name(text: str) -> str | None:
    for code, name in _NAMES.items():
        if text.strip().lower() in (name.lower(), code.lower()):
            return code
    return None


@hookimpl
def register_commands() -> Sequence[Command]:
    return [lang]
