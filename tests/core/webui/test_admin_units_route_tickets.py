"""A unit saved on the console routes the next ticket (issue 17, item 3, with issue 14's
routing by the group): the complaints plugin reads ``ctx.org`` at each message, so a village
added on the page with its group gets the problems raised there at once, and a bureau's new group
gets its cards, also after a restart."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints import hooks

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "web": {"enabled": True, "port": 0, "public_url": "http://console.test"},
    "people": [
        {"name": "王书记", "identities": ["memory:wang"], "roles": ["supervisor"]},
        {"name": "李娜", "identities": ["memory:lina"], "roles": ["member:housing"]},
        {"name": "管理员", "identities": ["memory:admin"], "roles": ["admin"]},
    ],
    "org": {
        "township": {"name": "管委会", "chats": ["memory:管委会"]},
        "housing": {"name": "住建局", "chats": ["memory:住建局"], "parent": "township"},
    },
    "plugins": {
        "complaints": {
            "detect": True,
            "supervision_chat": "memory:督查组",
            "categories": {
                "construction": {"name": "工程质量", "keywords": ["混凝土", "偷工减料"],
                                 "department": "housing"},
                "other": {"name": "其他"},
            },
        }
    },
}  # fmt: skip


@pytest.fixture
def bot_plugins() -> list[object]:
    return [("complaints", hooks)]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


async def test_a_village_added_on_the_page_gets_the_problems_of_its_group(
    bot: BotHarness,
) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/new-unit")
    village = {"action": "save", "key": "shuikou", "name": "水口村", "parent": "township",
               "chats": "memory:水口村民群"}  # fmt: skip
    assert await page.post("/web/admin/new-unit", village) == 200
    sent = await bot.send("/ticket 村口桥栏杆松动，有安全隐患", user="wang", chat="水口村民群")
    [confirmed] = [s for s in sent if s.text.startswith("已登记为问题")]
    assert confirmed.text.startswith("已登记为问题 Q-2026-0001（其他），已转 水口村 办理。")
    [card] = [s for s in sent if s.labels[:1] == ["接单"]]
    assert card.chat.chat_id == "水口村民群"


async def test_a_bureaus_new_group_gets_its_cards_also_after_a_restart(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/housing")
    form = {"action": "save", "name": "住建局", "parent": "township", "chats": "memory:住建局新群"}
    assert await page.post("/web/admin/units/housing", form) == 200
    await bot.restart()
    [offer] = await bot.send("三标段混凝土没按规范养护，偷工减料", user="lina", chat="工地")
    sent = await bot.press(offer, "登记为问题", user="wang")
    assert [s.chat.chat_id for s in sent if s.labels[:1] == ["接单"]] == ["住建局新群"]
    assert bot.sent_to("住建局") == []


async def test_a_unit_a_category_routes_to_is_not_removed(bot: BotHarness) -> None:
    page = await bot.open_console("admin")
    await page.get("/web/admin/units/housing")
    assert await page.post("/web/admin/units/housing", {"action": "remove"}) == 400
    assert (
        "配置文件中用到了它（plugins.complaints.categories.construction.department），请先修改那里。"
        in page.text()
    )
    assert bot.app.org.unit("housing") is not None
