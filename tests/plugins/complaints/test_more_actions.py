"""The rarer steps behind a card's "更多…": a department returns a ticket that is not theirs
(非本部门职责), a supervisor rejects one (不予受理) or merges a duplicate into the earlier
ticket (重复). Each asks for a reason, tells the reporter, and never names an anonymous one."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Follower, Ticket, TicketEvent

from .conftest import only, press_stale

GARBAGE = "水口茶文化景区好几个地方垃圾没人处理"
CONCRETE = "北部新城项目三标段混凝土没按规范养护，偷工减料"


async def _private(bot: BotHarness, text: str, kind: str, *, user: str = "chen") -> str:
    """An anonymous private report; the bot's answer to the reporter on Submit."""
    [photo_q] = await bot.send(text, user=user)
    [where_q] = await bot.press(photo_q, "跳过", user=user)
    [kind_q] = await bot.send("北部新城三标段", user=user)
    [name_q] = await bot.press(kind_q, kind, user=user)
    [check] = await bot.press(name_q, "匿名", user=user)
    sent = await bot.press(check, "提交", user=user)
    return only(sent, f"dm:{user}").text


def _never_named(bot: BotHarness, *names: str) -> None:
    """No message outside the reporter's private chat names them (sent or edited)."""
    for sent in bot.sent:
        if sent.chat.chat_id.startswith("dm:"):
            continue
        for reply in (sent.reply, *sent.edits):
            for name in names:
                assert name not in reply.text, (sent.chat.chat_id, reply.text)


async def _timeline(bot: BotHarness, number: str) -> list[tuple[str, str | None, str, str]]:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        rows = (
            await s.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        ).all()
    return [(r.action, r.to_status, r.actor_name, r.note) for r in rows]


async def test_the_department_returns_a_ticket_that_is_not_theirs(bot: BotHarness) -> None:
    await _private(bot, GARBAGE, "环境卫生")
    [card] = bot.sent_to("环卫所")
    assert card.current.buttons[1][1].label == "更多…"  # the rare steps, out of the way
    [menu] = await bot.press(card, "更多…", user="zhao")
    assert menu.text == "Q-2026-0001：请选择操作。"
    assert menu.labels == ["非本部门职责（退回）", "取消"]  # a department may only return
    [why] = await bot.press(menu, "非本部门职责", user="zhao")
    assert why.text.startswith("Q-2026-0001：为什么不属于本部门职责？")
    sent = await bot.send("景区停车场归文旅公司管理", user="zhao", chat="环卫所")

    assert only(sent, "环卫所").text == "Q-2026-0001 已退回督查组，由督查组重新派单。"
    assert card.text == "Q-2026-0001 已退回督查组重新派单。" and card.labels == []
    supervision = only(sent, "督查组")
    assert "状态：已退回：非本部门职责\n" in supervision.text
    assert "环卫所 退回：景区停车场归文旅公司管理" in supervision.text
    assert "反映人：匿名" in supervision.text
    assert supervision.labels == ["派单", "更多…"]
    assert only(sent, "dm:chen").text == (
        "您反映的问题 Q-2026-0001 经核实不属于原承办部门职责，已退回重新派单。"
        "说明：景区停车场归文旅公司管理"
    )
    [stale] = await press_stale(bot, card, 4, user="zhao")  # the old card's 更多…, pressed late
    assert stale.text.startswith("只有督查人员可以对 Q-2026-0001 作不予受理或重复件处理")

    # the supervisor sends it on from the supervision group's card
    [which] = await bot.press(supervision, "派单", user="wang")
    await bot.press(which, "住建局", user="wang")
    sent = await bot.send("景区内施工遗留垃圾，由住建局督促清运", user="wang", chat="督查组")
    assert only(sent, "住建局").labels == ["接单", "已解决", "转办", "更多…"]
    assert supervision.text == "Q-2026-0001 已转办至 住建局。"
    assert [(a, s, who) for a, s, who, _ in await _timeline(bot, "Q-2026-0001")] == [
        ("created", "assigned", "chen"),  # kept, never shown: see _never_named
        ("decline", "not_responsible", "赵主任"),
        ("route", "assigned", "王书记"),
    ]
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.department, ticket.returned_by) == ("housing", None)
    _never_named(bot, "chen", "陈")


async def test_a_supervisor_rejects_from_the_ticket_view(bot: BotHarness) -> None:
    await _private(bot, GARBAGE, "环境卫生")
    [card] = bot.sent_to("环卫所")
    [nobody] = await bot.press(card, "更多…", user="lina")  # another department's member
    assert nobody.text.startswith("只有督查人员可以对 Q-2026-0001 作不予受理或重复件处理")
    # no supervisor sits in the department's group: the ticket view carries the buttons
    [view] = await bot.send("/ticket Q-2026-0001", user="wang")
    assert view.labels == ["接单", "已解决", "转办", "更多…"]
    [menu] = await bot.press(view, "更多…", user="wang")
    assert menu.labels == ["不予受理", "重复件（并入原工单）", "取消"]
    [why] = await bot.press(menu, "不予受理", user="wang")
    assert why.text == "Q-2026-0001：不予受理的原因是什么？反映人会看到您的回答。"
    sent = await bot.send("属私人承包区域，已告知物业公司自行清理", user="wang")

    assert only(sent, "dm:wang").text == "Q-2026-0001 已作不予受理处理，已将原因告知反映人。"
    assert only(sent, "dm:chen").text == (
        "您反映的问题 Q-2026-0001 不予受理。原因：属私人承包区域，已告知物业公司自行清理"
    )
    assert only(sent, "环卫所").text == (
        "王书记 对 Q-2026-0001 作不予受理处理：属私人承包区域，已告知物业公司自行清理。"
        "此件无需再办理。"
    )
    assert "状态：不予受理 · 环卫所" in card.text
    assert "不予受理原因：属私人承包区域，已告知物业公司自行清理" in card.text
    assert card.labels == []
    [twice] = await press_stale(bot, card, 1, user="zhao")
    assert twice.text == "Q-2026-0001 当前已是“不予受理”，未作任何更改。"
    [again] = await press_stale(bot, view, 4, user="wang")
    assert again.text == "Q-2026-0001 当前已是“不予受理”，未作任何更改。"
    action, status, who, note = (await _timeline(bot, "Q-2026-0001"))[-1]
    assert (action, status, who, note) == (
        "reject",
        "rejected",
        "王书记",
        "属私人承包区域，已告知物业公司自行清理",
    )
    _never_named(bot, "chen", "陈")


async def test_a_duplicate_joins_the_earlier_ticket(bot: BotHarness) -> None:
    [offer] = await bot.send(CONCRETE, user="jian", chat="北部新城工程", photos=["p1"])
    await bot.press(offer, "登记为问题", user="wang")
    [first_card] = bot.sent_to("住建局")
    await _private(bot, "三标段的混凝土一直没人养护", "工程质量")
    [_, card] = bot.sent_to("住建局")
    assert card.text.startswith("📋 Q-2026-0002")

    [menu] = await bot.press(card, "更多…", user="wang")
    [which] = await bot.press(menu, "重复件", user="wang")
    assert which.text == (
        "Q-2026-0002：与哪件原工单是同一问题？请输入原工单编号，例如 Q-2026-0001。"
    )
    [itself, asked] = await bot.send("Q-2026-0002", user="wang", chat="住建局")
    assert itself.text == "这就是本工单，请输入先登记的那件工单的编号。"
    assert asked.text == which.text
    [not_a_number, _] = await bot.send("上面那个", user="wang", chat="住建局")
    assert not_a_number.text == "请输入工单编号，例如 Q-2026-0001。"
    [missing, _] = await bot.send("9", user="wang", chat="住建局")
    assert missing.text == "没有编号为 Q-2026-0009 的工单。"
    [why] = await bot.send("1", user="wang", chat="住建局")
    assert why.text == "Q-2026-0002 与 Q-2026-0001 重复：请简要说明（一句话，记入办理记录）。"
    sent = await bot.send("同一处三标段养护问题", user="wang", chat="住建局")

    assert only(sent, "住建局").text == "Q-2026-0002 已并入 Q-2026-0001：该问题共有 2 人反映。"
    assert only(sent, "dm:chen").text == (
        "您反映的问题 Q-2026-0002 与 Q-2026-0001 为同一问题，已合并办理；您会收到其办理进展。"
    )
    assert "状态：重复 · 住建局" in card.text
    assert "与 Q-2026-0001 为同一问题：同一处三标段养护问题" in card.text
    assert card.labels == []
    assert "👥 另有 1 人反映同一问题" in first_card.text

    # she now hears of the earlier ticket's progress, like its own reporter
    sent = await bot.press(first_card, "接单", user="lina")
    assert only(sent, "dm:chen").text == "您反映的问题 Q-2026-0001 已被接单，正在办理。"
    assert only(sent, "北部新城工程").text == "您反映的问题 Q-2026-0001 已被接单，正在办理。"
    async with bot.app.db.session() as s:
        first = await s.scalar(select(Ticket).where(Ticket.number == "Q-2026-0001"))
        second = await s.scalar(select(Ticket).where(Ticket.number == "Q-2026-0002"))
        assert first is not None and second is not None
        assert (first.metoo, second.status, second.duplicate_of) == (1, "duplicate", first.id)
        kinds = (
            await s.scalars(
                select(Follower.kind).where(Follower.ticket_id == first.id).order_by(Follower.id)
            )
        ).all()
        assert kinds == ["reporter", "metoo"]
    assert (await _timeline(bot, "Q-2026-0001"))[1] == (
        "metoo",
        "assigned",
        "王书记",
        "Q-2026-0002",
    )
    [view] = await bot.send("/ticket Q-2026-0001", user="wang")
    assert "同类反映 · 王书记 · Q-2026-0002" in view.text
    _never_named(bot, "chen", "陈")


async def test_a_supervisor_may_reject_an_unrouted_ticket_from_its_card(bot: BotHarness) -> None:
    await bot.send("/ticket 村口桥栏杆松动，有安全隐患", user="wang", chat="村民群")
    [card] = bot.sent_to("督查组")
    [menu] = await bot.press(card, "更多…", user="wang")
    assert menu.labels == ["不予受理", "重复件（并入原工单）", "取消"]
    [why] = await bot.press(menu, "不予受理", user="wang")
    [cancelled] = await bot.send("/取消", user="wang", chat="督查组")
    assert cancelled.text.startswith("已取消")
    assert card.labels == ["派单", "更多…"]  # nothing changed
    await bot.press(card, "更多…", user="wang")
    sent = await bot.press(bot.sent_to("督查组")[-1], "不予受理", user="wang")
    assert only(sent, "督查组").text.startswith("Q-2026-0001：不予受理的原因是什么？")
    sent = await bot.send("桥梁属铁路部门管理，已电话转告", user="wang", chat="督查组")
    # the reporter is the official who filed it, in the group's thread
    assert only(sent, "村民群").text.startswith("您反映的问题 Q-2026-0001 不予受理。")
    assert "状态：不予受理\n" in card.text and card.labels == []
    assert why.text.startswith("Q-2026-0001：不予受理的原因是什么？")
