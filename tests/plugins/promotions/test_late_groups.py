"""Issue 15, late groups opted in by the YAML: a group that the config opts in receives the
running posts when the bot is added to it, or when the YAML gains it and the bot starts again;
once each, under its daily cap and quiet hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.plugins.promotions.story import PLUGINS, config, posts_in, publish

BOT = "qunzhu"  # the bot's own account on the test platform
GROUPS: dict[str, dict[str, Any]] = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "buyers-2": {"opt_in": True, "tags": ["buyers"], "name": "鮰鱼买家二群"},
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(GROUPS)


async def test_the_bot_added_to_a_group_the_yaml_opts_in_brings_the_running_post(
    bot: BotHarness,
) -> None:
    """The YAML named 鮰鱼买家二群 before anyone added the bot there: the broadcast skipped it.
    When its owner adds the bot, the post still selling arrives; adding it again sends nothing
    more."""
    bot.adapter.bot_user_id = BOT
    await bot.join(BOT, "buyers-2", left=True)  # not in the group yet
    await publish(bot, stock="100000")
    assert len(posts_in(bot, "buyers-1")) == 1
    assert posts_in(bot, "buyers-2") == []

    await bot.join(BOT, "buyers-2")
    [copy] = posts_in(bot, "buyers-2")
    assert copy.text.startswith("【通山鮰鱼】")
    assert copy.labels == ["Order now", "Interested", "Contact seller"]

    await bot.join(BOT, "buyers-2", left=True)
    await bot.join(BOT, "buyers-2")  # once each
    await bot.join("somebody", "buyers-2")  # a person joining is not the bot
    assert len(posts_in(bot, "buyers-2")) == 1


async def test_the_bot_added_to_a_group_that_does_not_receive_promotions_sends_nothing(
    bot: BotHarness,
) -> None:
    bot.adapter.bot_user_id = BOT
    await publish(bot, stock="100000")
    await bot.join(BOT, "village")  # not in the config, nobody said /promotions on
    assert posts_in(bot, "village") == []


async def test_a_group_the_yaml_gains_gets_the_running_post_at_start_up_once(
    bot: BotHarness,
) -> None:
    """The operator adds 三群 to the YAML with opt_in: true while the post runs, and restarts
    the bot: the group gets the post, at its next free slot (its quiet hours here), and not
    again at the next start."""
    await publish(bot, stock="100000")  # 10:00 local
    await bot.advance(timedelta(hours=12))  # 22:00: 三群's quiet hours
    bot.config["chats"]["memory:buyers-3"] = {
        "plugins": {
            "promotions": {"opt_in": True, "tags": ["buyers"], "quiet_hours": ["21:00-08:00"]}
        }
    }
    await bot.restart()
    assert posts_in(bot, "buyers-3") == []  # waits for the morning
    await bot.advance(timedelta(hours=10))
    [copy] = posts_in(bot, "buyers-3")
    assert copy.text.startswith("【通山鮰鱼】")
    assert len(posts_in(bot, "buyers-1")) == 1  # the others had it: nothing more

    await bot.restart()
    await bot.advance(timedelta(hours=1))
    assert len(posts_in(bot, "buyers-3")) == 1


async def test_a_yaml_group_that_wants_no_late_posts_waits_for_the_next(
    bot: BotHarness,
) -> None:
    await publish(bot, stock="100000")
    bot.config["chats"]["memory:buyers-3"] = {
        "plugins": {"promotions": {"opt_in": True, "tags": ["buyers"], "late_posts": False}}
    }
    bot.config["chats"]["memory:tourists"] = {
        "plugins": {"promotions": {"opt_in": True, "tags": ["tourism-only"]}}
    }
    await bot.restart()
    await bot.advance(timedelta(hours=1))
    assert posts_in(bot, "buyers-3") == posts_in(bot, "tourists") == []
