"""The command menu Telegram shows when someone types ``/`` (setMyCommands), made from the
plugins' commands at start-up: one menu in ``bot.language`` for everyone, and one each for people
whose Telegram speaks English (``en``) or Chinese (``zh``; Telegram does not tell simplified from
traditional, so ``zh`` follows ``bot.language`` when that is Chinese).

Telegram takes command names of 1-32 characters ``a-z``, ``0-9`` and ``_``: Chinese aliases
(``/帮助``) still work when typed, but are not listed. Commands that need a role and hidden ones
are left out, since the menu is the same for everyone in a chat.
"""

from __future__ import annotations

import logging
import re

from aiogram import Bot
from aiogram.methods import DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommand

from qunzhu.core.adapter import Declared

__all__ = ["menus", "set_menus"]

log = logging.getLogger("qunzhu.adapters.telegram")
_NAME = re.compile(r"[a-z0-9_]{1,32}")


def menus(declared: Declared) -> dict[str, list[BotCommand]]:
    """Telegram language code ("" for the default menu) → the commands to list."""
    chinese = declared.language if declared.language.startswith("zh") else "zh_Hans"
    languages = {"": declared.language, "en": "en", "zh": chinese}
    listed = [
        c for c in declared.commands if not c.hidden and c.role is None and _NAME.fullmatch(c.name)
    ][:100]
    return {
        code: [
            BotCommand(
                command=c.name, description=(declared.describe(c, lang) or f"/{c.name}")[:256]
            )
            for c in listed
        ]
        for code, lang in languages.items()
    }


async def set_menus(bot: Bot, declared: Declared) -> None:
    """Set every menu; a failure is logged, not fatal (the commands work without a menu)."""
    for code, commands in menus(declared).items():
        try:
            if commands:
                await bot(SetMyCommands(commands=commands, language_code=code or None))
            else:
                await bot(DeleteMyCommands(language_code=code or None))
        except Exception as exc:
            log.warning("event=command_menu_failed language=%s error=%s", code or "default", exc)
