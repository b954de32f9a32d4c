"""Issue 14 over Telegram's real wire: a resident forwards 陈阿姨's message (from a chat the bot
is not in) into the village group; the offer under it files it as hers. The secretary who
presses 登记为问题 before he ever wrote to the bot is told, in the group, to start the private
chat; then he is asked there, and chooses anonymity. The unit's card shows neither her name
nor anything of her account, and the group never sees the question."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.core.testing import start_app
from qunzhu.plugins.complaints import hooks
from qunzhu.plugins.complaints.models import Ticket
from tests.support.eventually import eventually

TOKEN = "123456:TEST"
PROBLEM = "农家乐门口的垃圾堆了好几天没人处理"


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(TOKEN, bot_username="qunzhu_bot", limits=Limits(scale=1000))
    async with emulator:
        yield emulator


def _press(tg: TelegramEmulator, user: Any, message: dict[str, Any], label: str) -> None:
    [data] = [
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == label
    ]
    tg.press(user, message, data)


async def test_a_message_forwarded_into_a_group_is_filed_as_its_writers(
    tmp_path: Path, tg: TelegramEmulator
) -> None:
    chen, liu, secretary, clerk = (
        tg.user("陈阿姨"), tg.user("老刘"), tg.user("王书记"), tg.user("赵主任")
    )  # fmt: skip
    elsewhere = tg.group("邻里群", members=[chen, liu], with_bot=False)
    village = tg.group("三组村民群", members=[liu, secretary])
    unit = tg.group("环卫所工作群", members=[clerk])
    private = tg.private(secretary)
    config = {
        "bot": {"language": "zh_Hans"},
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"},
        "adapters": {"telegram": {"token": TOKEN, "api_base": tg.api_base, "poll_timeout": 2,
                                  "limits": {"scale": 1000}}},
        "logging": {"level": "WARNING"},
        "people": [
            {"name": "王书记", "identities": [f"telegram:{secretary.id}"],
             "roles": ["supervisor"]},
            {"name": "陈阿姨", "identities": [f"telegram:{chen.id}"]},
        ],
        "plugins": {"complaints": {
            "detect": True,
            "categories": {"sanitation": {"name": "环境卫生", "keywords": ["垃圾"],
                                          "department": "sanitation"}},
            "departments": {"sanitation": {"name": "环卫所", "chat": f"telegram:{unit.id}"}},
        }},
    }  # fmt: skip
    app = await start_app(tmp_path, config, [("complaints", hooks)])
    try:
        tg.forward(liu, village, tg.say(chen, elsewhere, PROBLEM))
        (offer,) = await tg.wait_sent(village)
        assert offer["text"] == "这条消息像是在反映问题（环境卫生）。"
        _press(tg, secretary, offer, "登记为问题")
        (_, start_first) = await tg.wait_sent(village, count=2)
        assert start_first["text"] == (
            "王书记，这条消息是转发的，需要在私聊中向您确认反映人，但我还不能私信您："
            "请打开 @qunzhu_bot，点击“开始”，然后再试一次。"
        )
        tg.say(secretary, private, "/start")
        await tg.wait_sent(private)  # the bot's greeting
        _press(tg, secretary, offer, "登记为问题")
        (_, _, moved) = await tg.wait_sent(village, count=3)
        assert moved["text"] == "这条消息是转发的，我已私信您确认反映人，请在私聊中继续。"
        (_, about, question) = await tg.wait_sent(private, count=3)
        assert about["text"] == f"关于「三组村民群」群里转发的消息：“{PROBLEM}”"
        assert question["text"] == "已为 陈阿姨 登记。承办单位可以看到反映人的姓名（和电话）吗？"
        _press(tg, secretary, question, "对承办单位匿名")
        (card,) = await tg.wait_sent(unit)
        assert "反映人：匿名" in card["text"] and PROBLEM in card["text"]
        assert "陈" not in card["text"] and str(chen.id) not in card["text"]
        edited = await eventually(
            lambda: (m := tg.message(village, offer["message_id"]))["text"] != offer["text"] and m
        )
        assert edited["text"] == "已登记为问题 Q-2026-0001。"
        async with app.db.session() as s:
            ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.reporter_name, ticket.anonymous) == ("陈阿姨", True)
        for sent in tg.sent(village):  # the group saw no question, no name of hers
            assert "陈" not in sent["text"]
            if sent["message_id"] != offer["message_id"]:
                assert "reply_markup" not in sent, sent["text"]
    finally:
        await app.stop()
