"""Stories 3.2-3.4 over Matrix, with the real promotions plugin against a real Synapse: the
通山鮰鱼批发群 room opted in (under `chats:`); the seller 张老板 drafts a post for 通山鮰鱼 (from
the YAML, 2 斤 left) in his private room with the bot, to go out 现在; the approver 王科长 is
invited by the bot to a private room, sees the preview and approves it by typing 1; the group
gets the photo with 我要订购 / 感兴趣 / 联系卖家; a buyer types 1 under it, the bot opens a
private room with her, she answers 2 (the quantity, not a button), her city and phone, and
confirms with the 1️⃣ the bot put under its question; the seller is told in private, and the
group's copy is edited to show 已售罄. Everything is asserted as the people see it in their own
sync and timeline."""

# ruff: noqa: F811 - the Matrix tests' fixtures are imported here by name, and asked for by name

from __future__ import annotations

from pathlib import Path
from typing import Any

from qunzhu.adapters.matrix.choices import keycap
from qunzhu.core.app import App
from qunzhu.plugins.promotions import hooks
from tests.adapters.matrix.conftest import (  # noqa: F401 - fixtures used by name
    MakePerson,
    bot_account,
    http,
    person,
    png,
    register,
    synapse,
)
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.story_app import Stopwatch, in_room, start_bot, started  # noqa: F401
from tests.adapters.matrix.synapse import Account, Synapse


def body(event: dict[str, Any]) -> str:
    return str(event["content"]["body"])


async def accept_invitation(who: Person) -> str:
    """`who` accepts the bot's invitation to a private room (as Element shows it: a new chat
    request at the top of the list); returns the room."""
    [room] = await wait_for(who.invited_rooms, bool)
    await who.join(room)
    return str(room)


async def test_a_promotion_sold_out_on_matrix(
    tmp_path: Path,
    synapse: Synapse,
    person: MakePerson,
    bot_account: Account,
    started: list[App],
) -> None:
    seller, approver = await person("zhang"), await person("wangke")
    admin, buyer = await person("guo"), await person("liu")  # the group's admin, a buyer
    buyer_two = await person("ma")
    watch = Stopwatch("promotions story on Matrix, end to end")
    bot = bot_account.user_id
    seller_dm = await seller.create_room(invite=[bot], direct=True)
    group = await admin.create_room(
        name="通山鮰鱼批发群", invite=[bot, buyer.user_id, buyer_two.user_id]
    )
    await buyer.join(group)
    await buyer_two.join(group)
    photo = tmp_path / "catfish.png"
    photo.write_bytes(png(12, 8))
    catfish = {
        "key": "catfish",
        "name": "通山鮰鱼",
        "seller": f"matrix:{seller.user_id}",
        "seller_name": "张老板",
        "unit": "斤",
        "price": 12.5,
        "stock": 2,
        "origin": "湖北通山",
        "contact": "138 0013 8000",
        "photos": [str(photo)],
        "description": "4-5斤一条",
    }
    opted_in = {"opt_in": True, "tags": ["buyers"], "name": "通山鮰鱼批发群"}
    started.append(
        await start_bot(
            tmp_path,
            synapse,
            bot_account,
            allowed=[seller.user_id, admin.user_id],
            modules=[("promotions", hooks)],
            people=[
                {
                    "name": "张老板",
                    "identities": [f"matrix:{seller.user_id}"],
                    "roles": ["seller"],
                },
                {
                    "name": "王科长",
                    "identities": [f"matrix:{approver.user_id}"],
                    "roles": ["approver"],
                },
            ],
            plugins={"promotions": {"products": [catfish]}},
            chats={f"matrix:{group}": {"plugins": {"promotions": opted_in}}},
        )
    )
    await in_room(seller, seller_dm, bot)
    await in_room(admin, group, bot)
    watch.lap("set-up: rooms, the bot logs in and joins")

    # the seller drafts the post in his private room: text, tags, 现在, only once
    since = await seller.position()
    await seller.say(seller_dm, "/promote 1")
    asked, since = await seller.next_from(seller_dm, bot, since)
    assert body(asked).startswith("请写推介的正文；点“跳过”则只显示产品信息。")
    await seller.say(seller_dm, "4-5斤一条，鲜活直发")
    asked, since = await seller.next_from(seller_dm, bot, since)
    assert body(asked).startswith("发到哪些群？") and "buyers" in body(asked)
    await seller.say(seller_dm, "buyers")
    asked, since = await seller.next_from(seller_dm, bot, since)
    assert "1. 现在" in body(asked)
    await seller.say(seller_dm, "现在")
    asked, since = await seller.next_from(seller_dm, bot, since)
    assert body(asked).startswith("要重复发送吗？") and "1. 只发一次" in body(asked)
    await seller.say(seller_dm, "1")
    preview, since = await seller.next_from(seller_dm, bot, since)
    assert preview["content"]["msgtype"] == "m.image"  # the product's photo, uploaded
    assert body(preview).splitlines() == [
        "【通山鮰鱼】",
        "4-5斤一条，鲜活直发",
        "产地：湖北通山",
        "价格：12.5 元/斤",
        "现货：2 斤",
        "按钮：我要订购 · 感兴趣 · 联系卖家",
    ]
    waiting, since = await seller.next_from(seller_dm, bot, since)
    assert body(waiting).startswith("推介 #1 等待审批。")
    watch.lap("drafting")

    # the approver is invited to a private room with the bot, sees the preview, approves
    group_since = await buyer.position()
    approver_dm = await accept_invitation(approver)
    shown_preview, ask = await approver.wait_from_bot(approver_dm, bot, 2)
    assert body(shown_preview) == body(preview)
    assert body(ask).startswith("张老板的推介 #1：")
    assert body(ask).endswith("发到标签为 buyers 的 1 个群。批准吗？\n\n1. 批准\n2. 拒绝")
    approver_since = await approver.position()
    await approver.say(approver_dm, "1")
    approved, _ = await approver.next_from(approver_dm, bot, approver_since)
    assert body(approved).startswith("已批准。推介 #1 将于 ")
    watch.lap("approval")

    # the group gets the post: the photo, its text and the three buttons as numbers
    post, group_since = await buyer.next_from(group, bot, group_since)
    assert post["content"]["msgtype"] == "m.image"
    assert post["content"]["url"] == preview["content"]["url"]  # uploaded once
    assert body(post).endswith("现货：2 斤\n\n1. 我要订购\n2. 感兴趣\n3. 联系卖家")

    # the buyer types 1 under it: the bot opens a private room with her
    seller_since = await seller.position()
    await buyer.say(group, "1")
    buyer_dm = await accept_invitation(buyer)
    [asked] = await buyer.wait_from_bot(buyer_dm, bot, 1)
    assert body(asked) == "通山鮰鱼您要订多少斤？现剩 2 斤，单价 12.5 元/斤。\n\n[取消]"
    buyer_since = await buyer.position()
    await buyer.say(buyer_dm, "2")  # the quantity: an answer, not the second button
    asked, buyer_since = await buyer.next_from(buyer_dm, bot, buyer_since)
    assert body(asked).startswith("送到哪个城市？")
    await buyer.say(buyer_dm, "武汉")
    asked, buyer_since = await buyer.next_from(buyer_dm, bot, buyer_since)
    assert body(asked).startswith("请留下您的手机号，方便卖家联系您。")
    await buyer.say(buyer_dm, "138 0013 8000")
    confirm, buyer_since = await buyer.next_from(buyer_dm, bot, buyer_since)
    assert body(confirm) == (
        "请核对订单：通山鮰鱼 2 斤，单价 12.5 元/斤，共 25 元，送到 武汉，电话 13800138000。"
        "确认下单吗？\n\n1. 确认下单\n2. 取消"
    )
    await buyer.react(buyer_dm, confirm["event_id"], keycap(1))
    done, buyer_since = await buyer.next_from(buyer_dm, bot, buyer_since)
    assert body(done).startswith(
        "谢谢！订单 #1 已提交：通山鮰鱼 2 斤。卖家会通过 13800138000 联系您。"
    )

    # the seller is told in private; the group's copy now reads 已售罄
    note, seller_since = await seller.next_from(seller_dm, bot, seller_since)
    name = buyer.user_id[1:].partition(":")[0]  # her display name, as Synapse made it
    assert body(note) == (
        f"新订单 #1：{name} 订购通山鮰鱼 2 斤，送到 武汉，电话 13800138000"
        "（来自群 通山鮰鱼批发群）。\n\n1. 确认\n2. 拒绝"
    )
    told, seller_since = await seller.next_from(seller_dm, bot, seller_since)
    assert body(told) == "通山鮰鱼已售罄，所有群里的推介都已标为“已售罄”。"
    shown = await buyer.wait_shown(group, post["event_id"], lambda c: "已售罄" in c.get("body", ""))
    assert shown["msgtype"] == "m.image" and shown["url"] == post["content"]["url"]
    assert body({"content": shown}).endswith(
        "现货：0 斤\n已售罄，感谢支持！\n\n1. 已售罄\n2. 感兴趣\n3. 联系卖家"
    )
    watch.lap("order, seller told, 已售罄 shown")

    # a late buyer taps 1️⃣ under the edited post: she is told in private that it is sold out
    await buyer_two.react(group, post["event_id"], keycap(1))
    late_dm = await accept_invitation(buyer_two)
    [sorry] = await buyer_two.wait_from_bot(late_dm, bot, 1)
    assert body(sorry) == "抱歉，通山鮰鱼已售罄。"
    watch.lap("a press after the sell-out")
    assert watch.stop() < 15


async def test_a_seller_who_never_wrote_is_reachable_on_matrix(
    tmp_path: Path,
    synapse: Synapse,
    person: MakePerson,
    bot_account: Account,
    started: list[App],
) -> None:
    """An administrator drafts the post of a seller from the YAML who never wrote to the bot.
    On Matrix the bot may write first (it invites the person to a private room), so the
    approver is not warned that orders cannot reach the seller; and the check itself opens no
    room: the seller gets no empty invitation. (Regression: asking whether the seller had
    written privately opened a room with them on Matrix, found it empty, and warned.)"""
    boss, seller, approver = await person("boss"), await person("zhang"), await person("wangke")
    bot = bot_account.user_id
    boss_dm = await boss.create_room(invite=[bot], direct=True)
    catfish = {"key": "catfish", "name": "通山鮰鱼", "seller": f"matrix:{seller.user_id}",
               "seller_name": "张老板", "price": 12.5, "stock": 100}  # fmt: skip
    started.append(
        await start_bot(
            tmp_path,
            synapse,
            bot_account,
            allowed=[boss.user_id],
            modules=[("promotions", hooks)],
            people=[
                {"name": "郭主任", "identities": [f"matrix:{boss.user_id}"], "roles": ["admin"]},
                {"name": "张老板", "identities": [f"matrix:{seller.user_id}"]},
                {
                    "name": "王科长",
                    "identities": [f"matrix:{approver.user_id}"],
                    "roles": ["approver"],
                },
            ],  # fmt: skip
            plugins={"promotions": {"products": [catfish]}},
        )
    )
    await in_room(boss, boss_dm, bot)
    since = await boss.position()
    for answer in ("/promote 1", "鲜活直发", "buyers", "现在", "1"):
        await boss.say(boss_dm, answer)
        _, since = await boss.next_from(boss_dm, bot, since)
    approver_dm = await accept_invitation(approver)
    _, ask = await approver.wait_from_bot(approver_dm, bot, 2)
    assert body(ask).startswith("郭主任的推介 #1：")
    assert "从未私信过我" not in body(ask)  # "…so I cannot pass orders on to them"
    assert await seller.invited_rooms() == []
