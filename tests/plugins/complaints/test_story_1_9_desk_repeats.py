"""Story 1.9, as the desk is really used (issue 14 follow-ups): several residents report the
same thing in a village group before anyone files it, and the desk shows it once, "👥 3人反映",
ranked up; routing it files one ticket that every reporter follows. Only the heads of the units
above a problem and supervisors may route it: a unit's member sees the desk and is told so. A
report whose author is asked "a similar problem was reported: is yours the same?" stays on the
desk until it is answered, and the desk may settle it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Follower, Ticket
from tests.support.complaints_desk import desk_complaints
from tests.support.shanghai import at

from .conftest import press_stale

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [
        {"name": "李书记", "identities": ["memory:li"]},
        {"name": "周镇长", "identities": ["memory:zhou"]},
        {"name": "小吴", "identities": ["memory:wu"]},
        {"name": "赵主任", "identities": ["memory:zhao"]},
        {"name": "王督查", "identities": ["memory:wang"], "roles": ["supervisor"]},
    ],
    "org": {
        "district": {"name": "区委", "chats": ["memory:区委群"], "head": "李书记"},
        "sanitation": {
            "name": "环卫所",
            "parent": "district",
            "chats": ["memory:环卫所"],
            "members": ["赵主任"],
        },
        "housing": {"name": "住建局", "parent": "district", "chats": ["memory:住建局"]},
        "town": {
            "name": "东湖镇",
            "parent": "district",
            "chats": ["memory:东湖镇群"],
            "head": "周镇长",
            "members": ["小吴"],
        },
        "v01": {"name": "村01村委", "parent": "town", "chats": ["memory:村01群"]},
        "v02": {"name": "村02村委", "parent": "town", "chats": ["memory:村02群"]},
    },
    "plugins": {"complaints": desk_complaints()},
}


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


def _desk(sent: list[Sent]) -> Sent:
    [desk] = [s for s in sent if s.text.startswith("📋")]
    return desk


async def _three_report_the_garbage(bot: BotHarness) -> list[Sent]:
    """Monday 9:00 a road problem in 村02; from 10:00 three villagers (one twice) about the
    same garbage in 村01, and a 垃圾 in 村02 that is another problem (another group)."""
    bot.clock.set(at("2026-11-16", 9))
    await bot.send("村道混凝土没按规范养护，偷工减料", user="r1", chat="村02群")
    offers = []
    for n, (user, text) in enumerate(
        [
            ("m1", "村口垃圾堆了一个星期没人管，臭气熏天"),
            ("m2", "村口那堆垃圾谁来管管，苍蝇到处飞"),
            ("m1", "垃圾还是没人清，夏天要出事的"),
            ("m3", "垃圾站满了，都倒在路边了"),
        ]
    ):
        bot.clock.set(at("2026-11-16", 10 + n))
        [offer] = await bot.send(text, user=user, chat="村01群")
        offers.append(offer)
    bot.clock.set(at("2026-11-16", 15))
    await bot.send("学校门口的垃圾桶满了", user="r2", chat="村02群")
    bot.clock.set(at("2026-11-16", 16))
    return offers


async def test_several_people_reporting_the_same_thing_are_one_item_ranked_up(
    bot: BotHarness,
) -> None:
    await _three_report_the_garbage(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    lines = desk.text.splitlines()
    assert "共 3 件" in lines[0]  # not 6: the four garbage messages of 村01 are one
    assert lines[1] == "1. 🆕 未登记 · 环境卫生"
    assert lines[2] == "   “村口垃圾堆了一个星期没人管，臭气熏天” · 村01群 · 6小时前 · 👥 3人反映"
    # the road was raised first, but fewer people raised it
    assert lines[3] == "2. 🆕 未登记 · 工程质量"
    assert lines[5] == "3. 🆕 未登记 · 环境卫生"
    assert "学校门口的垃圾桶满了” · 村02群 · 1小时前" in lines[6]
    assert "人反映" not in "\n".join(lines[3:])


async def test_routing_them_files_one_ticket_every_reporter_follows(bot: BotHarness) -> None:
    offers = await _three_report_the_garbage(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    [question] = await bot.press(desk, "1", user="li")
    assert question.text.startswith("未登记 · 环境卫生\n“村口垃圾堆了一个星期没人管，臭气熏天”")
    await bot.press(question, "环卫所", user="li")
    await bot.send("明天下班前", user="li")
    sent = await bot.send("请今天之内清运", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text.startswith("Q-2026-0001 已交环卫所办理，限 11月17日（周二） 18:00 前办结。")
    [card] = bot.sent_to("环卫所")
    assert "👥 另有 2 人反映同一问题" in card.text
    assert all(o.text == "已登记为问题 Q-2026-0001。" for o in offers)  # each offer says so
    async with bot.app.db.session() as s:
        tickets = (await s.scalars(select(Ticket))).all()
        assert [t.number for t in tickets] == ["Q-2026-0001"]
        followers = (await s.execute(select(Follower.user_key, Follower.kind))).all()
    assert sorted(followers) == [
        ("memory:m1", "reporter"),
        ("memory:m2", "metoo"),
        ("memory:m3", "metoo"),
    ]
    sent = await bot.press(card, "接单", user="zhao")
    told = [s for s in sent if s.chat.chat_id == "村01群"]
    assert len(told) == 3  # each reporter, under his own message
    assert {s.reply.reply_to for s in told} == {o.reply.reply_to for o in offers} - {
        offers[2].reply.reply_to  # m1's second message: he is told once
    }
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "共 3 件" in desk.text
    assert "1. Q-2026-0001 · 已接单 · 环卫所" in desk.text
    assert "👥 3人反映" in desk.text


async def test_a_units_member_sees_the_desk_but_may_not_route(bot: BotHarness) -> None:
    await _three_report_the_garbage(bot)
    desk = _desk(await bot.send("/问题台", user="wu"))  # a member of 东湖镇
    assert "共 3 件" in desk.text
    assert desk.text.endswith("这里列出您所在单位的问题；只有单位负责人和督查人员可以交办。")
    [refused] = await bot.press(desk, "1", user="wu")
    assert refused.text == "只有单位负责人和督查人员可以交办。"
    assert refused.labels == []
    member = _desk(await bot.send("/问题台", user="zhao"))  # 环卫所: nothing of his yet
    assert "共 0 件" in member.text
    # the town's head may, and so may a supervisor
    [question] = await bot.press(_desk(await bot.send("/问题台", user="zhou")), "1", user="zhou")
    assert question.text.endswith("交给哪个单位办理？请点选，或直接写单位名称。")
    [question] = await bot.press(_desk(await bot.send("/问题台", user="wang")), "2", user="wang")
    assert question.text.endswith("交给哪个单位办理？请点选，或直接写单位名称。")


async def test_a_report_asked_about_a_similar_one_stays_on_the_desk(bot: BotHarness) -> None:
    """A filed ticket with a place; a second report nearby is offered in its group and the
    supervisor presses 登记为问题: asked whether it repeats the ticket, it must not drop off the
    desk; the desk routes it, and the question under it is settled."""
    bot.clock.set(at("2026-11-16", 9))
    [first] = await bot.send(
        "路边污水横流没人管", user="m1", chat="村01群", location=(26.650, 119.520)
    )
    [which] = await bot.press(first, "登记为问题", user="wang")  # the village's, or 环卫所?
    await bot.press(which, "环卫所", user="wang")
    [offer] = await bot.send(
        "这里污水又漫出来了，一直没人管", user="m2", chat="村02群", location=(26.6505, 119.5202)
    )
    [which] = await bot.press(offer, "登记为问题", user="m2")
    sent = await bot.press(which, "村02村委", user="m2")
    [similar] = [s for s in sent if s.text.startswith("附近最近已有人反映过类似问题")]
    assert offer.text == "请先回答下面的问题。"
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "共 2 件" in desk.text
    assert "2. 🆕 未登记 · 环境卫生\n   “这里污水又漫出来了，一直没人管” · 村02群" in desk.text
    [question] = await bot.press(desk, "2", user="li")
    await bot.press(question, "村02村委", user="li")
    await bot.send("三个工作日内", user="li")
    sent = await bot.send("请村里先处置", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text.startswith("Q-2026-0002 已交村02村委办理")
    assert offer.text == similar.text == "已登记为问题 Q-2026-0002。"
    [late] = await press_stale(bot, similar, 1, user="m2")  # pressed on a slow phone
    assert "Q-2026-0002" in late.text


async def test_an_answered_similar_report_leaves_the_desk(bot: BotHarness) -> None:
    """Answered "me too", the report is the ticket's: the desk shows it once, two people."""
    bot.clock.set(at("2026-11-16", 9))
    [first] = await bot.send(
        "路边污水横流没人管", user="m1", chat="村01群", location=(26.650, 119.520)
    )
    [which] = await bot.press(first, "登记为问题", user="wang")
    await bot.press(which, "环卫所", user="wang")
    [offer] = await bot.send(
        "这里污水又漫出来了，一直没人管", user="m2", chat="村01群", location=(26.6505, 119.5202)
    )
    [which] = await bot.press(offer, "登记为问题", user="m2")
    sent = await bot.press(which, "环卫所", user="m2")
    [similar] = [s for s in sent if s.text.startswith("附近最近已有人反映过类似问题")]
    await bot.press(similar, 1, user="m2")  # the same as Q-2026-0001
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "共 1 件" in desk.text
    assert "Q-2026-0001 · 已派单 · 环卫所" in desk.text
    assert "👥 2人反映" in desk.text
