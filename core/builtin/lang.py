"""``/lang``: choose the language the bot uses with you."""

from __future__ import annotations

from collections.abc import Sequence

from qunzhu.core.commands import Command, command
from qunzhu.core.context import Context
from qunzhu.core.hookspecs import hookimpl
from qunzhu.core.i18n._catalogs import LANGUAGES, N_, normalize_language
from qunzhu.core.model._reply import Button, Reply

_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
_AUTO = {"auto", "自动", "自動", "default"}


_PREFIX = "core.lang:"


@command("lang", aliases=["语言", "語言", "language"], help=N_("Choose your language"))
async def lang(ctx: Context, choice: str = "") -> None:
    if not choice:
        buttons = [Button(name, data=f"{_PREFIX}{code}") for code, name in _NAMES.items()]
        buttons.append(Button(ctx.t("Automatic"), data=f"{_PREFIX}auto"))
        text = ctx.t("Your language: {current}. Choose one:", current=_NAMES[ctx.lang])
        await ctx.reply(Reply(text).with_buttons(buttons[:3], buttons[3:]))
        return
    await _choose(ctx, choice)


async def _choose(ctx: Context, choice: str) -> None:
    if choice.lower() in _AUTO:
        await ctx.app.people.set_lang(ctx.db, ctx.person.id, None)
        ctx.after_commit(lambda: ctx.app.people.forget(ctx.person.id))
        await ctx.reply(ctx.t("Done: I will use the chat's language, or your app's."))
        return
    code = choice if choice in LANGUAGES else normalize_language(choice) or _by_name(choice)
    if code is None:
        await ctx.reply(
            ctx.t(
                "Unknown language “{choice}”. Choose one of: {options}.",
                choice=choice,
                options=", ".join(LANGUAGES),
            )
        )
        return
    await ctx.app.people.set_lang(ctx.db, ctx.person.id, code)
    ctx.after_commit(lambda: ctx.app.people.forget(ctx.person.id))
    chosen = ctx.app.catalogs.translator(code)
    await ctx.reply(chosen.gettext("From now on I will write to you in {name}.", name=_NAMES[code]))


@hookimpl
async def on_button(ctx: Context) -> None:
    press = ctx.button
    if press is not None and press.data.startswith(_PREFIX):
        await _choose(ctx, press.data[len(_PREFIX) :])


def _by_name(text: str) -> str | None:
    for code, name in _NAMES.items():
        if text.strip().lower() in (name.lower(), code.lower()):
            return code
    return None


@hookimpl
def register_commands() -> Sequence[Command]:
    return [lang]
