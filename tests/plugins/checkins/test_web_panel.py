"""The check-ins' panel on the web console's overview (issue 17): this Friday's participation
and the earlier rounds', counted as the summary counts them; for supervisors only."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, advance_to, at, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    return setup


async def test_the_overview_shows_each_rounds_participation(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))  # Friday 9 January
    for uid in IDS[:6]:
        await bot.send("#周报 完成巡查", user=uid, chat=GROUP)
    await advance_to(bot, at(16, 9))  # the next Friday
    for uid in IDS[:9]:
        await bot.send("#周报 完成整改", user=uid, chat=GROUP)
    wang = await bot.open_console("wang")  # a supervisor
    assert "工作汇报参与率 汇报事项 最近一期 前几期 水源保护周报 01-16: 75% (9/12) 01-09: 50%" in (
        wang.text()
    )
    zhao = await bot.open_console("zhao")  # an owner without the role: not this panel
    assert "工作汇报参与率" not in zhao.text()
