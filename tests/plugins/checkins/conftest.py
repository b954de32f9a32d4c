"""The people and the group of story 2.1: the 饮用水水源保护工作群 with two owners and 12 mayors who
report every Friday from 09:00 to 18:00 (Asia/Shanghai)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core import FakeClock, Message
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins import checkins

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLUGIN_LOCALE = Path(checkins.__file__).parent / "locale"
GROUP = "水源群"
CITIES = [
    "福州",
    "厦门",
    "泉州",
    "漳州",
    "莆田",
    "三明",
    "南平",
    "龙岩",
    "宁德",
    "平潭",
    "晋江",
    "福清",
]
MAYORS = [f"{city}市长" for city in CITIES]
IDS = [f"mayor{i}" for i in range(1, 13)]
CAMPAIGN = "水源保护周报"


def people() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {"name": "王副部长", "identities": ["memory:wang"], "roles": ["supervisor"]},
        {"name": "赵副省长", "identities": ["memory:zhao"]},
        {"name": "刘局长", "identities": ["memory:liu"], "roles": ["member:housing"]},
        {"name": "陈副区长", "identities": ["memory:chen"]},
        {"name": "周区长", "identities": ["memory:zhou"]},
    ]
    entries += [
        {"name": name, "identities": [f"memory:{uid}"]}
        for name, uid in zip(MAYORS, IDS, strict=True)
    ]
    return entries


def campaign(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": CAMPAIGN,
        "group": f"memory:{GROUP}",
        "owners": ["王副部长", "赵副省长"],
        "participants": MAYORS,
        "schedule": "FREQ=WEEKLY;BYDAY=FR",
        "timezone": "Asia/Shanghai",
        "opens": "09:00",
        "closes": "18:00",
    }
    base.update(changes)
    return base


def config(**plugin: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "campaigns": [campaign()],
        "units": [
            {"name": "住建局", "members": ["刘局长"], "parent": "分管副区长"},
            {"name": "分管副区长", "members": ["陈副区长"], "parent": "区长"},
            {"name": "区长", "members": ["周区长"]},
        ],
    }
    section.update(plugin)
    return {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "calendar": {"preset": "cn"},
        "people": people(),
        "plugins": {"checkins": section},
    }


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("checkins", checkins)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config()


@pytest.fixture
def bot_clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))  # Monday


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def advance_to(bot: BotHarness, when: datetime) -> list[Sent]:
    delta = when - bot.clock.now()
    assert delta >= timedelta(0), f"the clock is already past {when}"
    return await bot.advance(delta)


async def say(
    bot: BotHarness,
    text: str,
    *,
    user: str,
    chat: str | None = GROUP,
    reply_to: str | None = None,
    edit_of: str | None = None,
) -> tuple[str, list[Sent]]:
    """A message like `bot.send`'s; returns its event id too (to edit it or react to it)."""
    who = bot.user(user)
    event_id = bot.next_id()
    place = bot.group(chat) if chat is not None else bot.dm(user)
    message = Message(
        event_id, place, who, text, reply_to=reply_to, sent_at=bot.clock.now(),
        edited=edit_of is not None, edit_of=edit_of,
    )  # fmt: skip
    return event_id, await bot.feed(message)
