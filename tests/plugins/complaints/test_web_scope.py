"""One scope for the web console's desk, list and ticket pages (issue 17): a town head's desk
lists the problems raised in his units' groups wherever they were routed, and unrouted ones;
each of them opened from the desk shows (it was 403: the ticket page looked only at the unit
holding a ticket). A ticket of another unit raised elsewhere stays 403 and off the desk."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Pending, Ticket
from tests.support.complaints_web import web_config

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [{"name": "周镇长", "identities": ["memory:zhou"]}],
    "org": {
        "district": {"name": "区委", "chats": ["memory:区委群"]},
        "sanitation": {"name": "环卫所", "parent": "district", "chats": ["memory:环卫所"]},
        "town": {"name": "东湖镇", "parent": "district", "chats": ["memory:东湖镇群"],
                 "head": "周镇长"},
        "v01": {"name": "村01村委", "parent": "town", "chats": ["memory:村01群"]},
    },
    "plugins": {"complaints": {"categories": {"sanitation": {"name": "环境卫生"}}}},
}  # fmt: skip
#: (number, the group it was raised in, the unit holding it, status)
TICKETS = [
    ("Q-2026-0001", "memory:东湖镇群", "sanitation", "assigned"),  # his group, routed away
    ("Q-2026-0002", "memory:村01群", "v01", "acknowledged"),  # a unit below his
    ("Q-2026-0003", "memory:村01群", None, "new"),  # not routed yet
    ("Q-2026-0004", "memory:环卫所", "sanitation", "assigned"),  # not his
]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return web_config(CONFIG)


async def test_every_ticket_on_the_desk_opens_and_another_units_is_403(bot: BotHarness) -> None:
    now = bot.app.clock.now()
    rows = [
        {"number": number, "year": 2026, "seq": n, "category": "sanitation",
         "description": "村口垃圾堆了一个星期没人管", "source": "group", "source_chat": chat,
         "source_title": chat, "department": unit, "status": status, "created_at": now,
         "updated_at": now, "acknowledge_due": now + timedelta(hours=4),
         "resolve_due": now + timedelta(days=3)}
        for n, (number, chat, unit, status) in enumerate(TICKETS, start=1)
    ]  # fmt: skip
    offer = {"kind": "offer", "created_at": now, "chat": "memory:村01群", "source": "m1",
             "report": {"description": "路灯坏了", "category": "sanitation", "source": "group",
                        "source_chat": "memory:村01群", "source_title": "村01群"}}  # fmt: skip
    async with bot.app.db.session() as s:
        await s.execute(insert(Ticket), rows)
        await s.execute(insert(Pending), [offer])
        await s.commit()
    zhou = await bot.open_console("zhou")
    assert await zhou.get("/web/complaints") == 200
    listed = re.findall(r'href="(/web/complaints/(?:Q-[\d-]+|desk/offer/\d+))"', zhou.html)
    assert sorted(p.rsplit("/", 1)[-1] for p in listed if "Q-" in p) == [
        "Q-2026-0001", "Q-2026-0002", "Q-2026-0003"]  # fmt: skip
    assert any("/desk/offer/" in p for p in listed)
    for path in listed:
        assert await zhou.get(path) == 200, path
    assert await zhou.get("/web/complaints/Q-2026-0001") == 200
    assert "Q-2026-0001" in zhou.text() and "环卫所" in zhou.text()
    assert await zhou.get("/web/complaints/Q-2026-0004") == 403
    # the list of tickets and the desk agree
    assert await zhou.get("/web/complaints/tickets?show=all") == 200
    shown = set(re.findall(r"Q-2026-\d{4}", zhou.text()))
    assert shown == {"Q-2026-0001", "Q-2026-0002", "Q-2026-0003"}
