"""One message, one owner, the other way round: a village cadre who reported rubbish and owes a
task in the same group answers "问题解决了吗？" with "已清理干净了，谢谢". The complaints plugin
reads answers to its own question first and claims the message, so the check-ins plugin does
not also take it for the report that his task is done."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins import hooks as checkins
from qunzhu.plugins.checkins.models import Task
from qunzhu.plugins.complaints import hooks as complaints
from qunzhu.plugins.complaints.models import Ticket
from tests.plugins.complaints.conftest import CONFIG

GROUP = "三组村民群"


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    # registered so that pluggy's default order would call checkins first
    return [("complaints", complaints), ("checkins", checkins)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    people = [*CONFIG["people"], {"name": "李村长", "identities": ["memory:cun"]}]
    return {**CONFIG, "people": people}


async def test_the_answer_to_the_question_is_not_a_task_report(bot: BotHarness) -> None:
    [offer] = await bot.send("三组路口垃圾没人处理", user="cun", chat=GROUP, photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("环卫所")
    await bot.press(card, "接单", user="zhao")
    await bot.press(card, "已解决", user="zhao")
    await bot.send("已清运", user="zhao", chat="环卫所")
    sent = await bot.press(bot.sent[-1], "跳过", user="zhao")
    [question] = [s for s in sent if s.text.endswith("问题解决了吗？")]
    assert question.chat.chat_id == GROUP
    [task_card] = await bot.send(
        "/task @李村长 周五前清理村口水沟", user="wang", chat=GROUP, mentions=["memory:cun"]
    )
    assert task_card.text.startswith("📌 任务 T-1")

    [thanks] = await bot.send("已清理干净了，谢谢", user="cun", chat=GROUP)
    assert thanks.text.startswith("谢谢，Q-2026-0001 已确认解决")
    async with bot.app.db.session() as s:
        assert list(await s.scalars(select(Task.state))) == ["open"]
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None and ticket.feedback is not None
