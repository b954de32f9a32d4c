"""Story 1.11 over Telegram's real wire (aiogram against the Bot API emulator): a 12345 export
is POSTed to the hotline endpoint with a record already overdue, one of an unknown category
and one that cannot be filed. The handling unit's group receives the card with the caller's
phone for the call-back; the supervision group is told which unit has which overdue record
and which records wait for routing, and never sees a phone."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.plugins.complaints import hooks
from tests.adapters.telegram.tgapp import TOKEN, Watch, plugin_app
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")

RECORDS = [
    {  # received a week ago, due last Friday, still 办理中 at 环卫站 (an alias of 环卫所)
        "工单编号": "12345-0101",
        "受理时间": "2025-12-29 10:00",
        "诉求内容": "幸福小区垃圾堆放一周无人清运",
        "类别": "环境卫生",
        "承办单位": "环卫站",
        "办结时限": "2026-01-02 18:00",
        "办理状态": "办理中",
        "来电人": "刘先生",
        "联系电话": "13800000101",
    },
    {  # a category nobody configured, no unit, a text that names none: waits for routing
        "工单编号": "12345-0103",
        "受理时间": "2026-01-05 08:00",
        "诉求内容": "邻居装修噪音扰民",
        "类别": "噪音污染",
        "来电人": "赵先生",
        "联系电话": "13800000103",
    },
    {  # nothing to file
        "工单编号": "12345-0105",
        "受理时间": "2026-01-02 09:00",
        "类别": "环境卫生",
        "来电人": "孙先生",
        "联系电话": "13800000105",
    },
]


async def _post(port: int, body: Any) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{port}/complaints/hotline"
    headers = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}
    data = json.dumps(body, ensure_ascii=False).encode()
    async with aiohttp.ClientSession() as http, http.post(url, data=data, headers=headers) as r:
        return r.status, await r.json()


async def test_a_12345_export_over_telegram(tmp_path: Path) -> None:
    clock = WallClock(datetime(2026, 1, 5, 9, tzinfo=SHANGHAI))  # a Monday morning
    tg = TelegramEmulator(TOKEN, limits=Limits(scale=1000), now=lambda: clock.now().timestamp())
    await tg.start()
    wang, zhao = tg.user("王督查"), tg.user("赵主任")
    sanitation = tg.group("环卫所工作群", members=[zhao], bot_admin=True)
    supervision = tg.group("督查组", members=[wang], bot_admin=True)
    config = {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "web": {"enabled": True, "host": "127.0.0.1", "port": 0},
        "people": [
            {"name": "王督查", "identities": [f"telegram:{wang.id}"], "roles": ["supervisor"]},
            {"name": "赵主任", "identities": [f"telegram:{zhao.id}"]},
        ],
        "org": {
            "district": {"name": "区政府"},
            "sanitation": {"name": "环卫所", "aliases": ["环卫站"], "parent": "district",
                           "chats": [f"telegram:{sanitation.id}"], "members": ["赵主任"]},
        },
        "plugins": {"complaints": {
            "supervision_chat": f"telegram:{supervision.id}",
            "hotline": {"token": "s3cret"},
            "categories": {
                "sanitation": {"name": "环境卫生", "keywords": ["垃圾"],
                               "department": "sanitation"},
                "other": {"name": "其他"},
            },
        }},
    }  # fmt: skip
    app = await plugin_app(tmp_path, tg, [("complaints", hooks)], config, clock=clock)
    seen = Watch(tg)
    try:
        assert app.web is not None
        status, data = await _post(app.web.port, RECORDS)
        assert status == 201
        assert [(f["at"], f["number"], f.get("reason")) for f in data["filed"]] == [
            ("第 1 条记录", "Q-2026-0001", None),
            ("第 2 条记录", "Q-2026-0002", "类别“噪音污染”无法识别，内容也未能判断类别"),
        ]
        refused = [(r["at"], r["reason"]) for r in data["refused"]]
        assert refused == [("第 3 条记录", "缺少诉求内容")]

        # the unit's group: the card, with the caller for the call-back and the hotline's due
        [card] = await seen.new(sanitation)
        assert card["text"] == (
            "📋 Q-2026-0001 · 环境卫生\n状态：处理中 · 环卫所\n\n幸福小区垃圾堆放一周无人清运\n"
            "来源：12345 热线\n反映人：刘先生 13800000101\n"
            "接单时限 12-29 15:30 · 办结时限 01-02 18:00"
        )
        buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
        assert "已解决" in buttons  # an inline keyboard, the unit acts on it in its group

        # the supervision group: the unrouted card, the overdue named with its unit, why the
        # other waits; never a phone
        told = [m.get("text", "") for m in await tg.wait_sent(supervision, 3)]
        assert told[0].startswith("📋 Q-2026-0002 · 其他\n")
        assert "反映人：赵先生\n" in told[0]
        assert told[1:] == [
            "⚠️ 超期：环卫所 1 件\n"
            "· Q-2026-0001（12345 工单 12345-0101） 已超期 1 天未办结："
            "幸福小区垃圾堆放一周无人清运",
            "12345 热线导入：1 件待派单：\nQ-2026-0002: 类别“噪音污染”无法识别，内容也未能判断类别",
        ]
        assert not any("138000" in t for t in told)
    finally:
        await app.stop()
        await tg.stop()
