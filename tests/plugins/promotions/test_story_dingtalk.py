"""Stories 3.2-3.4 over DingTalk's Stream mode (the adapter against the emulator, issue 18):
the seller drafts a post in private with cards for the choices, the approver approves with a
card, every opted-in group gets the post as an interactive card 我要订购 / 感兴趣 / 联系卖家, a
buyer's click opens the order in private (the robot may write first to anyone of its
organisation), and the seller is told which group the order came from. At zero stock every
group's card is updated in place (DingTalk's cards can be updated at any time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from qunzhu.plugins import promotions
from tests.adapters.dingtalk.dingtalkapp import DingtalkApp, Watch
from tests.adapters.dingtalk.emulator import DingtalkEmulator


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[DingtalkEmulator]:
    async with DingtalkEmulator() as emulator:
        yield emulator


async def test_a_promotion_card_and_an_order_on_dingtalk(
    tmp_path: Path, emu: DingtalkEmulator
) -> None:
    seller, approver = emu.person("zhanglb", "张老板"), emu.person("wangkz", "王科长")
    liu, zhao = emu.person("liu", "刘"), emu.person("zhao", "赵")
    wholesale = emu.group("cidWholesale==", "通山鮰鱼批发群", seller, liu, zhao)
    wuhan = emu.group("cidWuhan==", "武汉生鲜团购群", liu)
    product = {"key": "catfish", "name": "通山鮰鱼", "seller": "dingtalk:zhanglb",
               "seller_name": "张老板", "unit": "斤", "price": 12.5, "stock": 30,
               "origin": "湖北通山"}  # fmt: skip
    config: dict[str, Any] = {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "people": [
            {"name": "张老板", "identities": ["dingtalk:zhanglb"], "roles": ["seller"]},
            {"name": "王科长", "identities": ["dingtalk:wangkz"], "roles": ["approver"]},
            {"name": "刘", "identities": ["dingtalk:liu"]},
            {"name": "赵", "identities": ["dingtalk:zhao"]},
        ],
        "plugins": {"promotions": {"products": [product]}},
        "chats": {
            f"dingtalk:{g.chatid}": {"plugins": {"promotions": {
                "opt_in": True, "tags": ["buyers"], "name": g.name}}}
            for g in (wholesale, wuhan)
        },
    }  # fmt: skip
    app = await DingtalkApp(tmp_path, emu, [("promotions", promotions)], config=config).start()
    seen = Watch(emu)
    try:
        # 3.2 the seller drafts the post in private; the choices are cards
        await emu.say(seller, "/promote 1")
        for answer in ("4-5斤一条，鲜活直发", "buyers"):
            await seen.new(seller)
            await emu.say(seller, answer)
        await emu.click(seller, Watch.card(await seen.new(seller)), "现在")
        await emu.click(seller, Watch.card(await seen.new(seller)), "只发一次")
        waiting = Watch.texts(await seen.new(seller))
        assert waiting[-1].endswith("发到标签为 buyers 的 2 个群。")

        # the approver approves with the card's 批准 (the robot writes to him first)
        ask = await seen.new(approver)
        assert Watch.card(ask).labels == ["批准", "拒绝"]
        await emu.click(approver, Watch.card(ask), "批准")
        [approved] = Watch.texts(await seen.new(approver))
        assert approved.startswith("已批准。推介 #1 将于 ")

        # every opted-in group: the post as one card, its text and its buttons
        cards = {}
        for group in (wholesale, wuhan):
            cards[group.chatid] = Watch.card(await seen.new(group))
            assert cards[group.chatid].card_text.splitlines() == [
                "【通山鮰鱼】", "4-5斤一条，鲜活直发", "产地：湖北通山", "价格：12.5 元/斤",
                "现货：30 斤",
            ]  # fmt: skip
            assert cards[group.chatid].labels == ["我要订购", "感兴趣", "联系卖家"]

        # 3.4 刘 clicks 我要订购 in the wholesale group: the order in private
        await emu.click(liu, cards[wholesale.chatid], "我要订购")
        asked = Watch.texts(await seen.new(liu))
        assert asked[0] == "通山鮰鱼您要订多少斤？现剩 30 斤，单价 12.5 元/斤。"
        for answer in ("三十斤", "武汉", "138 0013 8000"):
            await emu.say(liu, answer)
            confirm = await seen.new(liu)
        assert Watch.texts(confirm)[-1] == (
            "请核对订单：通山鮰鱼 30 斤，单价 12.5 元/斤，共 375 元，送到 武汉，"
            "电话 13800138000。确认下单吗？"
        )
        await emu.click(liu, Watch.card(confirm), "确认下单")
        [placed] = Watch.texts(await seen.new(liu))
        assert placed.startswith("谢谢！订单 #1 已提交：通山鮰鱼 30 斤。")
        told = Watch.texts(await seen.new(seller))
        assert told[0].startswith("王科长已批准推介 #1")
        assert told[1:] == [
            "新订单 #1：刘 订购通山鮰鱼 30 斤，送到 武汉，电话 13800138000"
            "（来自群 通山鮰鱼批发群）。",
            "通山鮰鱼已售罄，所有群里的推介都已标为“已售罄”。",
        ]

        # sold out: both groups' cards are updated in place, nothing is posted anew
        for group in (wholesale, wuhan):
            card = cards[group.chatid]
            assert card.labels == ["已售罄", "感兴趣", "联系卖家"]
            assert card.card_text.splitlines()[-2:] == ["现货：0 斤", "已售罄，感谢支持！"]
            assert len(emu.in_chat(group)) == 1
        # a latecomer clicks 已售罄: told in private
        await emu.click(zhao, cards[wholesale.chatid], "已售罄")
        sorry = Watch.texts(await seen.new(zhao))
        assert sorry[-1] == "抱歉，通山鮰鱼已售罄。"
    finally:
        await app.stop()
