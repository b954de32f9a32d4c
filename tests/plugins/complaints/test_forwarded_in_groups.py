"""Regression (issue 14): in a group, a message forwarded from a resident was filed as the
forwarder's own report, by the "登记为问题" offer and by ``/ticket`` as a reply. Now it is the
writer's, as in private: whoever files it is asked in their private chat (the writer who hides
their account, by the name on a button; whether the unit may see the name), never in the group;
the group's offer gives the number. A post forwarded from a channel stays the forwarder's
report, its source named in the description."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core import ForwardOrigin
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket

from .conftest import CONFIG, only, press_stale

PROBLEM = "农家乐门口的垃圾堆了好几天没人处理"


@pytest.fixture
def bot_config() -> dict[str, Any]:
    people = [*CONFIG["people"], {"name": "陈阿姨", "identities": ["memory:chen"]}]
    return {**CONFIG, "people": people}


async def _ticket(bot: BotHarness) -> Ticket:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket


def _only_privately(bot: BotHarness, *words: str) -> None:
    """None of `words` in anything the bot sent but to the private chats of 陈阿姨 and 王书记."""
    for sent in bot.sent:
        if sent.chat.chat_id not in ("dm:chen", "dm:wang"):
            for reply in (sent.reply, *sent.edits):
                assert not any(w in reply.text for w in words), (sent.chat.chat_id, reply.text)
                assert not any(w in label for w in words for label in sent.labels)


async def test_an_offer_on_a_forwarded_message_files_it_as_its_writers(bot: BotHarness) -> None:
    her = bot.origin("chen", name="陈阿姨")
    [offer] = await bot.send(PROBLEM, user="liu", chat="村民群", forwarded_from=her)
    assert offer.text == "这条消息像是在反映问题（环境卫生）。"
    forwarded = bot.last_event
    assert forwarded is not None
    sent = await bot.press(offer, "登记为问题", user="wang")
    said = only(sent, "村民群")
    assert said.text == "这条消息是转发的，我已私信您确认反映人，请在私聊中继续。"
    about, question = bot.sent_to("dm:wang")
    assert about.text == f"关于「村民群」群里转发的消息：“{PROBLEM}”"
    assert question.text == "已为 陈阿姨 登记。承办单位可以看到反映人的姓名（和电话）吗？"
    sent = await bot.press(question, "对承办单位匿名", user="wang")
    assert only(sent, "dm:chen").text.startswith("王书记 替您登记了问题 Q-2026-0001：")
    assert "反映人：匿名" in only(sent, "环卫所").text
    assert offer.text == "已登记为问题 Q-2026-0001。"  # the offer in the group, edited
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key, ticket.anonymous) == (
        "陈阿姨",
        "memory:chen",
        True,
    )
    assert (ticket.source_chat, ticket.source_event) == ("memory:村民群", forwarded.event_id)
    [view] = await bot.send("/ticket Q-2026-0001", user="zhao", chat="环卫所")
    assert "代为登记 · 王书记" in view.text
    again = await press_stale(bot, offer, 1, user="wang")  # a slow phone's second press
    assert [s.text for s in again] == ["已登记为 Q-2026-0001。"]
    _only_privately(bot, "陈阿姨", "chen")


async def test_two_officials_asked_at_once_file_it_once(bot: BotHarness) -> None:
    her = bot.origin("chen", name="陈阿姨")
    [offer] = await bot.send(PROBLEM, user="liu", chat="村民群", forwarded_from=her)
    await bot.press(offer, "登记为问题", user="wang")
    await bot.press(offer, "登记为问题", user="zhang")  # before 王书记 answered
    await bot.press(bot.sent_to("dm:wang")[-1], "承办单位可见姓名", user="wang")
    late = await bot.press(bot.sent_to("dm:zhang")[-1], "承办单位可见姓名", user="zhang")
    assert [s.text for s in late] == ["已登记为 Q-2026-0001。"]
    async with bot.app.db.session() as s:
        assert len((await s.scalars(select(Ticket))).all()) == 1


async def test_ticket_replying_to_a_hidden_writer_asks_in_private(bot: BotHarness) -> None:
    hidden = bot.origin(name="张大爷")
    await bot.send("三组路口的路灯坏了", user="liu", chat="村民群", forwarded_from=hidden)
    forwarded = bot.last_event
    assert forwarded is not None
    sent = await bot.send("/ticket", user="wang", chat="村民群", reply_to=forwarded.event_id)
    assert only(sent, "村民群").text == "这条消息是转发的，我已私信您确认反映人，请在私聊中继续。"
    who = bot.sent_to("dm:wang")[-1]
    assert who.text.startswith("这条消息转发自「张大爷」，对方隐藏了账号，无法确认是谁。")
    assert who.labels == ["张大爷", "我自己发现的", "取消"]
    [anonymity] = await bot.press(who, "张大爷", user="wang")
    assert anonymity.text == "已为 张大爷 登记。承办单位可以看到反映人的姓名（和电话）吗？"
    assert [s.chat.chat_id for s in bot.sent_to("村民群")] == ["村民群"]  # nothing asked there
    sent = await bot.press(anonymity, "对承办单位匿名", user="wang")
    [in_group] = [s for s in sent if s.chat.chat_id == "村民群"]
    assert in_group.text == "已登记为问题 Q-2026-0001。"
    assert in_group.reply.reply_to == forwarded.event_id
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key, ticket.anonymous) == ("张大爷", "", True)
    assert ticket.source_chat == "memory:村民群"
    _only_privately(bot, "张大爷")


async def test_a_post_forwarded_from_a_channel_is_the_forwarders(bot: BotHarness) -> None:
    channel = ForwardOrigin("城关镇发布", None, "channel")
    [offer] = await bot.send(PROBLEM, user="liu", chat="村民群", forwarded_from=channel)
    sent = await bot.press(offer, "登记为问题", user="liu")  # the forwarder, who posted it
    assert any(s.text.startswith("已登记为问题 Q-2026-0001") for s in sent), [s.text for s in sent]
    ticket = await _ticket(bot)
    assert ticket.reporter_key == "memory:liu"
    assert ticket.description == f"{PROBLEM}\n（转发自「城关镇发布」）"
    assert "（转发自「城关镇发布」）" in only(sent, "环卫所").text


async def test_his_own_words_forwarded_back_are_his_report(bot: BotHarness) -> None:
    mine = bot.origin("liu", name="老刘")
    [offer] = await bot.send(PROBLEM, user="liu", chat="村民群", forwarded_from=mine)
    await bot.press(offer, "登记为问题", user="liu")
    ticket = await _ticket(bot)
    assert (ticket.reporter_key, ticket.anonymous) == ("memory:liu", False)
    assert bot.sent_to("dm:liu") == []


async def test_the_questions_after_it_are_asked_in_private_too(bot: BotHarness) -> None:
    """Raised in the group of 住建局 but of 环卫所's kind, near an open ticket: which unit, and
    whether it repeats that ticket, are asked in private; the offer in the group says the end."""
    [first] = await bot.send("广场垃圾没人处理", user="lina", chat="村民群", location=(26.6, 119.5))
    await bot.press(first, "登记为问题", user="lina")
    her = bot.origin("chen", name="陈阿姨")
    [offer] = await bot.send(
        PROBLEM, user="lina", chat="住建局", location=(26.6, 119.5), forwarded_from=her
    )
    await bot.press(offer, "登记为问题", user="wang")
    [unit_q] = await bot.press(bot.sent_to("dm:wang")[-1], "承办单位可见姓名", user="wang")
    assert (unit_q.chat.chat_id, unit_q.reply.reply_to) == ("dm:wang", None)
    assert unit_q.text.startswith("这是在 住建局 的群里提出的")
    [same_q] = await bot.press(unit_q, "环卫所", user="wang")
    assert same_q.chat.chat_id == "dm:wang" and "Q-2026-0001" in same_q.text
    await bot.press(same_q, "不是，登记新问题", user="wang")
    assert offer.text == "已登记为问题 Q-2026-0002。"
    assert [s.chat.chat_id for s in bot.sent_to("住建局")] == ["住建局", "住建局"]  # offer, moved
