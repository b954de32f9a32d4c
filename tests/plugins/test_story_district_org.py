"""Story: one district, one ``org:``. A complaint ticket routed to 住建局 and a task assigned to
住建局 both climb the same chain when they run late: the ticket's escalation card and the task's
逐级问责 reach 区政府, the unit the org names as 住建局's parent; neither plugin keeps its own
chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.checkins import hooks as checkins
from qunzhu.plugins.complaints import hooks as complaints
from tests.support.shanghai import at

WORKS = "北部新城工程"  # the group where the site's people talk


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("complaints", complaints), ("checkins", checkins)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "people": [
            {"name": "王书记", "identities": ["memory:wang"], "roles": ["supervisor"]},
            {"name": "刘局长", "identities": ["memory:liu"]},
            {"name": "周区长", "identities": ["memory:zhou"]},
            {"name": "老建", "identities": ["memory:jian"]},
        ],
        "org": {
            "district": {"name": "区政府", "chats": ["memory:区政府"], "head": "周区长"},
            "housing": {
                "name": "住建局",
                "aliases": ["住建"],
                "parent": "district",
                "chats": ["memory:住建局"],
                "head": "刘局长",
            },
        },
        "plugins": {
            "complaints": {
                "detect": True,
                "supervision_chat": "memory:督查组",
                "categories": {
                    "construction": {
                        "name": "工程质量",
                        "keywords": ["混凝土", "偷工减料"],
                        "department": "housing",
                    },
                    "other": {"name": "其他"},
                },
            },
        },
    }


async def _jump(bot: BotHarness, when: datetime) -> list[str]:
    """Jump the clock to `when` (the ten-minute scan runs once, late); the texts sent meanwhile."""
    bot.clock.set(when - timedelta(minutes=1))
    return [s.text for s in await bot.advance(timedelta(minutes=1))]


async def test_a_ticket_and_a_task_of_one_bureau_escalate_to_its_parent(bot: BotHarness) -> None:
    # Monday 09:00: a site report becomes a ticket, routed by its category to the org's 住建局
    [offer] = await bot.send(
        "北部新城项目三标段混凝土没按规范养护，偷工减料", user="jian", chat=WORKS, photos=["p1"]
    )
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    assert card.text.startswith("📋 Q-2026-0001 · 工程质量")
    await bot.press(card, "接单", user="liu")  # the bureau's head acknowledges it

    # the same morning the secretary gives the bureau a task, by its alias
    [task] = await bot.send("/task @住建 明天下班前完成现场整改", user="wang", chat=WORKS)
    assert task.text.splitlines()[1] == "交办人：王书记　承办：住建局（@刘局长）"
    assert task.reply.mentions == ("memory:liu",)

    # Tuesday 18:00: the task is overdue and goes up to the org's parent of 住建局
    late = await bot.advance(at("2026-01-06", 18) - bot.clock.now())
    escalated = [s for s in late if s.text.startswith("⬆️")]
    assert [s.text for s in escalated] == [
        "⬆️ 逐级问责：已上报区政府（@周区长）。住建局 的任务 T-1（完成现场整改）已超期，请督办。"
    ]
    assert escalated[0].chat.chat_id == WORKS
    assert escalated[0].reply.mentions == ("memory:zhou",)

    # the ticket, due Friday 18:00, two working days late on the next Tuesday: up the same chain
    await _jump(bot, at("2026-01-12", 10))
    await _jump(bot, at("2026-01-13", 18))
    assert bot.sent_to("督查组")[-1].text == (
        "⚠️ 超期：住建局 1 件\n"
        "· Q-2026-0001 已超期 2 天未办结，已升级至 区政府："
        "北部新城项目三标段混凝土没按规范养护，偷工减料"
    )
    [upper] = bot.sent_to("区政府")
    assert upper.text.startswith("⬆️ 升级督办：住建局 的 Q-2026-0001 已超期 2 天。")
    assert "📋 Q-2026-0001 · 工程质量" in upper.text
    assert await _jump(bot, at("2026-01-22", 18)) == []  # 区政府 is the top of the org
