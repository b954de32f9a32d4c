"""Which language a person sees, and that the core's texts are translated."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.i18n._catalogs import normalize_language
from qunzhu.core.testing import BotHarness


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "zh_Hans"},
        "chats": {
            "memory:hk-group": {"language": "zh_Hant"},
            "memory:en-group": {"language": "en"},
        },
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-hant", "zh_Hant"),
        ("zh_HK", "zh_Hant"),
        ("en-US", "en"),
        ("fr", None),
        (None, None),
    ],
)
def test_platform_language_codes(code: str | None, expected: str | None) -> None:
    assert normalize_language(code) == expected


async def test_default_language_is_simplified_chinese(bot: BotHarness) -> None:
    [reply] = await bot.send("/help")
    assert reply.text.startswith("您可以使用的命令")
    assert "查看这里可以使用的功能" in reply.text  # the help line of /help itself


async def test_platform_language_of_the_person(bot: BotHarness) -> None:
    [reply] = await bot.send("/help", lang="en-US")
    assert reply.text.startswith("Commands you can use:")
    assert "Show what you can do here" in reply.text


async def test_chat_language_from_config(bot: BotHarness) -> None:
    [hant] = await bot.send("/whoami", chat="hk-group")
    [hans] = await bot.send("/whoami", chat="some-group")
    assert hant.text != hans.text
    assert "您是" in hans.text and "账号" in hans.text and "帳號" in hant.text
    [en] = await bot.send("/whoami", chat="en-group")
    assert en.text.startswith("You are")


async def test_a_person_chooses_their_language(bot: BotHarness) -> None:
    [reply] = await bot.send("/lang en")
    assert reply.text == "From now on I will write to you in English."
    [reply] = await bot.send("/help", chat="hk-group")  # the person's choice beats the chat's
    assert reply.text.startswith("Commands you can use:")
    [reply] = await bot.send("/语言 auto")
    [reply] = await bot.send("/help", chat="hk-group")
    assert reply.text != "" and not reply.text.startswith("Commands")


async def test_errors_are_translated(bot: BotHarness) -> None:
    [reply] = await bot.send("/hlep")
    assert "/help" in reply.text and "Unknown command" not in reply.text


async def test_choosing_the_language_with_buttons(bot: BotHarness) -> None:
    [menu] = await bot.send("/lang")
    assert menu.labels == ["简体中文", "繁體中文", "English", "自动"]
    [done] = await bot.press(menu, "English")
    assert done.text == "From now on I will write to you in English."
    [again] = await bot.send("/lang")
    assert again.text == "Your language: English. Choose one:"
    assert again.labels[-1] == "Automatic"
