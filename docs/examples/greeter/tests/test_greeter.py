"""Testing a plugin with qunzhu's ``bot`` fixture: real dispatcher, fresh database, fake clock."""

from typing import Any

import pytest
import qunzhu_greeter

from qunzhu.core.testing import BotHarness


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("greeter", qunzhu_greeter)]  # (name, plugin): the name its entry point has


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "en"},
        "people": [{"name": "Wang", "identities": ["memory:wang"], "roles": ["supervisor"]}],
        # the web console on a free port; /web links start with public_url
        "web": {"enabled": True, "port": 0, "public_url": "http://bot.example.org"},
        "org": {
            "village3": {"name": "三村", "names": {"en": "Village 3"}, "chats": ["memory:村三"]}
        },
        "plugins": {"greeter": {"keyword": "你好"}},
        "chats": {"memory:english-corner": {"plugins": {"greeter": {"keyword": "hello"}}}},
    }


async def test_greets_on_the_keyword_and_counts(bot: BotHarness) -> None:
    [reply] = await bot.send("大家你好", user="ana", chat="village-3")
    assert reply.text == "Welcome, ana!"
    assert await bot.send("hello", chat="village-3") == []  # not this chat's keyword
    [count] = await bot.send("/visits", chat="village-3")
    assert count.text == "1 visits so far."


async def test_per_chat_override(bot: BotHarness) -> None:
    [reply] = await bot.send("Hello all", user="bo", chat="english-corner")
    assert reply.text == "Welcome, bo!"


async def test_welcomes_newcomers(bot: BotHarness) -> None:
    [reply] = await bot.join("li", "village-3")
    assert reply.text == "Welcome, li!"


async def test_welcomes_to_the_unit_whose_group_it_is(bot: BotHarness) -> None:
    [reply] = await bot.send("你好", user="ana", chat="村三")
    assert reply.text == "Welcome to Village 3, ana!"


async def test_the_visits_page_on_the_web_console(bot: BotHarness) -> None:
    await bot.send("你好", user="ana", chat="village-3")
    wang = await bot.open_console("wang")  # /web in private, the link opened
    assert await wang.get("/web/greeter") == 200
    assert "memory:village-3 1" in wang.text()
    ana = await bot.open_console("ana")  # no role: not in her navigation, and 403
    assert "Visits" not in ana.text()
    assert await ana.get("/web/greeter") == 403
