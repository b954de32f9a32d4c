"""Regression (issue 14): a photo a mayor sends in private after his check-in report joins the
report, and is not also offered as a problem to report ("收到 1 张照片。要反映问题吗？"): the
check-in claims it (`ctx.claim()`), the complaints plugin's offer runs last and leaves a claimed
message alone. A private photo that belongs to no report is still offered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from qunzhu.core import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins import hooks as checkins
from qunzhu.plugins.complaints import hooks as complaints
from tests.plugins.checkins.conftest import IDS, advance_to, at, config


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    # pluggy calls the last registered first: complaints would read the photo before checkins
    # if its offer were not declared to come last
    return [("checkins", checkins), ("complaints", complaints)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    settings = config()
    settings["plugins"]["complaints"] = {
        "categories": {"sanitation": {"name": "环境卫生", "keywords": ["垃圾"]}},
    }
    return settings


def _photo(bot: BotHarness, user: str, ref: str) -> Message:
    return Message(
        bot.next_id(), bot.dm(user), bot.user(user), "",
        (Attachment(AttachmentKind.PHOTO, ref, "image/jpeg"),), sent_at=bot.clock.now(),
    )  # fmt: skip


async def test_a_photo_for_the_checkin_report_is_not_offered_as_a_problem(
    bot: BotHarness,
) -> None:
    [prompt] = await advance_to(bot, at(9, 9))
    await bot.press(prompt, "私聊填写", user=IDS[4])
    for answer in ("清淤3处", "无", "继续清淤"):
        await bot.send(answer, user=IDS[4])
    await bot.press(bot.sent[-1], "跳过", user=IDS[4])
    [added] = await bot.feed(_photo(bot, IDS[4], "/tmp/p1.jpg"))
    assert added.text == "已加入您的「水源保护周报」汇报，共 1 个图片/视频。"
    # a mayor who has not reported: his photo belongs to no report, so it is offered
    [offer] = await bot.feed(_photo(bot, IDS[5], "/tmp/x.jpg"))
    assert offer.text == "收到 1 张照片。要反映问题吗？"
    assert [b.label for b in offer.buttons] == ["反映问题"]
