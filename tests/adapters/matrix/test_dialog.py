"""Scenario 1.2 on Matrix, as a private dialog: a resident writes to the bot, which asks one step
at a time for a photo, the location and the category (numbered buttons, answered with a
full-width "１" and with a reaction), then confirms with the ticket number. Through the real App,
dispatcher, dialog service and outbox, against Synapse."""

from __future__ import annotations

from qunzhu.adapters.matrix.choices import keycap
from tests.adapters.matrix.conftest import FIGURES, MakeApp, MakePerson, png
from tests.adapters.matrix.mxapp import MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account


async def reactions(ana: Person, room: str, target: str, sender: str) -> list[str]:
    return [
        e["content"]["m.relates_to"]["key"]
        for e in await ana.timeline(room)
        if e["type"] == "m.reaction"
        and e["sender"] == sender
        and e["content"].get("m.relates_to", {}).get("event_id") == target
    ]


async def joined(ana: Person, room: str, bot: str) -> None:
    await wait_for(lambda: ana.members(room), lambda members: bot in members)


async def test_a_resident_reports_a_problem_in_a_private_chat(
    make_app: MakeApp, person: MakePerson, bot_account: Account, plugin: MxTest
) -> None:
    ana = await person("ana")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    dm = await ana.create_room(invite=[bot], direct=True)
    await joined(ana, dm, bot)
    since = await ana.position()

    await ana.say(dm, "水口茶文化景区好几个地方垃圾没人处理")
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"] == "请发一张现场照片。\n\n1. 跳过\n2. 取消"
    assert "<ol><li>跳过</li><li>取消</li></ol>" in asked["content"]["formatted_body"]

    photo = png(16, 12)
    await ana.send_image(dm, photo, filename="garbage.png")
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"].startswith("在哪里？请发送位置或输入地址。")

    await ana.send_location(dm, 26.65, 119.52, "水口茶文化景区")
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"] == "属于哪一类？\n\n1. 垃圾\n2. 道路\n3. 其他\n4. 取消"
    tappable = await wait_for(  # in a private chat the bot adds 1️⃣ … for people to tap
        lambda: reactions(ana, dm, asked["event_id"], bot), lambda keys: len(keys) == 4
    )
    assert tappable == [keycap(n) for n in range(1, 5)]

    await ana.say(dm, "１")  # a phone's full-width digit
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"] == "是否匿名？\n\n1. 实名\n2. 匿名\n3. 取消"

    await ana.react(dm, asked["event_id"], keycap(2))  # or a reaction on the question
    done, since = await ana.next_from(dm, bot, since)
    assert done["content"]["body"] == (
        "已登记 Q-2026-0001：水口茶文化景区好几个地方垃圾没人处理 / garbage / anonymous / "
        f"26.6500,119.5200 水口茶文化景区 / 1 张照片 {len(photo)} 字节"
    )
    assert plugin.downloads == [photo]  # the photo was fetched from the homeserver, lazily
    kinds = [kind for chat, _, kind in await app.inbox() if chat == dm]
    assert kinds == ["member", "message", "message", "message", "button", "button"]


async def test_a_number_answers_a_number_question_and_the_label_or_a_reaction_cancels(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    """Scenario 3.4 on Matrix: "要订购多少斤？" answered with 1 used to press Cancel (button 1)."""
    ana = await person("ana")
    app = await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    dm = await ana.create_room(invite=[bot], direct=True)
    await joined(ana, dm, bot)
    since = await ana.position()

    await ana.say(dm, "/order")
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"] == "要订购多少斤？\n\n[取消]"  # no number: 1 is an answer
    assert asked["content"]["qunzhu.labels"] == ["取消"]
    tappable = await wait_for(  # Cancel is still a tap away
        lambda: reactions(ana, dm, asked["event_id"], bot), lambda keys: len(keys) == 1
    )
    assert tappable == [keycap(1)]
    await ana.say(dm, "1")  # one kilo
    asked, since = await ana.next_from(dm, bot, since)
    assert asked["content"]["body"] == "备注？\n\n[跳过]  [取消]"
    await ana.say(dm, "跳过")  # the label typed presses Skip
    done, since = await ana.next_from(dm, bot, since)
    assert done["content"]["body"] == "订购 1 斤，备注：None"

    await ana.say(dm, "/order")
    asked, since = await ana.next_from(dm, bot, since)
    await ana.say(dm, "取消")  # the label typed presses Cancel
    bye, since = await ana.next_from(dm, bot, since)
    assert bye["content"]["body"] == "已取消，未保存任何内容。"

    await ana.say(dm, "/order")
    asked, since = await ana.next_from(dm, bot, since)
    await ana.react(dm, asked["event_id"], keycap(1))  # so does the reaction 1️⃣
    bye, since = await ana.next_from(dm, bot, since)
    assert bye["content"]["body"] == "已取消，未保存任何内容。"
    kinds = [kind for chat, _, kind in await app.inbox() if chat == dm]
    assert kinds == ["member"] + ["message"] * 2 + ["button"] + ["message", "button"] * 2


async def test_round_trip_through_synapse(
    make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    """User message → bot reply seen by the user's own long-poll sync, 20 times in a row."""
    import statistics
    import time

    ana = await person("ana")
    await make_app(adapter={"invites": {"allow_users": [ana.user_id]}})
    bot = bot_account.user_id
    room = await ana.create_room(name="测速", invite=[bot])
    await joined(ana, room, bot)
    since = await ana.position()
    took = []
    for i in range(20):
        began = time.perf_counter()
        await ana.say(room, f"/echo {i}")
        answer, since = await ana.next_from(room, bot, since)
        took.append((time.perf_counter() - began) * 1000)
        assert answer["content"]["body"] == str(i)
    took.sort()
    FIGURES["Matrix round trip (send → bot's reply in the user's sync), 20 runs"] = (
        f"p50 {statistics.median(took):.0f} ms, p90 {took[17]:.0f} ms, max {took[-1]:.0f} ms"
    )
    assert statistics.median(took) < 2000
