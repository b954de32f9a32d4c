"""Stories 2.1-2.3 over WeCom's long connection (the adapter against the emulator, issue 18),
where a group delivers only messages that @-mention the bot: the Friday prompt with its card,
a report by @群助手 quoting the prompt, one by @群助手 with #周报, one in private from the card's
button, the reminder mentioning (``<@userid>``) who has not reported, and the summary."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from qunzhu.plugins import checkins
from tests.adapters.wecom.emulator import Group, Person, WecomEmulator
from tests.adapters.wecom.wecomapp import WecomApp
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY = {"schedule": "FREQ=WEEKLY;BYDAY=FR", "opens": "09:00", "closes": "18:00"}


async def test_the_friday_check_in_on_wecom(tmp_path: Path) -> None:
    clock = WallClock(datetime(2026, 1, 9, 8, 59, 59, 500_000, tzinfo=SHANGHAI))  # a Friday
    async with WecomEmulator() as emu:
        cast = {
            "王副部长": emu.person("wangjg", "王建国"), "福州市长": emu.person("linxd", "林晓东"),
            "厦门市长": emu.person("chenh", "陈海"), "泉州市长": emu.person("huangzq", "黄志强"),
            "漳州市长": emu.person("wul", "吴磊"), "南平市长": emu.person("zhengh", "郑华"),
        }  # fmt: skip
        wang, fuzhou, xiamen, _quanzhou, zhangzhou, _nanping = cast.values()
        water = emu.group("wrkWater", "饮用水水源保护工作群", *cast.values())
        mayors = ["福州市长", "厦门市长", "泉州市长", "漳州市长", "南平市长"]
        config = {
            "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
            "calendar": {"preset": "cn"},
            "people": [{"name": n, "identities": [f"wecom:{p.userid}"]} for n, p in cast.items()],
            "plugins": {"checkins": {"campaigns": [
                {"name": "水源保护周报", "group": "wecom:wrkWater", **WEEKLY,
                 "owners": ["王副部长"], "participants": mayors},
            ]}},
        }  # fmt: skip
        bot = WecomApp(tmp_path, emu, [("checkins", checkins)], config=config, clock=clock)
        app = (await bot.start()).running
        try:
            # 2.1 Friday 09:00: the prompt (an active message) and its card
            [prompt, prompt_card] = await emu.wait_sent(water, 2)
            assert prompt.kind == "markdown" and prompt.answers is None
            assert prompt.text.startswith("📋 水源保护周报：请于 1月9日（周五） 18:00 前汇报。")
            assert prompt_card.labels == ["✍️ 私聊填写"]

            # 2.2 福州 @-mentions the bot, quoting the prompt: a reply to it
            report = await emu.say(fuzhou, "本周进展：完成3处巡查", group=water, quote=prompt.text)
            sent = await emu.wait_sent(water, 3)
            assert sent[2].text.startswith("✅ 已收到 福州市长 的汇报（1/5）。")
            assert report is not None and sent[2].answers == report["body"]["msgid"]
            # 厦门 @-mentions the bot with #周报
            await emu.say(xiamen, "#周报 本周完成取水口围网", group=water)
            sent = await emu.wait_sent(water, 5)  # the receipt and its 👍 card
            assert any(s.text.startswith("✅ 已收到 厦门市长 的汇报（2/5）。") for s in sent[3:])
            # a message without the mention never reaches the bot: not a report
            assert await emu.say(wang, "大家抓紧", group=water, mention=False) is None

            # 漳州 presses the card's button: the questions one by one in private
            await emu.click(zhangzhou, prompt_card, "私聊填写")
            for question, answer in (("1/3", "水质达标"), ("2/3", "无"), ("3/3", "继续巡河")):
                await _until(emu, zhangzhou, question)
                await emu.say(zhangzhou, answer)
            asked = await _until(emu, zhangzhou, "如有现场照片或视频请发送", card=True)
            await emu.click(zhangzhou, asked, "跳过")
            await _until(emu, water, "✅ 已收到 漳州市长 的汇报（3/5）。")

            # 2.3 16:12: the reminder mentions who has not reported, by WeCom user id
            clock.move_to(app, datetime(2026, 1, 9, 16, 12, tzinfo=SHANGHAI))
            reminder = await _until(emu, water, "⏰ 水源保护周报 将于")
            assert "<@huangzq>" in reminder and "<@zhengh>" in reminder
            assert "<@linxd>" not in reminder

            # 18:00: the summary
            clock.move_to(app, datetime(2026, 1, 9, 18, 0, tzinfo=SHANGHAI))
            summary = await _until(emu, water, "📊 水源保护周报")
            lines = summary.splitlines()
            assert "参与率：60%（应报 5 人，已报 3 人）" in lines
            assert "1. 福州市长：本周进展：完成3处巡查" in lines
            assert "2. 厦门市长：本周完成取水口围网" in lines
            assert "❌ 未汇报：泉州市长、南平市长" in lines
        finally:
            await bot.stop()


async def _until(
    emu: WecomEmulator, chat: Person | Group, start: str, *, card: bool = False
) -> Any:
    """The text of the first message in `chat` that starts with `start` (with `card`: the card),
    waiting for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5.0
    while loop.time() < deadline:
        for sent in emu.in_chat(chat):
            if sent.text.startswith(start) and (sent.kind == "template_card") == card:
                return sent if card else sent.text
        await asyncio.sleep(0.02)
    got = [(s.kind, s.text) for s in emu.in_chat(chat)]
    msg = f"no message starting {start!r} in {got}"
    raise AssertionError(msg)
