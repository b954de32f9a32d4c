"""Story 1.11: a 12345 export arrives with records already overdue (received, due, 承办单位,
status): they are overdue at once, and the supervision group is told which unit has which
overdue record; no caller's phone is ever posted to a group."""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from qunzhu.core.model._events import Attachment, AttachmentKind, Message
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket

from .conftest import CONFIG

#: A 12345 export as such systems write it (GBK), Monday 2026-01-05 09:00 at import.
EXPORT = (
    "工单编号,受理时间,诉求内容,类别,承办单位,办结时限,办理状态,紧急程度,来电人,联系电话\n"
    "12345-0101,2025-12-29 10:00,幸福小区垃圾堆放一周无人清运,环境卫生,环卫站,"
    "2026-01-02 18:00,办理中,一般,刘先生,13800000101\n"
    "12345-0102,2026-01-05 08:30,东门外主干道井盖缺失,,住建局,,已受理,特急,王女士,13800000102\n"
    "12345-0103,2025-12-30 09:00,邻居装修噪音扰民,噪音污染,,,已受理,一般,赵先生,13800000103\n"
    "12345-0104,2025-12-20 09:00,路面坑洼已修复,,住建局,2025-12-25,已办结,一般,钱先生,13800000104\n"
    "12345-0105,2026-01-02 09:00,,环境卫生,环卫所,,已受理,一般,孙先生,13800000105\n"
    "12345-0106,2026-01-04 09:00,工地混凝土车乱停,,市政集团,,已受理,一般,周先生,13800000106\n"
    "12345-0107,昨天上午,河道漂浮垃圾,环境卫生,环卫所,,已受理,一般,吴先生,13800000107\n"
    "12345-0109,2026-01-05 08:40,桥洞下有人被困,,,,已受理,特急,冯先生,13800000109\n"
    ",2026-01-05 08:00,菜市场门口污水横流,,环卫所,,已受理,一般,郑女士,13800000108\n"
    ",2026-01-05 08:00,菜市场门口污水横流,,环卫所,,已受理,一般,郑女士,13800000108\n"
)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    del config["plugins"]["complaints"]["departments"]
    config["org"] = {
        "district": {"name": "区政府", "chats": ["memory:区政府"]},
        "township": {"name": "管委会", "chats": ["memory:管委会"], "parent": "district"},
        "housing": {"name": "住建局", "chats": ["memory:住建局"], "parent": "township"},
        "sanitation": {
            "name": "环卫所",
            "aliases": ["环卫站", "区环卫所"],
            "chats": ["memory:环卫所"],
            "parent": "township",
        },
    }
    config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    return config


async def _post(bot: BotHarness, body: bytes, kind: str = "text/csv") -> tuple[int, Any]:
    url = f"http://127.0.0.1:{bot.app.web.port}/complaints/hotline"
    headers = {"Authorization": "Bearer s3cret", "Content-Type": kind}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        data = await r.json()
    await bot.app.settle()
    return r.status, data


async def _tickets(bot: BotHarness) -> list[Ticket]:
    async with bot.app.db.session() as s:
        return list((await s.scalars(select(Ticket).order_by(Ticket.id))).all())


def _texts(bot: BotHarness, chat: str) -> list[str]:
    return [s.text for s in bot.sent_to(chat)]


async def test_an_export_with_history_is_overdue_at_once(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for noisy in ("aiosqlite", "sqlalchemy"):  # as `qunzhu run` sets them (core/cli.py)
        caplog.set_level(logging.WARNING, logger=noisy)
    status, data = await _post(bot, EXPORT.encode("gbk"))
    assert status == 201
    assert [(f["at"], f["number"], f.get("reason")) for f in data["filed"]] == [
        ("第 2 行", "Q-2026-0001", None),
        ("第 3 行", "Q-2026-0002", None),
        ("第 4 行", "Q-2026-0003", "类别“噪音污染”无法识别，内容也未能判断类别"),
        ("第 5 行", "Q-2026-0004", None),
        ("第 7 行", "Q-2026-0005", "承办单位“市政集团”不在组织架构中"),
        ("第 9 行", "Q-2026-0006", "既无类别也无承办单位可派单"),
        ("第 10 行", "Q-2026-0007", None),
    ]
    assert data["duplicates"] == [
        {"at": "第 11 行", "line": 11, "id": None, "number": "Q-2026-0007"}
    ]
    assert [(r["at"], r["reason"]) for r in data["refused"]] == [
        ("第 6 行", "缺少诉求内容"),
        ("第 8 行", "受理时间“昨天上午”不是有效的时间"),
    ]

    # The unit that handles a record sees its card, with the caller for the call-back, its own
    # state (办理中) and the hotline's deadline; 环卫站 is an alias of 环卫所.
    card, fresh = _texts(bot, "环卫所")
    assert card == (
        "📋 Q-2026-0001 · 环境卫生\n状态：处理中 · 环卫所\n\n幸福小区垃圾堆放一周无人清运\n"
        "来源：12345 热线\n反映人：刘先生 13800000101\n接单时限 12-29 12:00 · 办结时限 01-02 18:00"
    )
    assert fresh.startswith("📋 Q-2026-0007 · 环境卫生\n状态：已派单 · 环卫所\n")
    [urgent] = _texts(bot, "住建局")  # the record closed at the source (已办结) gets no card
    assert urgent.startswith("📋 Q-2026-0002 · 其他 · ⚡ 紧急\n状态：已派单 · 住建局\n")
    assert urgent.endswith(
        "反映人：王女士 13800000102\n接单时限 01-05 10:00 · 办结时限 01-05 18:00"
    )

    # The supervision group: the unrouted cards (no phone), which unit has which overdue
    # record, at import, and why three records wait for routing.
    supervision = _texts(bot, "督查组")
    assert [t.split("\n")[0] for t in supervision[:3]] == [
        "📋 Q-2026-0003 · 其他",
        "📋 Q-2026-0005 · 工程质量",
        "📋 Q-2026-0006 · 其他 · ⚡ 紧急",
    ]
    assert "反映人：赵先生\n" in supervision[0]
    assert supervision[3:] == [  # one message per unit
        "⚠️ 超期：环卫所 1 件\n"
        "· Q-2026-0001（12345 工单 12345-0101） 已超期 1 天未办结：幸福小区垃圾堆放一周无人清运",
        "⚠️ 超期：未派单 2 件\n"
        "· Q-2026-0003（12345 工单 12345-0103） 已超期 2 天未接单：邻居装修噪音扰民\n"
        "· Q-2026-0005（12345 工单 12345-0106） 已超期 4 小时未接单：工地混凝土车乱停",
        "12345 热线导入：3 件待派单：\n"
        "Q-2026-0003: 类别“噪音污染”无法识别，内容也未能判断类别\n"
        "Q-2026-0005: 承办单位“市政集团”不在组织架构中\n"
        "Q-2026-0006: 既无类别也无承办单位可派单",
    ]
    tickets = {t.number: t for t in await _tickets(bot)}
    assert tickets["Q-2026-0004"].status == "resolved"
    assert tickets["Q-2026-0001"].status == "in_progress"

    # One hour later the urgent records are late, the unrouted one too; nothing is named twice.
    before = len(supervision)
    bot.clock.set(bot.clock.now() + timedelta(hours=1, minutes=9))
    await bot.advance(timedelta(minutes=1))
    assert [text.split("：")[:2] for text in _texts(bot, "督查组")[before:]] == [
        ["⚠️ 超期", "住建局 1 件\n· Q-2026-0002（12345 工单 12345-0102） 已超期 1 小时未接单"],
        ["⚠️ 超期", "未派单 1 件\n· Q-2026-0006（12345 工单 12345-0109） 已超期 1 小时未接单"],
    ]
    assert not any("138000" in text for text in _texts(bot, "督查组"))
    assert "138000" not in caplog.text and "刘先生" not in caplog.text


async def test_the_export_sent_to_the_bot_reports_each_line(bot: BotHarness) -> None:
    bot.adapter.files["12345.csv"] = EXPORT.encode("gbk")
    file = Attachment(AttachmentKind.FILE, "12345.csv", "text/csv", name="12345.csv")
    sent = await bot.feed(
        Message(bot.next_id(), bot.dm("wang"), bot.user("wang"), "/热线", (file,))
    )
    [done] = [s for s in sent if s.chat.chat_id == "dm:wang"]
    assert done.text == (
        "已导入 7 条热线工单：Q-2026-0001, Q-2026-0002, Q-2026-0003, Q-2026-0004, Q-2026-0005, "
        "Q-2026-0006, Q-2026-0007。此前已导入：1 条。\n"
        "未导入：2 条\n"
        "· 第 6 行：缺少诉求内容\n"
        "· 第 8 行：受理时间“昨天上午”不是有效的时间"
    )
