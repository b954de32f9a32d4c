"""Story 1.8: the morning digest for supervisors, and the admins' export as CSV or XLSX."""

from __future__ import annotations

import copy
import csv
import io
from datetime import timedelta
from typing import Any

import aiohttp
import openpyxl
import pytest

from qunzhu.core.testing import BotHarness

from .conftest import CONFIG, jump


async def _two_tickets(bot: BotHarness) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="jian", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")
    [offer] = await bot.send("广场垃圾没人处理", user="cun", chat="村民群", photos=["q"])
    await bot.press(offer, 1, user="cun")


async def test_morning_digest_by_department_and_category(bot: BotHarness) -> None:
    await _two_tickets(bot)  # Monday 09:00
    await jump(bot, timedelta(hours=23))  # Tuesday 08:00
    [digest] = bot.sent_to("dm:wang")
    assert digest.text.splitlines() == [
        "📊 问题日报 2026-01-06",
        "新登记：2 件",
        "  · 住建局 / 工程质量：1",
        "  · 环卫所 / 环境卫生：1",
        "超期：2 件",  # neither was acknowledged in time
        "  · 住建局 / 工程质量：1",
        "  · 环卫所 / 环境卫生：1",
        "重新打开：0 件",
        "需要关注：",  # the most overdue first: 环卫所 had 2 working hours, 住建局 4
        "  · Q-2026-0002 环卫所 · 村民群 · 已超期 6 小时：广场垃圾没人处理",
        "  · Q-2026-0001 住建局 · 工地 · 已超期 4 小时：三标段混凝土没按规范养护",
    ]
    await jump(bot, timedelta(days=4))  # Saturday 08:00: no digest on a day off
    assert len(bot.sent_to("dm:wang")) == 1
    await jump(bot, timedelta(days=2))  # Monday
    assert bot.sent_to("dm:wang")[-1].text.startswith("📊 问题日报 2026-01-12")


async def test_export_without_the_web_server_says_how(bot: BotHarness) -> None:
    [refused] = await bot.send("/export_tickets", user="cun")  # supervisors and units may
    assert refused.text == "只有督查人员、管理员和承办部门可以导出工单。"
    [answer] = await bot.send("/导出工单 csv", user="admin")
    assert answer.text.startswith("我无法在聊天中发送文件。")
    assert "qunzhu complaints export --format csv" in answer.text


class TestExportLinks:
    @pytest.fixture
    def bot_config(self) -> dict[str, Any]:
        config = copy.deepcopy(CONFIG)
        config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
        config["plugins"]["complaints"]["export"] = {
            "public_url": "http://127.0.0.1:0",
            "secret": "sign-me",
        }
        return config

    async def _download(self, bot: BotHarness, fmt: str) -> tuple[int, bytes]:
        [answer] = await bot.send(f"/export_tickets {fmt}", user="admin")
        assert answer.text == f"全部工单（{fmt.upper()}）：链接 60 分钟内有效。"
        url = answer.buttons[0].url.replace(":0/", f":{bot.app.web.port}/")
        async with aiohttp.ClientSession() as http, http.get(url) as r:
            return r.status, await r.read()

    async def test_xlsx_and_csv(self, bot: BotHarness) -> None:
        await _two_tickets(bot)
        status, body = await self._download(bot, "xlsx")
        assert status == 200
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:4] == ("编号", "状态", "类别", "承办部门")
        assert rows[1][:4] == ("Q-2026-0001", "已派单", "工程质量", "住建局")
        assert len(rows) == 3
        status, body = await self._download(bot, "csv")
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert table[2][:4] == ["Q-2026-0002", "已派单", "环境卫生", "环卫所"]

    async def test_a_tampered_or_expired_link_is_refused(self, bot: BotHarness) -> None:
        [answer] = await bot.send("/export_tickets", user="admin")
        url = answer.buttons[0].url.replace(":0/", f":{bot.app.web.port}/")
        async with aiohttp.ClientSession() as http:
            async with http.get(url.replace("format=xlsx", "format=csv")) as r:
                assert r.status == 403
            await jump(bot, timedelta(hours=2))
            async with http.get(url) as r:
                assert r.status == 403


async def test_monday_digest_covers_the_weekend_reopened_and_waiting_tickets(
    bot: BotHarness,
) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="jian", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")  # Monday 09:00
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    await bot.press(card, "已解决", user="lina")
    [photo_q] = await bot.send("已督促返工", user="lina", chat="住建局")
    sent = await bot.press(photo_q, "跳过", user="lina")
    [question] = [s for s in sent if s.chat.chat_id == "工地"]
    await bot.press(question, "未解决", user="jian")  # reopened, to acknowledge again by 14:30

    await jump(bot, timedelta(hours=23))  # Tuesday 08:00
    assert bot.sent_to("dm:wang")[-1].text.splitlines() == [
        "📊 问题日报 2026-01-06",
        "新登记：1 件",
        "  · 住建局 / 工程质量：1",
        "超期：1 件",
        "  · 住建局 / 工程质量：1",
        "重新打开：1 件",
        "  · 住建局 / 工程质量：1",
        "需要关注：",
        "  · Q-2026-0001 住建局 · 工地 · 重新打开：三标段混凝土没按规范养护",
    ]
    await jump(bot, timedelta(days=3, hours=2))  # Friday 10:00
    await bot.send("/ticket 村口桥栏杆松动，有安全隐患", user="wang", chat="村民群")
    await jump(bot, timedelta(days=1))  # Saturday: no digest, but reports come in
    await bot.send("/ticket 村口路灯不亮", user="wang", chat="村民群")
    await jump(bot, timedelta(days=1, hours=22))  # Monday 08:00
    assert bot.sent_to("dm:wang")[-1].text.splitlines() == [
        "📊 问题日报 2026-01-12",
        "新登记：2 件",  # since Friday's digest, not only since Sunday morning
        "  · 未派单 / 其他：2",
        "超期：1 件",
        "  · 住建局 / 工程质量：1",
        "重新打开：0 件",
        "待派单：2 件",
        "需要关注：",
        "  · Q-2026-0001 住建局 · 工地 · 已超期 4 天：三标段混凝土没按规范养护",  # not acknowledged
    ]
