"""A post may name units of ``org:`` as its audience: it goes to the groups of the unit and of
every unit below it (those that opted in), beside the groups its tags find."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.audience import targets
from tests.plugins.promotions.story import PLUGINS, config

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "town-hall": {"opt_in": True},
    "village-3": {"opt_in": True},
    "village-9": {"opt_in": False},
    "elsewhere": {"opt_in": True},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    found = config(GROUPS)
    found["org"] = {
        "township": {
            "name": "北部新城管委会",
            "aliases": ["北部新城"],
            "chats": ["memory:town-hall"],
        },
        "village3": {"name": "三村", "parent": "township", "chats": ["memory:village-3"]},
        "village9": {"name": "九村", "parent": "township", "chats": ["memory:village-9"]},
        "other": {"name": "别处", "chats": ["memory:elsewhere"]},
    }
    return found


async def _audience(bot: BotHarness, tags: list[str]) -> list[tuple[str, str]]:
    async with bot.app.db.session() as s:
        return [(t.chat.chat_id, t.skip) for t in await targets(bot.app, s, tags)]


async def test_a_unit_reaches_its_groups_and_those_below_it(bot: BotHarness) -> None:
    assert await _audience(bot, ["北部新城"]) == [
        ("town-hall", ""),
        ("village-3", ""),
        ("village-9", "opted_out"),  # a unit's group still decides for itself
    ]
    assert await _audience(bot, ["village3", "buyers"]) == [("buyers-1", ""), ("village-3", "")]
    assert await _audience(bot, ["buyers"]) == [("buyers-1", "")]  # tags work as before
