"""Stories 3.1-3.4 over Telegram's real wire (aiogram against the Bot API emulator, the real App
and plugin): a group's own admin opts it in, the seller enters a product with a photo in private,
the approver approves with inline buttons (callback queries, answered), every opted-in group gets
the photo with its caption and buttons, buyers order in private (one who never started the bot is
told how), and at zero stock every copy's caption and keyboard are edited to 已售罄. Then a
broadcast to 60 groups at Telegram's own limits: no 429, and the progress reports add up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest_asyncio
from sqlalchemy import select

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator, User
from qunzhu.core.storage._tables import ChatRow
from qunzhu.plugins import promotions
from tests.adapters.telegram.conftest import jpeg
from tests.adapters.telegram.tgapp import TOKEN, Watch, labels, plugin_app, press
from tests.support.eventually import eventually
from tests.support.wall_clock import WallClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLUGINS = [("promotions", promotions)]
BUTTONS = [["我要订购", "感兴趣", "联系卖家"]]


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(TOKEN, bot_username="qunzhu_bot", limits=Limits(scale=1000))
    async with emulator:
        yield emulator


def _config(seller: User, approver: User, chats: dict[str, Any], **plugin: Any) -> dict[str, Any]:
    return {
        "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
        "people": [
            {"name": "张老板", "identities": [f"telegram:{seller.id}"], "roles": ["seller"]},
            {"name": "王科长", "identities": [f"telegram:{approver.id}"], "roles": ["approver"]},
        ],
        "plugins": {"promotions": plugin},
        "chats": {key: {"plugins": {"promotions": settings}} for key, settings in chats.items()},
    }


async def test_a_promotion_from_the_product_to_sold_out_on_telegram(
    tmp_path: Path, tg: TelegramEmulator
) -> None:
    seller, approver, admin = tg.user("张老板"), tg.user("王科长"), tg.user("李群主")
    liu, ma, zhao = tg.user("刘"), tg.user("马"), tg.user("赵")
    wholesale = tg.group("通山鮰鱼批发群", members=[seller, liu, zhao])
    wuhan = tg.group("武汉生鲜团购群", members=[liu, ma])
    xianning = tg.group("咸宁旅游群", members=[admin, ma])
    chatter = tg.group("闲聊群", members=[liu])
    chats = {
        f"telegram:{wholesale.id}": {"opt_in": True, "tags": ["buyers"]},
        f"telegram:{wuhan.id}": {"opt_in": True, "tags": ["buyers"]},
        f"telegram:{xianning.id}": {"admins": [f"telegram:{admin.id}"]},  # opts in itself
        f"telegram:{chatter.id}": {"tags": ["buyers"]},  # never opted in
    }
    app = await plugin_app(tmp_path, tg, PLUGINS, _config(seller, approver, chats))
    seen = Watch(tg)
    try:
        # 咸宁旅游群 is run by its own admin, who opts it in and tags it
        tg.say(admin, xianning, "/promotions on")
        tg.say(admin, xianning, "/promotions tags buyers")
        _, tagged = await seen.new(xianning, 2)
        assert tagged["text"] == "本群接收产品推介。\n标签：buyers\n每天最多 1 条。"
        approver_dm = tg.private(approver)  # the approver opened the bot once
        tg.say(approver, approver_dm, "/start")
        await seen.new(approver_dm)

        # 3.1 the seller enters the product in private, with a photo taken on the phone
        dm = tg.private(seller)
        for answer in ("/product", "通山鮰鱼"):
            tg.say(seller, dm, answer)
            await seen.new(dm)
        photo = tg.send_photo(seller, dm, jpeg(1600, 1200))
        for answer in ("斤", "1条约4.5斤", "12.5", "30", "湖北通山", "13800138000"):
            await seen.new(dm)
            tg.say(seller, dm, answer)
        [saved] = await seen.new(dm)
        assert saved["text"].startswith("产品 #1 已登记：通山鮰鱼，12.5 元/斤，现货 30 斤。")

        # 3.2 drafts the post with buttons and typed answers
        press(tg, seller, saved, "起草推介")
        for answer in ("4-5斤一条，鲜活直发", "buyers"):
            await seen.new(dm)
            tg.say(seller, dm, answer)
        [when] = await seen.new(dm)
        press(tg, seller, when, "现在")
        [repeat] = await seen.new(dm)
        press(tg, seller, repeat, "只发一次")
        preview, waiting = await seen.new(dm, 2)
        assert preview["caption"].splitlines()[-1] == "按钮：我要订购 · 感兴趣 · 联系卖家"
        assert waiting["text"].endswith("发到标签为 buyers 的 3 个群。")  # not 闲聊群

        # the approver sees the same preview in private and presses 批准
        _, ask = await seen.new(approver_dm, 2)
        assert labels(ask) == [["批准", "拒绝"]]
        approval = press(tg, approver, ask, "批准")
        [approved] = await seen.new(approver_dm)
        assert approved["text"].startswith("已批准。推介 #1 将于 ")
        [told] = await seen.new(dm)
        assert told["text"].startswith("王科长已批准推介 #1")

        # every opted-in group: the photo (the seller's, by file_id: no upload), caption, buttons
        site = max(photo["photo"], key=lambda p: p["width"])["file_id"]
        posts = {}
        for group in (wholesale, wuhan, xianning):
            [post] = await seen.new(group)
            assert post["caption"].splitlines() == [
                "【通山鮰鱼】", "4-5斤一条，鲜活直发", "产地：湖北通山", "价格：12.5 元/斤",
                "现货：30 斤",
            ]  # fmt: skip
            assert max(post["photo"], key=lambda p: p["width"])["file_id"] == site
            assert labels(post) == BUTTONS
            posts[group.id] = post
        assert app.adapters["telegram"].uploads.uploaded == 0  # type: ignore[attr-defined]

        # 3.4 马 never started the bot: the bot may not write to him, and says so under the post
        press(tg, ma, posts[wuhan.id], "我要订购")
        [note] = await seen.new(wuhan)
        assert note["text"] == (
            "马，我还不能私聊您：请先打开 @qunzhu_bot 并点“开始”，再点一次“我要订购”。"
        )
        assert note["reply_to_message"]["message_id"] == posts[wuhan.id]["message_id"]
        mentions = [e for e in note["entities"] if e["type"] == "text_mention"]
        assert [(m["offset"], m["user"]["id"]) for m in mentions] == [(0, ma.id)]

        # 刘 has: the order dialog in private (quantity as people write it, city, phone, confirm)
        liu_dm = tg.private(liu)
        tg.say(liu, liu_dm, "/start")
        await seen.new(liu_dm)
        press(tg, liu, posts[wholesale.id], "我要订购")
        [quantity] = await seen.new(liu_dm)
        assert quantity["text"] == "通山鮰鱼您要订多少斤？现剩 30 斤，单价 12.5 元/斤。"
        for answer in ("二十斤", "武汉", "138 0013 8000"):
            tg.say(liu, liu_dm, answer)
            [asked] = await seen.new(liu_dm)
        assert asked["text"] == (
            "请核对订单：通山鮰鱼 20 斤，单价 12.5 元/斤，共 250 元，送到 武汉，"
            "电话 13800138000。确认下单吗？"
        )
        press(tg, liu, asked, "确认下单")
        [placed] = await seen.new(liu_dm)
        assert placed["text"].startswith("谢谢！订单 #1 已提交：通山鮰鱼 20 斤。")
        [order] = await seen.new(dm)  # the seller is notified, with the group it came from
        assert order["text"] == (
            "新订单 #1：刘 订购通山鮰鱼 20 斤，送到 武汉，电话 13800138000"
            "（来自群 通山鮰鱼批发群）。"
        )
        assert labels(order) == [["确认", "拒绝"]]

        # 马 opens the bot, presses again, and takes the last 10 斤
        ma_dm = tg.private(ma)
        tg.say(ma, ma_dm, "/start")
        await seen.new(ma_dm)
        press(tg, ma, posts[wuhan.id], "我要订购")
        [quantity] = await seen.new(ma_dm)
        assert "现剩 10 斤" in quantity["text"]
        for answer in ("10", "咸宁", "13900139000"):
            tg.say(ma, ma_dm, answer)
            [asked] = await seen.new(ma_dm)
        press(tg, ma, asked, "确认下单")
        await seen.new(ma_dm)
        order, sold_out = await seen.new(dm, 2)
        assert "（来自群 武汉生鲜团购群）" in order["text"]
        assert sold_out["text"] == "通山鮰鱼已售罄，所有群里的推介都已标为“已售罄”。"

        # stock zero: every copy's caption and keyboard edited (editMessageCaption, a photo post)
        for group in (wholesale, wuhan, xianning):
            post = await eventually(lambda g=group: _edited(tg, g, posts[g.id]["message_id"]))
            assert post["caption"].splitlines()[-2:] == ["现货：0 斤", "已售罄，感谢支持！"]
            assert labels(post) == [["已售罄", "感兴趣", "联系卖家"]]
        edits = [c.method for c in tg.calls if c.method.startswith("editMessage")]
        assert edits == ["editMessageCaption"] * 3

        # a latecomer presses 已售罄: told in private
        zhao_dm = tg.private(zhao)
        tg.say(zhao, zhao_dm, "/start")
        await seen.new(zhao_dm)
        press(tg, zhao, _edited(tg, wholesale, posts[wholesale.id]["message_id"]), "已售罄")
        [sorry] = await seen.new(zhao_dm)
        assert sorry["text"] == "抱歉，通山鮰鱼已售罄。"

        await app.settle()
        assert tg.callback_answer(approval) is not None
        assert tg.unanswered_callbacks() == []  # every press was answered (no spinner left)
        assert tg.sent(chatter) == []
        assert tg.violations == []
        for group in (wholesale, wuhan, xianning):
            assert seen.unseen(group) == []
    finally:
        await app.stop()


def _edited(tg: TelegramEmulator, group: Any, message_id: int) -> dict[str, Any] | None:
    message = tg.message(group, message_id)
    return message if message.get("edit_date") else None


async def test_a_broadcast_to_60_groups_at_telegrams_limits(tmp_path: Path) -> None:
    """Telegram's limits as they are (30 messages a second, 20 a minute per group, 1 a second
    per private chat): the post reaches 60 groups in about two seconds with no 429, the photo is
    uploaded once, a group that removed the bot is skipped, and the reports add up."""
    clock = WallClock(datetime(2026, 4, 10, 9, 30, tzinfo=SHANGHAI))  # a Friday morning
    tg = TelegramEmulator(TOKEN, limits=Limits(), now=lambda: clock.now().timestamp())
    await tg.start()
    seller, approver = tg.user("张老板"), tg.user("王科长")
    groups = [tg.group(f"通山{i:02d}群", members=[seller]) for i in range(61)]
    photo = tmp_path / "catfish.jpg"
    photo.write_bytes(jpeg(1600, 1200))
    product = {"key": "catfish", "name": "通山鮰鱼", "seller": f"telegram:{seller.id}",
               "seller_name": "张老板", "unit": "斤", "price": 12.5, "stock": 2_000_000,
               "origin": "湖北通山", "photos": [str(photo)]}  # fmt: skip
    chats = {
        f"telegram:{g.id}": {"opt_in": True, "tags": ["buyers"], "name": g.title} for g in groups
    }
    config = _config(seller, approver, chats, products=[product])
    limits = {"per_second": 30, "per_group_minute": 20, "per_private_second": 1}
    app = await plugin_app(tmp_path, tg, PLUGINS, config, clock=clock, limits=limits)
    seen = Watch(tg)
    try:
        gone = groups[-1]
        tg.kick_bot(gone)  # its admin removed the bot before the broadcast
        await eventually(lambda: _inactive(app, gone.id))
        approver_dm, dm = tg.private(approver), tg.private(seller)
        tg.say(approver, approver_dm, "/start")
        tg.say(seller, dm, "/promote 1")
        for answer in ("鲜活直发", "buyers"):
            await seen.new(dm)
            tg.say(seller, dm, answer)
        [when] = await seen.new(dm)
        press(tg, seller, when, "现在")
        [repeat] = await seen.new(dm)
        press(tg, seller, repeat, "只发一次")
        await seen.new(dm, 2)
        _, _, ask = await seen.new(approver_dm, 3)
        assert ask["text"].endswith("发到标签为 buyers 的 60 个群。批准吗？")
        press(tg, approver, ask, "批准")
        await seen.new(approver_dm)
        [note] = await seen.new(dm)
        assert note["text"].startswith("王科长已批准推介 #1")

        started = clock.monotonic()
        await seen.new(groups[0])  # the broadcast has begun: its first report is due in 30 s
        clock.jump(timedelta(seconds=31))
        app.scheduler.notify()
        [early] = await seen.new(dm)
        sent, pending = _counts(early["text"])
        assert sent + pending == 60 and pending > 0, early["text"]
        for group in groups[1:-1]:
            [post] = await seen.new(group)
            assert labels(post) == BUTTONS
        took = clock.monotonic() - started
        assert 1.0 < took < 8.0, took  # 60 posts at 30 a second: two seconds, not one

        clock.jump(timedelta(minutes=2))  # the next report: everything is out
        app.scheduler.notify()
        [final] = await seen.new(dm)
        assert final["text"].splitlines() == [
            "推介 #1 “通山鮰鱼”：",
            "▓▓▓▓▓▓▓▓▓▓ 100%",
            "已发送 60 · 待发送 0 · 失败 0 · 等待 0 · 未发送 1",
            "· 未发送 (机器人已被移出群): 通山60群",
        ]
        _, same = await seen.new(approver_dm, 2)  # the approver gets both reports too
        assert same["text"] == final["text"]
        assert tg.sent(gone) == []

        async with aiohttp.ClientSession() as http:  # the emulator's own account of it
            async with http.get(f"{tg.api_base}/control/violations") as answer:
                assert (await answer.json())["result"] == []
            async with http.get(f"{tg.api_base}/control/counts") as answer:
                counts = (await answer.json())["result"]["by_chat"]
        assert all(counts[str(g.id)] == 1 for g in groups[:-1]), json.dumps(counts)
        assert app.adapters["telegram"].uploads.uploaded == 1  # type: ignore[attr-defined]
    finally:
        await app.stop()
        await tg.stop()


def _counts(report: str) -> tuple[int, int]:
    """(sent, pending) of a progress report's tally line."""
    tally = report.splitlines()[2]
    numbers = [int(part.split()[-1]) for part in tally.split(" · ")]
    return numbers[0], numbers[1]


async def _inactive(app: Any, chat_id: int) -> bool:
    async with app.db.session() as s:
        row = await s.scalar(select(ChatRow).where(ChatRow.chat_id == str(chat_id)))
    return row is not None and not row.active
