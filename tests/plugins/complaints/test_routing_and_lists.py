"""A ticket no category routes waits in the supervision group for 派单; lists page by page."""

from __future__ import annotations

from datetime import timedelta

from qunzhu.core.testing import BotHarness

from .conftest import jump, only


async def test_a_supervisor_routes_an_unrouted_ticket(bot: BotHarness) -> None:
    await bot.send("/ticket 村口桥栏杆松动，有安全隐患", user="wang", chat="村民群")
    [card] = bot.sent_to("督查组")
    assert "状态：新登记，未派单\n" in card.text
    assert card.labels == ["派单", "更多…"]
    [refused] = await bot.press(card, "派单", user="lina")
    assert refused.text.startswith("抱歉，您无权")
    [which] = await bot.press(card, "派单", user="wang")
    [why] = await bot.press(which, "住建局", user="wang")
    sent = await bot.send("桥梁归住建局管", user="wang", chat="督查组")
    assert only(sent, "督查组").text == "Q-2026-0001 已转由 住建局 办理。"
    new_card = only(sent, "住建局")
    assert new_card.labels == ["接单", "已解决", "转办", "更多…"]
    assert card.text == "Q-2026-0001 已转办至 住建局。"
    assert why.text.startswith("原因？")


async def test_lists_page_by_page(bot: BotHarness) -> None:
    for n in range(12):
        await bot.send(f"/ticket 第{n}处垃圾没人处理", user="wang", chat="村民群")
    [first] = await bot.send("/工单列表 待办", user="wang")
    assert first.text.splitlines()[0] == "工单（待办），第 1/2 页："
    assert first.text.splitlines()[1].startswith("Q-2026-0012 · 已派单 · 环卫所")
    assert first.labels == ["下一页 ▶"]
    [second] = await bot.press(first, "下一页", user="wang")
    assert second.text.splitlines()[0] == "工单（待办），第 2/2 页："
    assert len(second.text.splitlines()) == 3
    [mine] = await bot.send("/tickets", user="zhao")  # a sanitation member: their department
    assert mine.text.startswith("工单（本部门），第 1/2 页：")
    [nothing] = await bot.send("/tickets", user="resident")
    assert nothing.text == "没有工单。"


async def test_overdue_list_drops_a_ticket_acknowledged_late(bot: BotHarness) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="jian", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")  # Monday 09:00, to acknowledge by 14:30
    await jump(bot, timedelta(hours=6))
    [late] = await bot.send("/tickets overdue", user="wang")
    assert late.text.splitlines()[1].startswith("Q-2026-0001 · 已派单 · 住建局")
    [card] = bot.sent_to("住建局")
    await bot.press(card, "接单", user="lina")
    [none] = await bot.send("/工单列表 超期", user="wang")
    assert none.text == "没有工单。"  # late to acknowledge, but within its time to resolve
    await jump(bot, timedelta(days=7))  # past Friday 18:00
    [again] = await bot.send("/tickets overdue", user="wang")
    assert again.text.splitlines()[1].startswith("Q-2026-0001 · 已接单 · 住建局")
