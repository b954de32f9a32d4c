from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.plugins.promotions.story import PLUGINS, config, posts_in, publish


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config()


async def test_flow(bot: BotHarness) -> None:
    await publish(bot)
    for s in bot.sent:
        print(s.chat.chat_id, "|", s.text.replace("\n", " / "), s.labels)
    assert posts_in(bot, "buyers-1")
