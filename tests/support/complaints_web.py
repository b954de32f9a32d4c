"""Tickets for the web console's tests: one of each kind a page must treat differently."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import aiohttp

from qunzhu.core import UserRef
from qunzhu.core.testing import BotHarness

CHEN = UserRef("memory", "chen", "陈阿姨", None)
PHOTO = b"\xff\xd8\xff\xe0 a site photo"


def web_config(config: dict[str, Any]) -> dict[str, Any]:
    """The complaints tests' config with the web console on, and a resident (村民, cun)."""
    config = copy.deepcopy(config)
    config["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    config["people"].append({"name": "村民", "identities": ["memory:cun"]})
    return config


async def four_tickets(bot: BotHarness) -> None:
    """Q-2026-0001 住建局 (group, photo); Q-2026-0002 环卫所 (anonymous, private);
    Q-2026-0003 环卫所 (12345 hotline, with the caller's phone); Q-2026-0004 not routed."""
    bot.adapter.files["site.jpg"] = PHOTO
    [offer] = await bot.send("三标段混凝土没按规范养护，偷工减料", user="jian", chat="工地",
                             photos=["site.jpg"])  # fmt: skip
    await bot.press(offer, 1, user="wang")
    await bot.send("水口茶文化景区好几个地方垃圾没人处理", user=CHEN)
    await bot.send("", user=CHEN, photos=["p"])
    [kind_q] = await bot.send("水口茶文化景区停车场", user=CHEN)
    [name_q] = await bot.press(kind_q, "环境卫生", user=CHEN)
    [check] = await bot.press(name_q, "匿名", user=CHEN)
    await bot.press(check, "提交", user=CHEN)
    record = {"id": "12345-0001", "content": "小区垃圾三天没人清运", "address": "幸福小区3栋",
              "name": "王女士", "phone": "13800000001"}  # fmt: skip
    url = f"http://127.0.0.1:{bot.app.web.port}/complaints/hotline"
    headers = {"Authorization": "Bearer s3cret", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        body = io.BytesIO(json.dumps(record).encode())
        async with http.post(url, data=body, headers=headers) as r:
            assert r.status == 201, await r.text()
    await bot.app.settle()
    await bot.send("/ticket 村口桥栏杆松动，有安全隐患", user="wang", chat="村民群")


async def an_offer(bot: BotHarness) -> int:
    """A problem raised in 环卫所's own group by the resident, offered ("登记为问题") and never
    filed: its `Pending` id."""
    from sqlalchemy import select

    from qunzhu.plugins.complaints.models import Pending

    await bot.send("街口垃圾桶满了两天没人清运，污水横流", user="cun", chat="环卫所")
    async with bot.app.db.session() as s:
        found = await s.scalar(
            select(Pending.id).where(Pending.kind == "offer", Pending.ticket_id.is_(None))
        )
    assert found is not None
    return found
