"""Issue 14.2: the digest says nothing when there is nothing, comes at the time the YAML sets,
and names the overdue tickets themselves (the rest counted)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.config import DigestSettings

from .conftest import CONFIG, jump


async def test_no_digest_when_there_is_nothing(bot: BotHarness) -> None:
    await jump(bot, timedelta(days=3))  # Monday 09:00 → Thursday: three digest mornings
    assert bot.sent_to("dm:wang") == []


class TestTimeFromTheYaml:
    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        config = copy.deepcopy(CONFIG)
        config["plugins"]["complaints"]["digest"] = {"time": "17:30", "items": 1}
        return config

    async def test_digest_at_the_configured_time_with_the_rest_counted(
        self, bot: BotHarness
    ) -> None:
        for text in ("三标段混凝土没按规范养护", "二标段钢筋偷工减料"):
            [offer] = await bot.send(text, user="jian", chat="工地", photos=["p"])
            await bot.press(offer, 1, user="wang")  # Monday 09:00, 4 working hours to take
        await jump(bot, timedelta(hours=8, minutes=29))  # 17:29
        assert bot.sent_to("dm:wang") == []
        await jump(bot, timedelta(minutes=1))  # 17:30
        [digest] = bot.sent_to("dm:wang")
        assert digest.text.splitlines()[-3:] == [
            "需要关注：",
            "  · Q-2026-0001 住建局 · 工地 · 已超期 3 小时：三标段混凝土没按规范养护",
            "  …及另外 1 件，发送 /工单列表 超期 查看",
        ]


@pytest.mark.parametrize("time", ["25:00", "8点", "0 8 * *"])
def test_a_digest_time_that_is_no_time_is_refused(time: str) -> None:
    with pytest.raises(ValidationError, match="neither a time of day"):
        DigestSettings(time=time)


def test_a_digest_time_as_cron() -> None:
    assert DigestSettings(time="30 7 * * 1-5").cron == "30 7 * * 1-5"
    assert DigestSettings(time="7:05").cron == "5 7 * * *"
