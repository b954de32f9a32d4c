"""An anonymous reporter stays anonymous from every seat (issue 14, item 9).

陈阿姨 reports privately and anonymously; the ticket is routed to 环卫所, acknowledged,
resolved, reopened by her, resolved again, confirmed and rated. Then each seat looks: the unit
in its group, the supervisor in the supervision group, an ordinary member of a village group,
the export (CSV and XLSX). None of them sees her name or her account; she sees her own
ticket; an admin sees who she was in a private chat only. No log line, at any level, carries
her name or her words.
"""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

import aiohttp
import openpyxl
import pytest

from qunzhu.core import UserRef
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent

from .conftest import CONFIG, only

CHEN = UserRef("memory", "chen", "陈阿姨", None)
TEXT = "水口茶文化景区好几个地方垃圾没人处理"
#: What would identify her: her name and her account.
IDENTITY = ("陈阿姨", "chen")


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    config["plugins"]["complaints"]["export"] = {
        "public_url": "http://127.0.0.1:0",
        "secret": "sign-me",
    }
    return config


async def _report(bot: BotHarness) -> None:
    await bot.send(TEXT, user=CHEN)
    await bot.send("", user=CHEN, photos=["p"])
    [kind_q] = await bot.send("水口茶文化景区停车场", user=CHEN)
    [name_q] = await bot.press(kind_q, "环境卫生", user=CHEN)
    [check] = await bot.press(name_q, "匿名", user=CHEN)
    await bot.press(check, "提交", user=CHEN)


async def _resolve(bot: BotHarness, card: Sent, note: str) -> Sent:
    await bot.press(card, "已解决", user="zhao")
    [photo_q] = await bot.send(note, user="zhao", chat="环卫所")
    sent = await bot.press(photo_q, "跳过", user="zhao")
    return only(sent, "dm:chen")


async def _story(bot: BotHarness) -> None:
    await _report(bot)
    [card] = bot.sent_to("环卫所")
    await bot.press(card, "接单", user="zhao")
    question = await _resolve(bot, card, "已安排清运")
    stars = only(await bot.press(question, "未解决", user=CHEN), "dm:chen")  # reopened by her
    await bot.press(stars, "★★", user=CHEN)
    await bot.press(card, "接单", user="zhao")
    question = await _resolve(bot, card, "已全部清理干净")
    [stars] = await bot.press(question, "已解决", user=CHEN)  # confirmed by her
    await bot.press(stars, "★★★★★", user=CHEN)


def _texts(sent: list[Sent]) -> list[str]:
    return [reply.text for s in sent for reply in (s.reply, *s.edits)]


def _no_identity(texts: list[str]) -> None:
    for text in texts:
        for mark in IDENTITY:
            assert mark not in text, text


async def _download(bot: BotHarness, fmt: str) -> bytes:
    [link] = await bot.send(f"/export_tickets {fmt}", user="admin")
    url = link.buttons[0].url.replace(":0/", f":{bot.app.web.port}/")
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        assert r.status == 200
        return await r.read()


async def test_an_anonymous_reporter_is_named_from_no_seat(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"):
        await _story(bot)

        # the unit, in its group: the card, every notice, the ticket and its timeline
        [view] = await bot.send("/ticket Q-2026-0001", user="zhao", chat="环卫所")
        timeline = view.text.split("办理记录：\n")[1].splitlines()
        assert [line.strip().split(" ", 2)[2] for line in timeline] == [
            "登记 · 反映人",
            "已接单 · 赵主任",
            "办结 · 赵主任 · 已安排清运",
            "重新打开 · 反映人 · 反映人表示：问题未解决",
            "评价 · 反映人 · 2",
            "已接单 · 赵主任",
            "办结 · 赵主任 · 已全部清理干净",
            "已确认解决 · 反映人",
            "评价 · 反映人 · 5",
        ]
        [card] = bot.sent_to("环卫所")[:1]
        assert "反映人：匿名" in card.text
        _no_identity(_texts(bot.sent_to("环卫所")))

        # the supervisor, in the supervision group
        await bot.send("/ticket Q-2026-0001", user="wang", chat="督查组")
        await bot.send("/tickets mine", user="wang", chat="督查组")
        _no_identity(_texts(bot.sent_to("督查组")))

        # an ordinary member of a village group
        sent = await bot.send("/ticket Q-2026-0001", user="cun", chat="村民群")
        sent += await bot.send("/tickets", user="cun", chat="村民群")
        assert _texts(sent) == ["只有反映人和工作人员可以查看 Q-2026-0001。", "没有工单。"]

        # the export, as CSV and XLSX
        table = list(csv.reader(io.StringIO((await _download(bot, "csv")).decode("utf-8-sig"))))
        header = table[0]
        row = dict(zip(header, table[1], strict=True))
        assert (row["来源"], row["来源群"], row["反映人"], row["电话"]) == (
            "私信反映",
            "",
            "匿名",
            "",
        )
        _no_identity([",".join(r) for r in table])
        sheet = openpyxl.load_workbook(io.BytesIO(await _download(bot, "xlsx"))).active
        assert sheet is not None
        cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
        assert "匿名" in cells
        _no_identity(cells)

    # every group and every private chat but hers and the admin's
    _no_identity(_texts([s for s in bot.sent if s.chat.chat_id not in ("dm:chen", "dm:admin")]))
    # she sees her own ticket; no actor is named to her
    [own] = await bot.send("/ticket Q-2026-0001", user=CHEN)
    assert own.text.startswith("Q-2026-0001 · 环境卫生")
    # the logs, at every level: neither her name nor her words
    for record in caplog.records:
        message = record.getMessage()
        assert "陈阿姨" not in message
        assert TEXT not in message


async def test_an_admin_sees_who_it_was_in_private_only(bot: BotHarness) -> None:
    await _story(bot)
    [private] = await bot.send("/ticket Q-2026-0001", user="admin")
    assert "已确认解决 · 陈阿姨" in private.text
    [in_group] = await bot.send("/ticket Q-2026-0001", user="admin", chat="环卫所")
    assert "已确认解决 · 反映人" in in_group.text
    assert "陈阿姨" not in in_group.text


async def test_a_callers_phone_goes_only_to_the_unit_that_handles_it(bot: BotHarness) -> None:
    record = {"content": "村口桥栏杆松动，有安全隐患", "name": "王女士", "phone": "13800000001"}
    url = f"http://127.0.0.1:{bot.app.web.port}/complaints/hotline"
    headers = {"Authorization": "Bearer s3cret"}
    async with aiohttp.ClientSession() as http, http.post(url, json=record, headers=headers) as r:
        assert r.status == 201
    await bot.app.settle()
    # waiting to be routed: the whole supervision group sees the card (and why it waits)
    [card] = [m for m in bot.sent_to("督查组") if "反映人" in m.text]
    assert "反映人：王女士\n" in card.text
    [which] = await bot.press(card, "派单", user="wang")
    await bot.press(which, "住建局", user="wang")
    sent = await bot.send("桥梁归住建局管", user="wang", chat="督查组")
    assert "反映人：王女士 13800000001\n" in only(sent, "住建局").text  # for the call-back
    assert all("13800000001" not in t for t in _texts(bot.sent_to("督查组")))
