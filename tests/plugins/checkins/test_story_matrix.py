"""Stories 2.1-2.4 over Matrix, with the real checkins plugin against a real Synapse: in the
饮用水水源保护工作群 room an owner opens the check-in and the prompt comes with the questions;
福州市长 reports by replying to it, 厦门市长 by a message tagged #周报 that he then edits
(``m.replace``), 泉州市长 privately (he taps 1️⃣ under the prompt, the bot invites him to a private
room and asks the questions); the owner acknowledges 福州's report with a 👍 reaction; at the
close the summary names who did not report and shows the acknowledgement. Everything is asserted
as the people see it in their own sync."""

# ruff: noqa: F811 - the Matrix tests' fixtures are imported here by name, and asked for by name

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from qunzhu.adapters.matrix.choices import keycap
from qunzhu.core.app import App
from qunzhu.plugins.checkins import hooks
from tests.adapters.matrix.conftest import (  # noqa: F401 - fixtures used by name
    MakePerson,
    bot_account,
    http,
    person,
    register,
    synapse,
)
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.story_app import Stopwatch, in_room, start_bot, started  # noqa: F401
from tests.adapters.matrix.synapse import Account, Synapse

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN = "水源保护周报"
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def not_today() -> str:
    """A weekly rule on tomorrow's weekday: the check-in is not due while the test runs, so the
    owner opens it by hand (as on a day off)."""
    tomorrow = datetime.now(SHANGHAI) + timedelta(days=1)
    return f"FREQ=WEEKLY;BYDAY={DAYS[tomorrow.weekday()]}"


def body(event: dict[str, object]) -> str:
    content = event["content"]
    assert isinstance(content, dict)
    return str(content["body"])


async def test_a_check_in_in_a_matrix_group(
    tmp_path: Path,
    synapse: Synapse,
    person: MakePerson,
    bot_account: Account,
    started: list[App],
) -> None:
    wang = await person("wang")  # 王副部长, the owner
    fuzhou, xiamen, ningde = await person("fz"), await person("xm"), await person("nd")
    quanzhou = await person("qz")
    mayors: list[tuple[str, Person]] = [
        ("福州市长", fuzhou),
        ("厦门市长", xiamen),
        ("泉州市长", quanzhou),
        ("宁德市长", ningde),
    ]
    watch = Stopwatch("checkins story on Matrix, end to end")
    bot = bot_account.user_id
    invited = [bot, *(p.user_id for _, p in mayors)]
    group = await wang.create_room(name="饮用水水源保护工作群", invite=invited)
    for _, mayor in mayors:
        await mayor.join(group)
    people = [
        {"name": "王副部长", "identities": [f"matrix:{wang.user_id}"]},
        *({"name": name, "identities": [f"matrix:{p.user_id}"]} for name, p in mayors),
    ]
    checkins = {
        "campaigns": [
            {
                "name": CAMPAIGN,
                "group": f"matrix:{group}",
                "owners": ["王副部长"],
                "participants": [name for name, _ in mayors],
                "schedule": not_today(),
                "opens": "09:00",
                "closes": "18:00",
            }
        ]
    }
    started.append(
        await start_bot(
            tmp_path,
            synapse,
            bot_account,
            allowed=[wang.user_id],
            modules=[("checkins", hooks)],
            people=people,
            plugins={"checkins": checkins},
        )
    )
    await in_room(wang, group, bot)
    watch.lap("set-up: rooms, the bot logs in and joins")

    # the owner opens today's check-in: everyone sees the prompt with the questions
    since = {p.user_id: await p.position() for p in (wang, *(p for _, p in mayors))}
    await wang.say(group, f"/汇报情况 开始 {CAMPAIGN}")
    for who in (wang, *(p for _, p in mayors)):
        prompt, since[who.user_id] = await who.next_from(group, bot, since[who.user_id])
    watch.lap("opening")
    lines = body(prompt).splitlines()
    assert lines[0].startswith(f"📋 {CAMPAIGN}：请于 ") and lines[0].endswith("前汇报。")
    assert lines[1:4] == ["1. 本周进展", "2. 存在问题", "3. 下周计划"]
    assert lines[4].startswith("请回复本消息、发送带 #周报 的消息")
    assert lines[-1] == "1. ✍️ 私聊填写"  # the button, as a number to type

    # 福州市长 replies to the prompt (with the quoted fallback older clients send)
    report = await fuzhou.reply(
        group, prompt["event_id"], "本周进展：完成3处水源地巡查\n存在问题：无", quoted=lines[0]
    )
    receipt, since[fuzhou.user_id] = await fuzhou.next_from(group, bot, since[fuzhou.user_id])
    assert body(receipt) == "✅ 已收到 福州市长 的汇报（1/4）。\n\n1. 👍 已阅"
    assert receipt["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": report}}

    # 厦门市长 writes #周报 in the group, then corrects his message (m.replace)
    since[xiamen.user_id] = await xiamen.position()
    tagged = await xiamen.say(group, "#周报 本周完成取水口围网")
    xm_receipt, since[xiamen.user_id] = await xiamen.next_from(group, bot, since[xiamen.user_id])
    assert body(xm_receipt) == "✅ 已收到 厦门市长 的汇报（2/4）。\n\n1. 👍 已阅"
    await xiamen.edit(group, tagged, "#周报 本周完成取水口围网和警示牌")
    shown = await xiamen.wait_shown(
        group, xm_receipt["event_id"], lambda c: "已更新" in c.get("body", "")
    )
    assert shown["body"] == "✅ 厦门市长 的汇报已更新。\n\n1. 👍 已阅"

    # 泉州市长 taps 1️⃣ under the prompt (a bare "1" would press the latest receipt's button):
    # the bot invites him to a private room and asks the questions one by one
    group_since = await wang.position()
    await quanzhou.react(group, prompt["event_id"], keycap(1))
    [private] = await wait_for(quanzhou.invited_rooms, bool)
    await quanzhou.join(private)
    [asked] = await quanzhou.wait_from_bot(private, bot, 1)
    assert body(asked) == "1/3 本周进展\n\n[取消]"
    qz_since = await quanzhou.position()
    for answer, then in (
        ("关停2家排污企业", "2/3 存在问题"),
        ("资金不足", "3/3 下周计划"),
        ("继续整治", "如有现场照片或视频请发送；没有请点「跳过」。"),
    ):
        await quanzhou.say(private, answer)
        asked, qz_since = await quanzhou.next_from(private, bot, qz_since)
        assert body(asked).startswith(then)
    await quanzhou.say(private, "1")  # 跳过: a photo question takes a number as a press
    thanks, qz_since = await quanzhou.next_from(private, bot, qz_since)
    assert body(thanks).startswith("谢谢，您的「水源保护周报」汇报已收到。")
    posted, group_since = await wang.next_from(group, bot, group_since)
    assert body(posted) == (
        "✅ 已收到 泉州市长 的汇报（3/4）。\n\n本周进展：关停2家排污企业\n存在问题：资金不足\n"
        "下周计划：继续整治\n\n1. 👍 已阅"
    )

    # the owner taps 👍 on 福州's report (Element sends the emoji with VS16): its receipt says so
    await wang.react(group, report, "👍\ufe0f")
    shown = await fuzhou.wait_shown(
        group, receipt["event_id"], lambda c: "王副部长 已阅" in c.get("body", "")
    )
    assert shown["body"] == "✅ 已收到 福州市长 的汇报。\n👍 王副部长 已阅\n\n1. 👍 已阅"

    # the owner closes it: the summary names who did not report and shows the 👍
    since[ningde.user_id] = await ningde.position()
    await wang.say(group, f"/汇报情况 结束 {CAMPAIGN}")
    summary, _ = await ningde.next_from(group, bot, since[ningde.user_id])
    watch.lap("reports (reply, tag and edit, private), 👍, close")
    lines = body(summary).splitlines()
    assert lines[0].startswith(f"📊 {CAMPAIGN} · ") and lines[0].endswith(" 汇报小结")
    assert lines[1:] == [
        "参与率：75%（应报 4 人，已报 3 人）",
        "已汇报：",
        "1. 福州市长：本周进展：完成3处水源地巡查 👍",
        "2. 厦门市长：本周完成取水口围网和警示牌",
        "3. 泉州市长：本周进展：关停2家排污企业",
        "❌ 未汇报：宁德市长",
        "👍 负责人已阅：1/3 份",
    ]
    assert watch.stop() < 15
