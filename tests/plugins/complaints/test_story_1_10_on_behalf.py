"""Story 1.10 (issue 14, item 3): a leader files a problem on a resident's behalf. The real
reporter is recorded and told, confirms and rates like any reporter, and may be anonymous to
the units; the leader stays the one who filed it; a phone goes only to the handling unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.behalf import read_words
from qunzhu.plugins.complaints.models import Ticket

from .conftest import CONFIG, only

PHONE = "13800001111"


@pytest.fixture
def bot_config() -> dict[str, Any]:
    people = [*CONFIG["people"], {"name": "陈阿姨", "identities": ["memory:chen"]}]
    return {**CONFIG, "people": people}


async def _ticket(bot: BotHarness) -> Ticket:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket


def test_the_words_leaders_use() -> None:
    assert read_words(f"代张大爷反映 {PHONE}：三组路口垃圾没人处理") == (
        f"张大爷 {PHONE}",
        "三组路口垃圾没人处理",
    )
    assert read_words("替陈阿姨登记：农家乐门口垃圾") == ("陈阿姨", "农家乐门口垃圾")
    assert read_words("广场垃圾没人处理") == ("", "广场垃圾没人处理")


async def test_forwarded_photos_filed_for_a_known_resident_who_confirms(bot: BotHarness) -> None:
    # 陈阿姨 wrote to the secretary; he forwards her three photos and her words to the bot
    [asked] = await bot.send(
        "农家乐门口的垃圾堆了好几天没人处理", user="wang", photos=["p1", "p2", "p3"]
    )
    assert asked.text == "收到 3 张照片。要反映问题吗？"
    forwarded = bot.last_event
    assert forwarded is not None
    [question] = await bot.send(
        "/ticket @陈阿姨", user="wang", reply_to=forwarded.event_id, mentions=["memory:chen"]
    )
    assert question.text == "已为 陈阿姨 登记。承办单位可以看到反映人的姓名（和电话）吗？"
    assert question.labels == ["承办单位可见姓名", "对承办单位匿名", "取消"]
    sent = await bot.press(question, "对承办单位匿名", user="wang")
    done = only(sent, "dm:wang")
    assert done.text.startswith("已登记为问题 Q-2026-0001（环境卫生），已转 环卫所 办理。")
    told = only(sent, "dm:chen")
    assert told.text.startswith("王书记 替您登记了问题 Q-2026-0001：农家乐门口的垃圾堆了好几天")
    card = only(sent, "环卫所")
    assert "反映人：匿名" in card.text and "陈" not in card.text
    assert card.reply.photo == "p1"
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key, ticket.anonymous) == (
        "陈阿姨",
        "memory:chen",
        True,
    )
    assert [p["ref"] for p in ticket.photos] == ["p1", "p2", "p3"]  # once each

    # the unit handles it; the reporter, not the leader, is asked and answers in her words
    await bot.press(card, "接单", user="zhao")
    assert bot.sent_to("dm:chen")[-1].text == "您反映的问题 Q-2026-0001 已被接单，正在办理。"
    await bot.press(card, "已解决", user="zhao")
    await bot.send("已清运", user="zhao", chat="环卫所")
    sent = await bot.press(bot.sent[-1], "跳过", user="zhao")
    assert only(sent, "dm:chen").text.endswith("问题解决了吗？")
    assert [s for s in sent if s.chat.chat_id == "dm:wang"] == []
    [stars] = await bot.send("谢谢书记，已经清理干净了", user="chen")
    assert stars.text.startswith("谢谢，Q-2026-0001 已确认解决")
    await bot.press(stars, 5, user="chen")

    # the unit's view of the timeline: who filed it, never who reported it
    [view] = await bot.send("/ticket Q-2026-0001", user="zhao", chat="环卫所")
    assert "代为登记 · 王书记" in view.text
    assert "陈阿姨" not in view.text and "chen" not in view.text
    for sent_message in bot.sent:
        if sent_message.chat.chat_id not in ("dm:chen", "dm:wang"):
            for reply in (sent_message.reply, *sent_message.edits):
                assert "陈阿姨" not in reply.text


async def test_a_name_and_phone_in_the_words_go_to_the_unit_only(bot: BotHarness) -> None:
    [question] = await bot.send(f"/ticket 代张大爷反映 {PHONE}：三组路口垃圾没人处理", user="wang")
    assert question.text == "已为 张大爷 登记。承办单位可以看到反映人的姓名（和电话）吗？"
    sent = await bot.press(question, "承办单位可见姓名", user="wang")
    texts = [s.text for s in sent if s.chat.chat_id == "dm:wang"]
    assert texts[0].startswith("已登记为问题 Q-2026-0001（环境卫生），已转 环卫所 办理。")
    assert texts[1] == "我无法私信 张大爷，Q-2026-0001 的办理进展将告诉您。"
    card = only(sent, "环卫所")
    assert f"反映人：张大爷 {PHONE}" in card.text
    assert "三组路口垃圾没人处理" in card.text and "代张大爷" not in card.text
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_phone, ticket.reporter_key) == (
        "张大爷",
        PHONE,
        "",
    )
    # the leader stands in for the reporter: he is told of its progress
    await bot.press(card, "接单", user="zhao")
    assert bot.sent_to("dm:wang")[-1].text == "您反映的问题 Q-2026-0001 已被接单，正在办理。"
    # the unit sends it back to the supervisors: their group sees the name, never the phone
    [menu] = await bot.press(card, "更多…", user="zhao")
    await bot.press(menu, "非本部门职责", user="zhao")
    sent = await bot.send("这条路归住建局管", user="zhao", chat="环卫所")
    supervision = only(sent, "督查组")
    assert "反映人：张大爷" in supervision.text and PHONE not in supervision.text
    for s in bot.sent:
        if s.chat.chat_id != "环卫所":
            for reply in (s.reply, *s.edits):
                assert PHONE not in reply.text


async def test_asked_step_by_step_who_reported_it(bot: BotHarness) -> None:
    [who] = await bot.send("/ticket 广场垃圾没人处理", user="wang")
    assert who.text.startswith("是谁向您反映的？")
    assert who.labels == ["我自己发现的", "取消"]
    again, asked_again = await bot.send("？？", user="wang")
    assert again.text.startswith("我没看明白是谁")
    assert asked_again.text == who.text
    [anonymous_q] = await bot.send("李大姐 13900002222", user="wang")
    assert anonymous_q.text.startswith("已为 李大姐 登记。")
    await bot.press(anonymous_q, "对承办单位匿名", user="wang")
    [card] = bot.sent_to("环卫所")
    assert "反映人：匿名" in card.text and "13900002222" not in card.text


async def test_the_leaders_own_report_is_filed_as_his(bot: BotHarness) -> None:
    [who] = await bot.send("/ticket 广场垃圾没人处理", user="wang")
    done = only(await bot.press(who, "我自己发现的", user="wang"), "dm:wang")
    assert done.text.startswith("已登记为问题 Q-2026-0001（环境卫生）")
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key) == ("王书记", "memory:wang")


async def test_a_leaders_forwarded_words_are_offered_not_taken_as_his_report(
    bot: BotHarness,
) -> None:
    [asked] = await bot.send(f"代张大爷反映 {PHONE}：五组垃圾没人处理", user="wang")
    assert asked.text == "要登记这个问题吗？"
    [anonymous_q] = await bot.press(asked, "反映问题", user="wang")
    assert anonymous_q.text.startswith("已为 张大爷 登记。")
    await bot.press(anonymous_q, "承办单位可见姓名", user="wang")
    ticket = await _ticket(bot)
    assert (ticket.description, ticket.reporter_name) == ("五组垃圾没人处理", "张大爷")


async def test_a_mention_before_the_words_names_the_reporter(bot: BotHarness) -> None:
    sent = await bot.send(
        "/ticket @陈阿姨 景区停车场垃圾没人处理", user="wang", mentions=["memory:chen"]
    )
    [question] = sent
    assert question.text.startswith("已为 陈阿姨 登记。")
    sent = await bot.press(question, "承办单位可见姓名", user="wang")
    assert "反映人：陈阿姨" in only(sent, "环卫所").text
    ticket = await _ticket(bot)
    assert (ticket.description, ticket.reporter_key) == ("景区停车场垃圾没人处理", "memory:chen")


@pytest.mark.parametrize(
    "bot_config",
    [
        {
            **CONFIG,
            "plugins": {
                "complaints": {**CONFIG["plugins"]["complaints"], "anonymous_default": True}
            },
        }
    ],
)
async def test_anonymity_is_offered_first_when_it_is_the_default(bot: BotHarness) -> None:
    [question] = await bot.send(f"/ticket 代张大爷反映 {PHONE}：三组路口垃圾没人处理", user="wang")
    assert question.labels == ["对承办单位匿名", "承办单位可见姓名", "取消"]
