"""Regression (issue 14): a resident's message that a leader forwards to the bot was taken for
the leader's own, and the on-behalf flow guessed the reporter from words and @mentions only.
Now the forward's origin (`Message.forwarded_from`) names the resident: a known person is the
reporter at once, a writer who hides their account is asked about (their name on a button),
the leader's own words still win, and the writer of an anonymous report reaches no unit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket

from .conftest import CONFIG, only


@pytest.fixture
def bot_config() -> dict[str, Any]:
    people = [*CONFIG["people"], {"name": "陈阿姨", "identities": ["memory:chen"]}]
    return {**CONFIG, "people": people}


async def _ticket(bot: BotHarness) -> Ticket:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket


def _nowhere_but_private(bot: BotHarness, *words: str) -> None:
    """None of `words` in anything the bot sent outside the private chats of 陈阿姨 and 王书记."""
    for sent in bot.sent:
        if sent.chat.chat_id not in ("dm:chen", "dm:wang"):
            for reply in (sent.reply, *sent.edits):
                assert not any(w in reply.text for w in words), reply.text


async def test_ticket_on_a_forwarded_message_names_its_writer_and_keeps_her_anonymous(
    bot: BotHarness,
) -> None:
    her = bot.origin("chen", name="陈阿姨")
    [asked] = await bot.send(
        "农家乐门口的垃圾堆了好几天没人处理", user="wang", photos=["p1", "p2"], forwarded_from=her
    )
    assert asked.text == "收到 2 张照片。要反映问题吗？"
    forwarded = bot.last_event
    assert forwarded is not None
    # no words after /ticket: the forward says who told him, nobody asks
    [question] = await bot.send("/ticket", user="wang", reply_to=forwarded.event_id)
    assert question.text == "已为 陈阿姨 登记。承办单位可以看到反映人的姓名（和电话）吗？"
    sent = await bot.press(question, "对承办单位匿名", user="wang")
    assert only(sent, "dm:chen").text.startswith("王书记 替您登记了问题 Q-2026-0001：")
    card = only(sent, "环卫所")
    assert "反映人：匿名" in card.text
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key, ticket.anonymous) == (
        "陈阿姨",
        "memory:chen",
        True,
    )
    [view] = await bot.send("/ticket Q-2026-0001", user="zhao", chat="环卫所")
    assert "代为登记 · 王书记" in view.text
    _nowhere_but_private(bot, "陈阿姨", "chen")


async def test_forwarded_photos_offered_then_filed_name_their_writer(bot: BotHarness) -> None:
    her = bot.origin("chen", name="陈阿姨")
    await bot.send("景区停车场垃圾", user="wang", photos=["p1"], forwarded_from=her)
    [asked] = await bot.send("", user="wang", photos=["p2"], forwarded_from=her)
    assert asked.text == "收到 2 张照片。要反映问题吗？"
    [question] = await bot.press(asked, "反映问题", user="wang")
    assert question.text.startswith("已为 陈阿姨 登记。")
    await bot.press(question, "承办单位可见姓名", user="wang")
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key) == ("陈阿姨", "memory:chen")
    assert [p["ref"] for p in ticket.photos] == ["p1", "p2"]


async def test_photos_from_two_people_leave_the_reporter_to_ask(bot: BotHarness) -> None:
    await bot.send("", user="wang", photos=["p1"], forwarded_from=bot.origin("chen"))
    [asked] = await bot.send("广场垃圾", user="wang", photos=["p2"])  # his own photo too
    [who] = await bot.press(asked, "反映问题", user="wang")
    assert who.text.startswith("是谁向您反映的？")


async def test_a_hidden_writer_is_asked_about_with_the_name_on_a_button(bot: BotHarness) -> None:
    hidden = bot.origin(name="张大爷")
    [asked] = await bot.send("三组路口垃圾没人处理", user="wang", forwarded_from=hidden)
    assert asked.text == "要登记这个问题吗？"
    [who] = await bot.press(asked, "反映问题", user="wang")
    assert who.text.startswith("这条消息转发自「张大爷」，对方隐藏了账号，无法确认是谁。")
    assert who.labels == ["张大爷", "我自己发现的", "取消"]
    [anonymous_q] = await bot.press(who, "张大爷", user="wang")
    assert anonymous_q.text.startswith("已为 张大爷 登记。")
    await bot.press(anonymous_q, "承办单位可见姓名", user="wang")
    ticket = await _ticket(bot)
    assert (ticket.reporter_name, ticket.reporter_key) == ("张大爷", "")


async def test_the_leaders_words_name_the_reporter_before_the_forward(bot: BotHarness) -> None:
    await bot.send("五组垃圾没人处理", user="wang", forwarded_from=bot.origin("chen"))
    forwarded = bot.last_event
    assert forwarded is not None
    [question] = await bot.send(
        "/ticket 李大姐 13900002222", user="wang", reply_to=forwarded.event_id
    )
    assert question.text.startswith("已为 李大姐 登记。")
