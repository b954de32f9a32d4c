"""Story 1.9: the district secretary sits in 30 groups and never talks in them. In private, his
problem desk (/问题台) lists every problem raised in the groups of his units and below, filed or
not, the most urgent, most overdue and most repeated first, each with its group, a quote and
its age; from it he sends one to a unit with his own deadline ("明早9点前") and instruction
(批示), which the unit's card shows and the timeline keeps."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.models import Ticket, TicketEvent
from tests.support.complaints_desk import desk_complaints
from tests.support.shanghai import at

TOWNS = ("东湖镇", "西山镇", "南岭镇")
VILLAGES = [f"村{n:02d}" for n in range(1, 25)]  # 8 under each town


def _org() -> dict[str, Any]:
    """30 units, each with its group: the district, 3 towns, 24 villages, 2 bureaus."""
    org: dict[str, Any] = {
        "district": {"name": "区委", "chats": ["memory:区委群"], "head": "李书记"},
        "housing": {"name": "住建局", "parent": "district", "chats": ["memory:住建局"]},
        "sanitation": {"name": "环卫所", "parent": "district", "chats": ["memory:环卫所"]},
    }
    for n, town in enumerate(TOWNS, start=1):
        head = "周镇长" if n == 2 else None  # noqa: PLR2004 - the second town's head
        org[f"town{n}"] = {
            "name": town,
            "parent": "district",
            "chats": [f"memory:{town}群"],
            **({"head": head} if head else {}),
        }
    for n, village in enumerate(VILLAGES):
        org[f"v{n + 1:02d}"] = {
            "name": f"{village}村委",
            "parent": f"town{n // 8 + 1}",
            "chats": [f"memory:{village}群"],
        }
    return org


CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "people": [
        {"name": "李书记", "identities": ["memory:li"]},
        {"name": "周镇长", "identities": ["memory:zhou"]},
        {"name": "王督查", "identities": ["memory:wang"], "roles": ["supervisor"]},
    ],
    "org": _org(),
    "plugins": {"complaints": desk_complaints()},
}


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


async def _problems(bot: BotHarness) -> None:
    """Monday: problems in four village groups (one filed and overdue by Friday), chatter in
    others, and a problem in a group outside the district."""
    bot.clock.set(at("2026-11-16", 9))
    [sewage] = await bot.send("村里污水直排河道，三天了还没人管", user="m12", chat="村12群")
    [which] = await bot.press(sewage, "登记为问题", user="wang")  # 村12's group: asked
    await bot.press(which, "环卫所", user="wang")  # filed: 环卫所, 3 working days
    for n in range(1, 25):
        await bot.send("今天村里开会，进展顺利", user=f"c{n}", chat=f"村{n:02d}群")
    bot.clock.set(at("2026-11-20", 10))  # Friday
    await bot.send("村口垃圾堆了一个星期没人管，臭气熏天", user="m03", chat="村03群")
    await bot.send("新修的路混凝土没按规范养护，偷工减料", user="m07", chat="村07群", photos=["p7"])
    await bot.send("外面的垃圾没人管", user="x", chat="外区群")
    bot.clock.set(at("2026-11-20", 14))


def _desk(sent: list[Sent]) -> Sent:
    [desk] = [s for s in sent if s.text.startswith("📋")]
    return desk


async def test_the_desk_lists_every_problem_of_his_groups_ranked(bot: BotHarness) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    lines = desk.text.splitlines()
    assert "共 3 件" in lines[0]
    assert "超期 1" in lines[0]
    # the overdue ticket first, then the two offers, oldest first; never the outside group
    assert lines[1].startswith("1. Q-2026-0001 · 超期")
    assert "环卫所" in lines[1]
    assert "“村里污水直排河道，三天了还没人管” · 村12群 · 4天前" in lines[2]
    assert lines[3].startswith("2. 🆕 未登记 · 环境卫生")
    assert "村03群 · 4小时前" in lines[4]
    assert lines[5].startswith("3. 🆕 未登记 · 工程质量")
    assert "外区群" not in desk.text
    assert desk.labels[:3] == ["1", "2", "3"]


async def test_filters_and_the_units(bot: BotHarness) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    await bot.press(desk, "超期", user="li")
    assert "共 1 件" in desk.text
    assert "Q-2026-0001" in desk.text
    await bot.press(desk, "按单位", user="li")
    assert "西山镇 (1)" in desk.labels  # 村12 is under 西山镇
    await bot.press(desk, "西山镇", user="li")
    assert "西山镇：共 1 件" in desk.text
    typed = _desk(await bot.send("/问题台 未受理", user="li"))
    assert "未受理：共 3 件" in typed.text  # nobody acknowledged the ticket either
    [unknown] = await bot.send("/问题台 火星", user="li")
    assert "没有“火星”这个筛选或单位" in unknown.text


async def test_a_town_head_sees_his_villages_only(bot: BotHarness) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="zhou"))
    assert "共 1 件" in desk.text
    assert "村12群" in desk.text


async def test_in_a_group_it_answers_to_write_privately(bot: BotHarness) -> None:
    await _problems(bot)
    [answer] = await bot.send("/问题台", user="li", chat="区委群")
    assert "私聊" in answer.text
    assert "村03" not in answer.text


async def test_one_step_files_and_routes_with_his_deadline_and_instruction(
    bot: BotHarness,
) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    [question] = await bot.press(desk, "3", user="li")  # 村07: never filed
    assert question.text.splitlines()[:2] == [
        "未登记 · 工程质量",
        "“新修的路混凝土没按规范养护，偷工减料”",
    ]
    assert question.text.endswith("交给哪个单位办理？请点选，或直接写单位名称。")
    # the unit of the group it came from first, then those above it; 12 at most
    assert question.labels[:3] == ["村07村委", "东湖镇", "区委"]
    assert len(question.labels) == 13  # and 取消
    unknown = await bot.send("火星局", user="li")  # asked again
    assert unknown[0].text == "没有“火星局”这个单位，请点选，或写出单位名称。"
    [by_when] = await bot.send("住建局", user="li")  # written: any unit of the org
    assert by_when.text.startswith("住建局须在什么时候前办结？例如：明早9点前")
    [what] = await bot.send("周二下午5点前", user="li")
    assert what.text == "请写一句给住建局的批示；不写请点“跳过”。"
    sent = await bot.send("请立即组织复查，整改到位", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text == (
        "Q-2026-0002 已交住建局办理，限 11月24日（周二） 17:00 前办结。\n"
        "您的批示：请立即组织复查，整改到位"
    )
    [card] = bot.sent_to("住建局")
    assert card.text.startswith("📋 Q-2026-0002 · 工程质量")
    assert "来源：村07群（群消息）" in card.text
    instruction = "📌 李书记批示：请立即组织复查，整改到位（限 11月24日（周二） 17:00 前办结）"
    assert instruction in card.text
    assert "办结时限 11-24 17:00" in card.text
    offer = next(s for s in bot.sent_to("村07群") if "Q-2026-0002" in s.text)
    assert offer.labels == []  # the group's "登记为问题" says what it became
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == "Q-2026-0002"))
        assert ticket is not None
        assert (ticket.department, ticket.reporter_key) == ("housing", "memory:m07")
        notes = (
            await s.scalars(
                select(TicketEvent.note).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.action == "instruct"
                )
            )
        ).all()
        assert notes == ["⏰ 11-24 17:00 · 请立即组织复查，整改到位"]
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "共 3 件" in desk.text  # the offer became the ticket: still one item
    assert "Q-2026-0002 · 已派单 · 住建局" in desk.text


async def test_a_doubtful_deadline_is_asked_back(bot: BotHarness) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    [question] = await bot.press(desk, "2", user="li")  # 村03: garbage
    await bot.press(question, "环卫所", user="li")
    [asked] = await bot.send("3点前", user="li")  # said at 14:00 on a Friday: 15:00? ask
    assert asked.text == "“3点前”：您是指 11月20日（周五） 15:00 吗？"
    assert asked.labels[:2] == ["是", "换一个时间"]
    [again] = await bot.press(asked, "换一个时间", user="li")
    assert again.text.startswith("那么什么时候前办结？")
    await bot.send("三个工作日内", user="li")
    [skip] = [s for s in bot.sent if "跳过" in s.labels][-1:]
    sent = await bot.press(skip, "跳过", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text == "Q-2026-0002 已交环卫所办理，限 11月25日（周三） 18:00 前办结。"
    [card] = bot.sent_to("环卫所")[-1:]
    assert "📌 李书记要求限 11月25日（周三） 18:00 前办结" in card.text


async def test_a_date_on_a_day_off_or_passed_is_asked_back_as_for_a_task(
    bot: BotHarness,
) -> None:
    """The desk asks for a deadline with the core's steps, as /task does: a past one is refused,
    a date written on a day off is asked back with why, and the answer says when it is due."""
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    [question] = await bot.press(desk, "1", user="li")
    await bot.press(question, "环卫所", user="li")
    passed, again = await bot.send("今天上午10点前", user="li")  # said at 14:00
    assert passed.text == "11月20日（周五） 10:00 已经过去了，请给一个更晚的期限。"
    assert again.text.startswith("环卫所须在什么时候前办结？")
    [asked] = await bot.send("11月21日前", user="li")  # tomorrow, a Saturday
    assert asked.text.splitlines() == [
        "明天是周六。",
        "“11月21日前”：您是指 11月23日（周一） 18:00 吗？",
    ]
    await bot.press(asked, "是", user="li")
    sent = await bot.send("清理完毕", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text.endswith("明天是周六，期限定为 11月23日（周一） 18:00。")


async def test_a_ticket_already_with_the_unit_stays_and_its_group_is_told(
    bot: BotHarness,
) -> None:
    await _problems(bot)
    desk = _desk(await bot.send("/问题台", user="li"))
    [question] = await bot.press(desk, "1", user="li")  # Q-2026-0001, overdue at 环卫所
    assert question.labels[:2] == ["村12村委", "环卫所"]  # its group's unit, then its unit
    await bot.press(question, "环卫所", user="li")
    await bot.send("明天下班前", user="li")  # Saturday: moved to Monday, and he is told
    sent = await bot.send("周一前必须清理完毕", user="li")
    [done] = [s for s in sent if s.chat.chat_id == "dm:li"]
    assert done.text.endswith("明天是周六，期限定为 11月23日（周一） 18:00。")
    [told] = [s for s in sent if s.chat.chat_id == "环卫所"]
    assert told.text == (
        "📌 Q-2026-0001：李书记批示：周一前必须清理完毕（限 11月23日（周一） 18:00 前办结）"
    )
    shown = await bot.send("/ticket Q-2026-0001", user="wang")
    assert "领导批示 · 李书记 · ⏰ 11-23 18:00 · 周一前必须清理完毕" in shown[0].text
    desk = _desk(await bot.send("/问题台 超期", user="li"))
    assert "共 0 件" in desk.text  # his deadline is the ticket's: no longer overdue


async def test_the_desk_with_nothing_and_for_someone_without_a_unit(bot: BotHarness) -> None:
    [empty] = await bot.send("/问题台", user="li")
    assert "共 0 件" in empty.text
    assert "暂无问题" in empty.text
    [nobody] = await bot.send("/问题台", user="passerby")
    assert "您还不属于任何单位" in nobody.text


async def test_many_problems_are_paged_by_buttons(bot: BotHarness) -> None:
    """Problems in 12 of the 24 village groups: 8 a page, ◀ / ▶ edit the desk in place."""
    bot.clock.set(at("2026-11-20", 9))
    for n in range(1, 13):
        await bot.send(f"{n}组的垃圾堆了好几天没人管", user=f"m{n}", chat=f"村{n * 2:02d}群")
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "共 12 件" in desk.text
    assert "第 1/2 页" in desk.text
    assert desk.labels[:8] == [str(n) for n in range(1, 9)]
    assert "下一页 ▶" in desk.labels
    await bot.press(desk, "下一页", user="li")
    assert "第 2/2 页" in desk.text
    assert desk.labels[:4] == ["9", "10", "11", "12"]
    assert "“12组的垃圾堆了好几天没人管” · 村24群" in desk.text  # the newest last
    assert "◀ 上一页" in desk.labels


async def test_an_anonymous_report_stays_anonymous_on_the_units_card(bot: BotHarness) -> None:
    """A resident's anonymous private report, sent from the desk to another unit: the card
    the unit sees does not name her; the desk itself never shows reporters."""
    [photo_q] = await bot.send("小区门口污水横流好几天没人管", user="chen")
    [where_q] = await bot.press(photo_q, "跳过", user="chen")
    [kind_q] = await bot.send("幸福小区门口", user="chen")
    [name_q] = await bot.press(kind_q, "环境卫生", user="chen")
    [check] = await bot.press(name_q, "匿名", user="chen")
    await bot.press(check, "提交", user="chen")
    desk = _desk(await bot.send("/问题台", user="li"))
    assert "chen" not in desk.text
    [question] = await bot.press(desk, "1", user="li")
    await bot.press(question, "东湖镇", user="li")
    await bot.send("三个工作日内", user="li")
    await bot.send("请镇里牵头处理", user="li")
    [card] = bot.sent_to("东湖镇群")
    assert "反映人：匿名" in card.text
    assert "chen" not in card.text
