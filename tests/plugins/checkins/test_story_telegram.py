"""Stories 2.1-2.4 and 2.7 over Telegram's real wire (aiogram against the Bot API emulator, the
real App and plugin, Telegram's privacy mode on): the Friday prompt, reports by reply (a photo
whose caption is edited later) and by #周报, the private dialog from the prompt's button (and what
someone who never started the bot is told), the owners' 👍 by button and by reaction, the
reminder mentioning who has not reported, the summary and the chart as an uploaded photo; in a
second group where the bot is no administrator, the quiet receipt (a 👌 reaction) and the #周报
message the bot does not see."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.plugins import checkins
from tests.adapters.telegram.conftest import jpeg
from tests.adapters.telegram.tgapp import TOKEN, Watch, labels, plugin_app, press
from tests.support.eventually import eventually
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLOOD = "2026年汛期防汛抗旱及地质灾害防治工作周报"  # a long name, as offices write them
WEEKLY = {"schedule": "FREQ=WEEKLY;BYDAY=FR", "opens": "09:00", "closes": "18:00"}


def _links(message: dict[str, Any]) -> list[tuple[str, int]]:
    """The people a message links (text mentions): (the linked text, their user id)."""
    text = message.get("text") or message.get("caption") or ""
    utf16 = text.encode("utf-16-le")
    return [
        (
            utf16[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"),
            e["user"]["id"],
        )
        for e in message.get("entities", [])
        if e["type"] == "text_mention"
    ]


async def test_the_friday_check_in_on_telegram(tmp_path: Path) -> None:
    clock = WallClock(datetime(2026, 1, 9, 8, 59, 59, 500_000, tzinfo=SHANGHAI))  # a Friday
    tg = TelegramEmulator(
        TOKEN, limits=Limits(scale=1000), privacy_mode=True, now=lambda: clock.now().timestamp()
    )
    await tg.start()
    # people use their own names on Telegram; the bot knows them by their office (people:)
    cast = {
        "王副部长": tg.user("王建国"), "赵副省长": tg.user("赵明"), "福州市长": tg.user("林晓东"),
        "厦门市长": tg.user("陈海"), "泉州市长": tg.user("黄志强"), "漳州市长": tg.user("吴磊"),
        "南平市长": tg.user("郑华"), "福清市长": tg.user("许文"),
    }  # fmt: skip
    wang, zhao, fuzhou, xiamen, quanzhou, zhangzhou, nanping, fuqing = cast.values()
    water = tg.group("饮用水水源保护工作群", members=list(cast.values()), bot_admin=True)
    flood = tg.group("防汛工作群", members=[wang, xiamen, fuqing])  # the bot is no admin here
    mayors = ["福州市长", "厦门市长", "泉州市长", "漳州市长", "南平市长"]
    config = {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "calendar": {"preset": "cn"},
        "people": [{"name": n, "identities": [f"telegram:{u.id}"]} for n, u in cast.items()],
        "plugins": {"checkins": {"campaigns": [
            {"name": "水源保护周报", "group": f"telegram:{water.id}", **WEEKLY,
             "owners": ["王副部长", "赵副省长"], "participants": mayors},
            {"name": FLOOD, "group": f"telegram:{flood.id}", **WEEKLY, "receipts": False,
             "owners": ["王副部长"], "participants": ["厦门市长", "福清市长"]},
        ]}},
    }  # fmt: skip
    app = await plugin_app(tmp_path, tg, [("checkins", checkins)], config, clock=clock)
    seen = Watch(tg)
    try:
        # 2.1 Friday 09:00: the prompt, with the questions and the private button
        [prompt] = await seen.new(water)
        assert prompt["text"].splitlines() == [
            "📋 水源保护周报：请于 1月9日（周五） 18:00 前汇报。",
            "1. 本周进展",
            "2. 存在问题",
            "3. 下周计划",
            "请回复本消息、发送带 #周报 的消息，或点下方按钮私聊填写；可附照片或视频。",
        ]
        assert labels(prompt) == [["✍️ 私聊填写"]]
        [flood_prompt] = await seen.new(flood)

        # 2.2 福州 replies to the prompt with a photo (a reply reaches a bot in privacy mode)
        report = tg.send_photo(
            fuzhou, water, jpeg(1600, 1200), caption="本周进展：完成3处巡查", reply_to=prompt
        )
        [receipt] = await seen.new(water)
        assert receipt["text"] == "✅ 已收到 福州市长 的汇报（1/5）。"
        assert receipt["reply_to_message"]["message_id"] == report["message_id"]
        assert labels(receipt) == [["👍 已阅"]]
        # 厦门 tags a message #周报 (seen because the bot is an administrator here)
        tagged = tg.say(xiamen, water, "#周报 本周完成取水口围网")
        [tagged_receipt] = await seen.new(water)
        assert tagged_receipt["text"] == "✅ 已收到 厦门市长 的汇报（2/5）。"

        # 泉州 never started the bot: the button cannot open a private chat; told under the prompt
        press(tg, quanzhou, prompt, "私聊填写")
        [note] = await seen.new(water)
        assert note["text"] == (
            "泉州市长，我还不能私聊您：请先打开 @qunzhu_bot 并点“开始”，再点一次“✍️ 私聊填写”；"
            "也可以直接回复本消息汇报。"
        )
        assert _links(note) == [("泉州市长", quanzhou.id)]
        # 漳州 has started it: the questions one by one in private, posted in the group in full
        private = tg.private(zhangzhou)
        tg.say(zhangzhou, private, "/start")
        await seen.new(private)
        press(tg, zhangzhou, prompt, "私聊填写")
        for answer in ("水质达标", "无", "继续巡河"):
            await seen.new(private)
            tg.say(zhangzhou, private, answer)
        [photos] = await seen.new(private)
        press(tg, zhangzhou, photos, "跳过")
        [full] = await seen.new(water)
        assert full["text"].splitlines() == [
            "✅ 已收到 漳州市长 的汇报（3/5）。", "", "本周进展：水质达标", "存在问题：无",
            "下周计划：继续巡河",
        ]  # fmt: skip
        [thanks] = await seen.new(private)
        assert thanks["text"].startswith("谢谢，您的「水源保护周报」汇报已收到。")

        # 福州 corrects the caption before the close (edited_message): the report takes it
        tg.edit(fuzhou, report, "本周进展：完成4处巡查")
        updated = await eventually(lambda: _edited(tg, water, receipt))
        assert updated["text"] == "✅ 福州市长 的汇报已更新。"

        # 2.4 the owners acknowledge: 王 with the button (a callback query, answered) ...
        query = press(tg, wang, updated, "已阅")
        acked = await eventually(lambda: _edited(tg, water, receipt, count=2))
        assert acked["text"] == "✅ 已收到 福州市长 的汇报。\n👍 王副部长 已阅"
        # ... 赵 with a 👍 reaction on 厦门's message (message_reaction: the bot is an admin)
        tg.react(zhao, tagged, "👍")
        acked = await eventually(lambda: _edited(tg, water, tagged_receipt))
        assert acked["text"] == "✅ 已收到 厦门市长 的汇报。\n👍 赵副省长 已阅"
        tg.react(zhao, tagged, None)  # taken back, then given again
        taken = await eventually(lambda: _edited(tg, water, tagged_receipt, count=2))
        assert taken["text"] == "✅ 已收到 厦门市长 的汇报。"
        tg.react(zhao, tagged, "👍")
        acked = await eventually(lambda: _edited(tg, water, tagged_receipt, count=3))
        assert acked["text"].endswith("👍 赵副省长 已阅")
        # a mayor's press changes nothing
        press(tg, fuzhou, acked, "已阅")
        [refused] = await seen.new(water)
        assert refused["text"] == "只有「水源保护周报」的负责人可以确认汇报。"

        # in 防汛工作群 (receipts: false) a reply gets a 👌 reaction (setMessageReaction), no text
        reply = tg.reply(fuqing, flood, to=flood_prompt, text="本周完成堤防巡查")
        await eventually(lambda: tg.bot_reactions(flood) == {reply["message_id"]: ["👌"]})
        # privacy mode, and the bot is no admin there: Telegram does not send it a #周报 message
        # (the summary below lists 厦门 as not reported; docs/checkins.md says to make it admin)
        tg.say(xiamen, flood, "#周报 本周加固两处堤坝")

        # 2.3 16:12: the reminder mentions who has not reported, linked by the names the bot
        # knows them by (南平 never wrote in the group: no raw user id appended)
        clock.move_to(app, datetime(2026, 1, 9, 16, 12, tzinfo=SHANGHAI))
        [reminder] = await seen.new(water)
        assert reminder["text"] == (
            "⏰ 水源保护周报 将于 1月9日（周五） 18:00 截止。尚未汇报：@泉州市长 @南平市长"
        )
        assert _links(reminder) == [("@泉州市长", quanzhou.id), ("@南平市长", nanping.id)]
        [flood_reminder] = await seen.new(flood)
        assert _links(flood_reminder) == [("@厦门市长", xiamen.id)]

        # 18:00: the summary
        clock.move_to(app, datetime(2026, 1, 9, 18, 0, tzinfo=SHANGHAI))
        [summary] = await seen.new(water)
        assert summary["text"].splitlines() == [
            "📊 水源保护周报 · 1月9日（周五） 汇报小结",
            "参与率：60%（应报 5 人，已报 3 人）",
            "已汇报：",
            "1. 福州市长：本周进展：完成4处巡查 👍",
            "2. 厦门市长：本周完成取水口围网 👍",
            "3. 漳州市长：本周进展：水质达标",
            "❌ 未汇报：泉州市长、南平市长",
            "👍 负责人已阅：2/3 份",
        ]
        [flood_summary] = await seen.new(flood)
        assert "1. 福清市长：本周完成堤防巡查" in flood_summary["text"].splitlines()
        assert "❌ 未汇报：厦门市长" in flood_summary["text"].splitlines()

        # 2.7 the participation chart: a picture, uploaded as a photo
        tg.say(wang, water, "/汇报情况 图表")
        [chart] = await seen.new(water, timeout=15)
        assert chart["caption"].startswith("📊 水源保护周报")
        assert max(p["width"] for p in chart["photo"]) > 300

        # the history in 防汛工作群, and its chart from the button (callback data has 64 bytes:
        # the long name does not fit in it)
        tg.say(wang, flood, "/汇报情况")
        [history] = await seen.new(flood)
        assert history["text"].startswith(f"📅 {FLOOD}：最近 1 次汇报")
        press(tg, wang, history, "参与图")
        [flood_chart] = await seen.new(flood, timeout=15)
        assert flood_chart["caption"].startswith(f"📊 {FLOOD}")

        await app.settle()
        assert app.adapters["telegram"].uploads.uploaded == 2  # type: ignore[attr-defined]
        assert tg.callback_answer(query) is not None
        assert tg.unanswered_callbacks() == []
        assert seen.unseen(water) == [] and seen.unseen(flood) == []
        assert tg.violations == []
    finally:
        await app.stop()
        await tg.stop()


def _edited(
    tg: TelegramEmulator, chat: Any, message: dict[str, Any], count: int = 1
) -> dict[str, Any] | None:
    """The bot's `message` as it reads now, once it has been edited `count` times."""
    now = next(m for m in tg.sent(chat) if m["message_id"] == message["message_id"])
    return now if now["edit_count"] >= count else None
