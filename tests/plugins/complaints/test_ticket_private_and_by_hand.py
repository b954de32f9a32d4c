"""A resident's /ticket in private goes through the report dialog (anonymity asked); the
supervisors close and reopen tickets by hand, with a reason (issue 14, item 11)."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket, TicketEvent

from .conftest import only


async def test_a_residents_ticket_in_private_asks_step_by_step(bot: BotHarness) -> None:
    [photo_q] = await bot.send("/登记 广场垃圾没人处理", user="chen")
    assert photo_q.text == "请发送一张现场照片，或按“跳过”。"  # not filed as it stands
    async with bot.app.db.session() as s:
        assert (await s.scalars(select(Ticket))).all() == []
    [where_q] = await bot.press(photo_q, "跳过", user="chen")
    [kind_q] = await bot.send("村口广场", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    assert name_q.labels == ["实名", "匿名", "取消"]
    [check] = await bot.press(name_q, "匿名", user="chen")
    assert "问题：广场垃圾没人处理" in check.text
    done = only(await bot.press(check, "提交", user="chen"), "dm:chen")
    assert done.text.startswith("已登记为问题 Q-2026-0001（环境卫生），已转 环卫所 办理。")
    [card] = bot.sent_to("环卫所")
    assert "反映人：匿名" in card.text


async def test_without_words_the_dialog_asks_what_the_problem_is(bot: BotHarness) -> None:
    [asked] = await bot.send("/ticket", user="chen")
    assert asked.text == "遇到了什么问题？请简单描述。"


async def test_an_official_in_private_is_asked_whose_report_it_is(bot: BotHarness) -> None:
    """Changed (issue 14, item 3): an official's private /ticket is often a resident's words
    passed on; it was filed at once as his own report. He is now asked who reported it, and
    one press ("我自己发现的") files it as his."""
    [who] = await bot.send("/ticket 广场垃圾没人处理", user="wang")
    assert who.labels == ["我自己发现的", "取消"]
    done = only(await bot.press(who, "我自己发现的", user="wang"), "dm:wang")
    assert done.text.startswith("已登记为问题 Q-2026-0001（环境卫生）")


async def _filed(bot: BotHarness) -> None:
    await bot.send("/ticket 广场垃圾没人处理", user="wang", chat="村民群")


async def test_a_supervisor_closes_and_reopens_by_hand(bot: BotHarness) -> None:
    await _filed(bot)
    [card] = bot.sent_to("环卫所")
    sent = await bot.send("/关闭 Q-2026-0001 已电话核实，村委已自行清理", user="wang")
    assert only(sent, "dm:wang").text == "Q-2026-0001 已关闭。"
    assert only(sent, "环卫所").text == (
        "王书记 已关闭 Q-2026-0001：已电话核实，村委已自行清理。此件无需再办理。"
    )
    assert (
        only(sent, "村民群").text
        == "您反映的问题 Q-2026-0001 已关闭。说明：已电话核实，村委已自行清理"
    )
    assert "状态：已关闭" in card.text and card.labels == []

    sent = await bot.send("/reopen q-2026-1 村民反映又堆满了", user="wang")
    assert only(sent, "dm:wang").text == "Q-2026-0001 已重新打开，由 环卫所 办理，时限重新计算。"
    assert only(sent, "环卫所").text == (
        "王书记 已重开 Q-2026-0001：村民反映又堆满了。请在工单卡片上重新接单。"
    )
    assert card.labels == ["接单", "已解决", "转办", "更多…"]
    async with bot.app.db.session() as s:
        events = (await s.scalars(select(TicketEvent).order_by(TicketEvent.id))).all()
    assert [(e.action, e.actor_name, e.note) for e in events[1:]] == [
        ("close", "王书记", "已电话核实，村委已自行清理"),
        ("reopen", "王书记", "村民反映又堆满了"),
    ]
    [view] = await bot.send("/ticket Q-2026-0001", user="wang")
    assert "关闭 · 王书记 · 已电话核实，村委已自行清理" in view.text


async def test_closing_by_hand_needs_a_supervisor_a_reason_and_a_ticket(bot: BotHarness) -> None:
    await _filed(bot)
    [refused] = await bot.send("/关闭 Q-2026-0001 不想办", user="zhao", chat="环卫所")
    assert refused.text == "抱歉，/关闭 仅限“督办人”角色使用。"
    [why] = await bot.send("/关闭 Q-2026-0001", user="wang")
    assert why.text == "请在编号后写明原因，记入办理记录并告知承办部门。"
    [missing] = await bot.send("/关闭 Q-2026-0099 重复", user="wang")
    assert missing.text == "没有编号为 Q-2026-0099 的工单。"
    [not_closed] = await bot.send("/重开 Q-2026-0001 再看看", user="wang")
    assert not_closed.text == "Q-2026-0001 当前已是“已派单”，未作任何更改。"
