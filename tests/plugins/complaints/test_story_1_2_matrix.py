"""Story 1.2 over Matrix, with the real complaints plugin against a real Synapse: a resident
reports privately, step by step (a photo, a shared location, the category by a number, anonymity
by a reaction key, the confirmation), and the sanitation office's room gets the card, with the
photo and without the resident's name."""

# ruff: noqa: F811 - the Matrix tests' fixtures are imported here by name, and asked for by name

from __future__ import annotations

from pathlib import Path
from typing import Any

from qunzhu.adapters.matrix.choices import keycap
from qunzhu.core.app import App
from qunzhu.plugins.complaints import hooks
from tests.adapters.matrix.conftest import (  # noqa: F401 - fixtures used by name
    MakePerson,
    bot_account,
    http,
    person,
    png,
    register,
    synapse,
)
from tests.adapters.matrix.story_app import Stopwatch, in_room, start_bot, started  # noqa: F401
from tests.adapters.matrix.synapse import Account, Synapse

TEXT = "水口茶文化景区好几个地方垃圾没人处理"


def complaints(office_room: str) -> dict[str, Any]:
    return {
        "categories": {
            "sanitation": {"name": "环境卫生", "keywords": ["垃圾"], "department": "sanitation"},
            "other": {"name": "其他"},
        },
        "departments": {"sanitation": {"name": "环卫所", "chat": f"matrix:{office_room}"}},
    }


async def test_story_1_2_on_matrix(
    tmp_path: Path,
    synapse: Synapse,
    person: MakePerson,
    bot_account: Account,
    started: list[App],
) -> None:
    chen, zhao = await person("chen"), await person("zhao")  # a resident, the office's head
    watch = Stopwatch("complaints story 1.2 on Matrix, end to end")
    bot = bot_account.user_id
    office = await zhao.create_room(name="环卫所", invite=[bot])
    dm = await chen.create_room(invite=[bot], direct=True)
    started.append(
        await start_bot(
            tmp_path,
            synapse,
            bot_account,
            allowed=[chen.user_id, zhao.user_id],
            modules=[("complaints", hooks)],
            plugins={"complaints": complaints(office)},
        )
    )
    await in_room(chen, dm, bot)
    await in_room(zhao, office, bot)
    watch.lap("set-up: rooms, the bot logs in and joins")
    since = await chen.position()
    office_since = await zhao.position()

    await chen.say(dm, TEXT)
    asked, since = await chen.next_from(dm, bot, since)
    assert asked["content"]["body"].startswith("请发送一张现场照片，或按“跳过”。")

    photo = png(24, 16)
    await chen.send_image(dm, photo, filename="garbage.png")
    asked, since = await chen.next_from(dm, bot, since)
    assert asked["content"]["body"].startswith("问题在哪里？")

    await chen.send_location(dm, 26.70, 119.60, "水口茶文化景区停车场")
    asked, since = await chen.next_from(dm, bot, since)
    body = asked["content"]["body"]
    assert body.startswith("属于哪类问题？") and "1. 环境卫生" in body

    await chen.say(dm, "1")
    asked, since = await chen.next_from(dm, bot, since)
    assert "1. 实名" in asked["content"]["body"] and "2. 匿名" in asked["content"]["body"]

    await chen.react(dm, asked["event_id"], keycap(2))  # anonymous, by tapping 2️⃣
    check, since = await chen.next_from(dm, bot, since)
    assert "问题：" + TEXT in check["content"]["body"]
    assert "照片：1 张" in check["content"]["body"]

    await chen.say(dm, "1")  # 提交
    done, since = await chen.next_from(dm, bot, since)
    assert done["content"]["body"].startswith(
        "已登记为问题 Q-2026-0001（环境卫生），已转 环卫所 办理。"
    )

    await zhao.next_from(office, bot, office_since)
    cards = await zhao.from_bot(office, bot)
    texts = " ".join(e["content"].get("body", "") for e in cards)
    assert "Q-2026-0001" in texts and "反映人：匿名" in texts
    assert any(e["content"].get("msgtype") == "m.image" for e in cards), "the card shows the photo"
    localpart = chen.user_id.split(":")[0].lstrip("@")  # also the display name Synapse gave
    for event in cards:  # the office never learns who reported it
        content = str(event["content"])
        assert chen.user_id not in content and localpart not in content
    watch.lap("the report, step by step, and the card")
    assert watch.stop() < 15
