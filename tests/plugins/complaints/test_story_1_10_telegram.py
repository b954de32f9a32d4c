"""Story 1.10 over Telegram's real wire: 陈阿姨 writes in her village group (the bot is not in
it), the county secretary forwards her message to the bot and files it with ``/ticket``. The
forward's origin names her as the reporter; anonymous to the unit, the unit's card shows
neither her name nor anything of her account. Forwarded by someone who hides their account, the
secretary is asked, with the name on a button."""

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


async def test_story_1_10_a_forwarded_message_on_telegram(
    tmp_path: Path, tg: TelegramEmulator
) -> None:
    chen, zhang, secretary, clerk = (
        tg.user("陈阿姨"), tg.user("张大爷"), tg.user("王书记"), tg.user("赵主任")
    )  # fmt: skip
    village = tg.group("三组村民群", members=[chen, zhang, secretary], with_bot=False)
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
            "categories": {"sanitation": {"name": "环境卫生", "keywords": ["垃圾"],
                                          "department": "sanitation"}},
            "departments": {"sanitation": {"name": "环卫所", "chat": f"telegram:{unit.id}"}},
        }},
    }  # fmt: skip
    app = await start_app(tmp_path, config, [("complaints", hooks)])
    try:
        told = tg.say(chen, village, PROBLEM)
        forwarded = tg.forward(secretary, private, told)
        (asked,) = await tg.wait_sent(private)
        assert asked["text"] == "要登记这个问题吗？"
        tg.reply(secretary, private, to=forwarded, text="/ticket")
        (_, question) = await tg.wait_sent(private, count=2)
        assert question["text"] == "已为 陈阿姨 登记。承办单位可以看到反映人的姓名（和电话）吗？"
        _press(tg, secretary, question, "对承办单位匿名")
        (card,) = await tg.wait_sent(unit)
        assert "反映人：匿名" in card["text"] and PROBLEM in card["text"]
        assert "陈" not in card["text"] and str(chen.id) not in card["text"]
        async with app.db.session() as s:
            ticket = await s.scalar(select(Ticket))
        assert ticket is not None
        assert (ticket.reporter_name, ticket.anonymous) == ("陈阿姨", True)
        # she never wrote to the bot, which may not write first on Telegram: he follows it
        (_, _, done, stand_in) = await tg.wait_sent(private, count=4)
        assert done["text"].startswith("已登记为问题 Q-2026-0001（环境卫生）")
        assert stand_in["text"] == "我无法私信 陈阿姨，Q-2026-0001 的办理进展将告诉您。"

        # 张大爷 hides his account in forwards: only his name comes, so the secretary is asked
        hidden = tg.forward(secretary, private, tg.say(zhang, village, "三组路口垃圾"), hidden=True)
        assert hidden["forward_origin"] == {
            "type": "hidden_user", "date": hidden["forward_origin"]["date"],
            "sender_user_name": "张大爷",
        }  # fmt: skip
        offer = (await tg.wait_sent(private, count=5))[-1]
        assert offer["text"] == "要登记这个问题吗？"
        _press(tg, secretary, offer, "反映问题")
        who = (await tg.wait_sent(private, count=6))[-1]
        assert who["text"].startswith("这条消息转发自「张大爷」，对方隐藏了账号")
        labels = [b["text"] for row in who["reply_markup"]["inline_keyboard"] for b in row]
        assert labels[:2] == ["张大爷", "我自己发现的"]
    finally:
        await app.stop()
