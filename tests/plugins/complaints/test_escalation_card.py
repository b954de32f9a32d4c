"""The escalation card: when a ticket escalates one level up, the upper department's members
act from the card in their own group: 催办 (urge the department below), 已解决, 转办."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Ticket, TicketEvent

from .conftest import CONFIG, jump, only, press_stale

TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["people"].append(
        {"name": "孙主任", "identities": ["memory:sun"], "roles": ["member:township"]}
    )
    return config


async def _escalated(bot: BotHarness) -> tuple[Sent, Sent]:
    """Filed Monday 2026-01-05 09:00, acknowledged, due Friday; two working days late on the
    next Tuesday evening it escalates to 管委会. The department's card and the upper one."""
    [offer] = await bot.send(TEXT, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    await jump(bot, timedelta(days=8, hours=9))  # Tuesday 2026-01-13 18:00
    [upper] = bot.sent_to("管委会")
    return card, upper


async def test_the_upper_department_urges_the_one_below(bot: BotHarness) -> None:
    card, upper = await _escalated(bot)
    assert upper.text.startswith("⬆️ 升级督办：住建局 的 Q-2026-0001 已超期 2 天。\n\n📋")
    assert upper.labels == ["催办", "已解决", "转办"]
    [own] = await bot.press(upper, "催办", user="lina")  # the late department itself
    assert own.text == "只有 住建局 的上级部门和督查人员可以催办。"
    [other] = await bot.press(upper, "催办", user="zhao")  # a sister department
    assert other.text == own.text

    sent = await bot.press(upper, "催办", user="sun")
    assert only(sent, "管委会").text == "已催促 住建局 尽快办理 Q-2026-0001。"
    assert only(sent, "住建局").text == (
        "⏰ 催办：管委会（孙主任）督促尽快办理 Q-2026-0001（办结时限 01-09 18:00）。"
    )
    [twice] = await bot.press(upper, "催办", user="sun")
    assert twice.text == "Q-2026-0001 已于 01-13 18:00 催办过，一小时内不再重复催办。"
    await bot.advance(timedelta(hours=1))
    sent = await bot.press(upper, "催办", user="zhang")  # the district, two levels up
    assert only(sent, "住建局").text.startswith("⏰ 催办：区政府（张科长）督促尽快办理")
    async with bot.app.db.session() as s:
        urges = (
            await s.scalars(select(TicketEvent.actor_name).where(TicketEvent.action == "urge"))
        ).all()
    assert urges == ["孙主任", "张科长"]
    assert card.labels == ["处理中", "已解决", "转办", "更多…"]  # the card below is unchanged


async def test_the_upper_department_resolves_from_its_card(bot: BotHarness) -> None:
    card, upper = await _escalated(bot)
    [note_q] = await bot.press(upper, "已解决", user="sun")
    assert note_q.text == "Q-2026-0001：办理结果是什么？请简单说明。"
    [photo_q] = await bot.send("管委会督促施工方返工，已重新养护", user="sun", chat="管委会")
    sent = await bot.press(photo_q, "跳过", user="sun")
    assert only(sent, "管委会").text == "Q-2026-0001 已办结，已请反映人确认。"
    assert only(sent, "北部新城工程").text.startswith("您反映的问题 Q-2026-0001 已办结：")
    # both cards show it resolved, and neither has buttons left
    for shown in (card, upper):
        assert "已办结，待反映人确认" in shown.text and shown.labels == []
    assert upper.text.startswith("⬆️ 升级督办：住建局 的 Q-2026-0001 已超期 2 天。")
    [late] = await press_stale(bot, upper, 1, user="sun")
    assert late.text == "Q-2026-0001 当前已是“已办结，待反映人确认”，未作任何更改。"
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None and ticket.escalation_cards == []


async def test_the_upper_department_reassigns_from_its_card(bot: BotHarness) -> None:
    card, upper = await _escalated(bot)
    [which] = await bot.press(upper, "转办", user="sun")
    await bot.press(which, "环卫所", user="sun")
    sent = await bot.send("实为渣土清运问题", user="sun", chat="管委会")
    assert only(sent, "管委会").text == "Q-2026-0001 已转由 环卫所 办理。"
    assert card.text == "Q-2026-0001 已转办至 环卫所。" and card.labels == []
    assert upper.text == (
        "⬆️ 升级督办：住建局 的 Q-2026-0001 已超期 2 天。\n\nQ-2026-0001 已转办至 环卫所。"
    )
    assert upper.labels == []
    assert only(sent, "环卫所").labels == ["接单", "已解决", "转办", "更多…"]


async def test_the_district_card_after_a_second_escalation(bot: BotHarness) -> None:
    _, upper = await _escalated(bot)
    await jump(bot, timedelta(days=2))  # Thursday 18:00: four days late, to 区政府
    [district] = bot.sent_to("区政府")
    assert district.labels == ["催办", "已解决", "转办"]
    assert upper.labels == ["催办", "已解决", "转办"]  # the township keeps its buttons
    sent = await bot.press(district, "催办", user="zhang")
    assert only(sent, "住建局").text.startswith("⏰ 催办：区政府（张科长）")


async def test_an_anonymous_report_stays_anonymous_when_escalated(bot: BotHarness) -> None:
    [photo_q] = await bot.send("景区停车场垃圾没人处理", user="chen")
    [where_q] = await bot.press(photo_q, "跳过", user="chen")
    [kind_q] = await bot.send("水口茶文化景区停车场", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "匿名", user="chen")
    await bot.press(check, "提交", user="chen")  # Monday; 3 working days to resolve
    await jump(bot, timedelta(days=4, hours=9))  # Friday 18:00: two working days late
    [upper] = bot.sent_to("管委会")
    assert "反映人：匿名" in upper.text and upper.labels == ["催办", "已解决", "转办"]
    sent = await bot.press(upper, "催办", user="sun")
    assert only(sent, "环卫所").text.startswith("⏰ 催办：管委会（孙主任）督促尽快办理 Q-2026-0001")
    for message in bot.sent:
        if message.chat.chat_id != "dm:chen":
            for reply in (message.reply, *message.edits):
                assert "chen" not in reply.text and "陈" not in reply.text
