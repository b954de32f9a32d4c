"""The complaints plugin's test set-up: a district with departments, a supervision group and
people with roles, on the in-memory adapter (groups are ``memory:<name>``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core.model._events import ButtonPress
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints import hooks

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [
        {"name": "王书记", "identities": ["memory:wang"], "roles": ["supervisor"]},
        {"name": "李娜", "identities": ["memory:lina"], "roles": ["member:housing"]},
        {"name": "张科长", "identities": ["memory:zhang"], "roles": ["member:district"]},
        {"name": "赵主任", "identities": ["memory:zhao"], "roles": ["member:sanitation"]},
        {"name": "管理员", "identities": ["memory:admin"], "roles": ["admin"]},
    ],
    "plugins": {
        "complaints": {
            "detect": True,
            "supervision_chat": "memory:督查组",
            "categories": {
                "construction": {
                    "name": "工程质量",
                    "names": {"en": "Construction quality"},
                    "keywords": ["混凝土", "偷工减料", "养护"],
                    "department": "housing",
                },
                "sanitation": {
                    "name": "环境卫生",
                    "keywords": ["垃圾", "污水"],
                    "department": "sanitation",
                    "acknowledge_hours": 2,
                    "resolve_days": 3,
                },
                "other": {"name": "其他"},
            },
            "departments": {
                "district": {"name": "区政府", "chat": "memory:区政府"},
                "township": {"name": "管委会", "chat": "memory:管委会", "parent": "district"},
                "housing": {"name": "住建局", "chat": "memory:住建局", "parent": "township"},
                "sanitation": {"name": "环卫所", "chat": "memory:环卫所", "parent": "township"},
            },
            "places": {"北部新城三标段": [26.65, 119.52]},
            "hotline": {"token": "s3cret"},
        }
    },
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("complaints", hooks)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


async def press_stale(bot: BotHarness, sent: Sent, button: int, *, user: str) -> list[Sent]:
    """Press a button as it was first sent, even if an edit removed it since (a slow phone)."""
    data = sent.reply.flat_buttons[button - 1].data
    press = ButtonPress(bot.next_id(), sent.chat, bot.user(user), sent.message_id, data)
    return await bot.feed(press)


def only(sent: list[Sent], chat: str) -> Sent:
    """The one message of `sent` that went to `chat`."""
    [found] = [s for s in sent if s.chat.chat_id == chat]
    return found


async def jump(bot: BotHarness, delta: timedelta) -> list[Sent]:
    """Move the clock by `delta` at once: the jobs asleep meanwhile (the ten-minute overdue
    scan, the digest) run once, late, by their misfire rule, instead of once per slot."""
    bot.clock.set(bot.clock.now() + delta - timedelta(minutes=1))
    return await bot.advance(timedelta(minutes=1))
