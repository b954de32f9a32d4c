"""Story 1.9 over Telegram's real wire (aiogram against the Bot API emulator): problems posted in
two village groups; the district secretary's /问题台 in private as a message with an inline
keyboard; 超期 edits it in place; an item's number routes it (a unit by button, the deadline
and the instruction typed) and the bureau's group receives the card with his 批示."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.plugins.complaints import hooks
from tests.adapters.telegram.tgapp import TOKEN, Watch, labels, plugin_app, press
from tests.support.eventually import eventually
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_the_desk_on_telegram(tmp_path: Path) -> None:
    clock = WallClock(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI))  # a Friday morning
    tg = TelegramEmulator(TOKEN, limits=Limits(scale=1000), now=lambda: clock.now().timestamp())
    await tg.start()
    li, m3, m7 = tg.user("李明"), tg.user("村民甲"), tg.user("村民乙")
    v3 = tg.group("村03群", members=[li, m3], bot_admin=True)
    v7 = tg.group("村07群", members=[li, m7], bot_admin=True)
    bureau = tg.group("住建局工作群", members=[li], bot_admin=True)
    config = {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "people": [{"name": "李书记", "identities": [f"telegram:{li.id}"]}],
        "org": {
            "district": {"name": "区委", "head": "李书记"},
            "housing": {"name": "住建局", "parent": "district",
                        "chats": [f"telegram:{bureau.id}"]},
            "v03": {"name": "村03村委", "parent": "district", "chats": [f"telegram:{v3.id}"]},
            "v07": {"name": "村07村委", "parent": "district", "chats": [f"telegram:{v7.id}"]},
        },
        "plugins": {"complaints": {
            "detect": True,
            "categories": {
                "construction": {"name": "工程质量", "keywords": ["混凝土"],
                                 "department": "housing"},
                "sanitation": {"name": "环境卫生", "keywords": ["垃圾"]},
            },
        }},
    }  # fmt: skip
    app = await plugin_app(tmp_path, tg, [("complaints", hooks)], config, clock=clock)
    seen = Watch(tg)
    try:
        tg.say(m3, v3, "村口垃圾堆了一个星期没人管")
        tg.say(m7, v7, "新修的路混凝土没按规范养护，偷工减料")
        await seen.new(v3)
        await seen.new(v7)
        private = tg.private(li)
        tg.say(li, private, "/start")
        await seen.new(private)  # what the bot can do
        tg.say(li, private, "/问题台")
        [desk] = await seen.new(private)
        lines = desk["text"].splitlines()
        assert lines[0].startswith("📋 问题台 · 全部：共 2 件")
        assert lines[2].endswith("· 村03群 · 刚刚")
        assert lines[4].endswith("· 村07群 · 刚刚")
        assert labels(desk) == [["1", "2"], ["✓ 全部", "超期", "未受理"], ["本周", "按单位"]]

        press(tg, li, desk, "超期")  # edited in place: nothing overdue yet
        edited = await eventually(
            lambda: "超期：共 0 件" in (m := tg.message(private, desk["message_id"]))["text"] and m
        )
        assert labels(edited)[0] == ["全部", "✓ 超期", "未受理"]

        press(tg, li, edited, "全部")
        back = await eventually(
            lambda: "全部：共 2 件" in (m := tg.message(private, desk["message_id"]))["text"] and m
        )
        press(tg, li, back, "2")  # 村07: never filed
        [question] = await seen.new(private)
        assert question["text"].endswith("交给哪个单位办理？请点选，或直接写单位名称。")
        assert labels(question)[0][0] == "村07村委"  # the unit of its group first
        press(tg, li, question, "住建局")
        [by_when] = await seen.new(private)
        assert by_when["text"].startswith("住建局须在什么时候前办结？")
        tg.say(li, private, "下周二下午5点前")
        [what] = await seen.new(private)
        assert what["text"] == "请写一句给住建局的批示；不写请点“跳过”。"
        tg.say(li, private, "请立即组织复查")
        [done] = await seen.new(private)
        assert done["text"] == "Q-2026-0001 已交住建局办理，限 11月24日（周二） 17:00 前办结。\n" \
            "您的批示：请立即组织复查"  # fmt: skip
        [card] = await seen.new(bureau)
        final = await eventually(
            lambda: "批示" in (m := tg.message(bureau, card["message_id"]))["text"] and m
        )
        assert "📌 李书记批示：请立即组织复查（限 11月24日（周二） 17:00 前办结）" in final["text"]
        assert "来源：村07群（群消息）" in final["text"]
    finally:
        await app.stop()
        await tg.stop()
