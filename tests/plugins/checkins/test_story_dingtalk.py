"""Stories 2.1-2.3 over DingTalk's Stream mode (the adapter against the emulator, issue 18),
where a group delivers only messages that @-mention the robot: the Friday prompt as an
interactive card, reports by @群助手 with #周报, one in private from the card's button, the
reminder naming who has not reported (an active message: DingTalk's group send API cannot
@-notify), and the summary."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from qunzhu.plugins import checkins
from tests.adapters.dingtalk.dingtalkapp import DingtalkApp
from tests.adapters.dingtalk.emulator import DingtalkEmulator, Group, Person, Sent
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY = {"schedule": "FREQ=WEEKLY;BYDAY=FR", "opens": "09:00", "closes": "18:00"}


async def test_the_friday_check_in_on_dingtalk(tmp_path: Path) -> None:
    clock = WallClock(datetime(2026, 1, 9, 8, 59, 59, 500_000, tzinfo=SHANGHAI))  # a Friday
    async with DingtalkEmulator() as emu:
        cast = {
            "王副部长": emu.person("wangjg", "王建国"), "福州市长": emu.person("linxd", "林晓东"),
            "厦门市长": emu.person("chenh", "陈海"), "泉州市长": emu.person("huangzq", "黄志强"),
            "漳州市长": emu.person("wul", "吴磊"), "南平市长": emu.person("zhengh", "郑华"),
        }  # fmt: skip
        wang, fuzhou, xiamen, _quanzhou, zhangzhou, _nanping = cast.values()
        water = emu.group("cidWater==", "饮用水水源保护工作群", *cast.values())
        mayors = ["福州市长", "厦门市长", "泉州市长", "漳州市长", "南平市长"]
        config = {
            "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
            "calendar": {"preset": "cn"},
            "people": [
                {"name": n, "identities": [f"dingtalk:{p.userid}"]} for n, p in cast.items()
            ],
            "plugins": {"checkins": {"campaigns": [
                {"name": "水源保护周报", "group": "dingtalk:cidWater==", **WEEKLY,
                 "owners": ["王副部长"], "participants": mayors},
            ]}},
        }  # fmt: skip
        bot = DingtalkApp(tmp_path, emu, [("checkins", checkins)], config=config, clock=clock)
        app = (await bot.start()).running
        try:
            # 2.1 Friday 09:00: the prompt, an interactive card sent to the group
            [prompt] = await emu.wait_sent(water, 1)
            assert prompt.kind == "card" and prompt.answers is None
            assert prompt.card_text.startswith(
                "📋 水源保护周报：请于 1月9日（周五） 18:00 前汇报。"
            )
            assert prompt.labels == ["✍️ 私聊填写"]

            # 2.2 福州 and 厦门 @-mention the robot with #周报
            report = await emu.say(fuzhou, "#周报 本周进展：完成3处巡查", group=water)
            receipt = await _until(emu, water, "✅ 已收到 福州市长 的汇报（1/5）。")
            assert report is not None
            # the receipt carries the owners' 👍 button: a card (a session webhook carries none)
            assert receipt.kind == "card" and len(receipt.labels) == 1
            await emu.say(xiamen, "#周报 本周完成取水口围网", group=water)
            await _until(emu, water, "✅ 已收到 厦门市长 的汇报（2/5）。")
            # a message without the mention never reaches the robot: not a report
            assert await emu.say(wang, "大家抓紧", group=water, mention=False) is None

            # 漳州 presses the card's button: the questions one by one in private
            await emu.click(zhangzhou, prompt, "私聊填写")
            for question, answer in (("1/3", "水质达标"), ("2/3", "无"), ("3/3", "继续巡河")):
                await _until(emu, zhangzhou, question)
                await emu.say(zhangzhou, answer)
            asked = await _until(emu, zhangzhou, "如有现场照片或视频请发送")
            assert asked.kind == "card"
            await emu.click(zhangzhou, asked, "跳过")
            await _until(emu, water, "✅ 已收到 漳州市长 的汇报（3/5）。")

            # 2.3 16:12: the reminder names who has not reported; an active group message cannot
            # @-mention with a notification on DingTalk, so they are named as people know them
            clock.move_to(app, datetime(2026, 1, 9, 16, 12, tzinfo=SHANGHAI))
            reminder = await _until(emu, water, "⏰ 水源保护周报 将于")
            assert reminder.text.endswith("尚未汇报：@泉州市长 @南平市长")
            assert reminder.answers is None and "huangzq" not in reminder.text

            # 18:00: the summary
            clock.move_to(app, datetime(2026, 1, 9, 18, 0, tzinfo=SHANGHAI))
            summary = await _until(emu, water, "📊 水源保护周报")
            lines = (summary.card_text if summary.kind == "card" else summary.text).splitlines()
            assert "参与率：60%（应报 5 人，已报 3 人）" in lines
            assert "1. 福州市长：本周进展：完成3处巡查" in lines
            assert "2. 厦门市长：本周完成取水口围网" in lines
            assert "❌ 未汇报：泉州市长、南平市长" in lines
        finally:
            await bot.stop()


async def _until(emu: DingtalkEmulator, chat: Person | Group, start: str) -> Sent:
    """The first message (or card) in `chat` whose text starts with `start`, waiting for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5.0
    while loop.time() < deadline:
        for sent in emu.in_chat(chat):
            text = sent.card_text if sent.kind == "card" else sent.text
            if text.startswith(start):
                return sent
        await asyncio.sleep(0.02)
    got = [(s.kind, s.text, s.card_text) for s in emu.in_chat(chat)]
    msg = f"no message starting {start!r} in {got}"
    raise AssertionError(msg)
