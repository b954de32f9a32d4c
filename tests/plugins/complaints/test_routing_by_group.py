"""Issue 14, item 4: a problem raised in a unit's own group goes to that unit; when its
category names another unit, the official filing it chooses between the two (buttons), and
it is never sent elsewhere without a word."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket


async def _department(bot: BotHarness) -> str | None:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket.department


async def test_a_problem_in_the_units_own_group_goes_to_that_unit(bot: BotHarness) -> None:
    # 管委会's own group; the text names no category with a unit ("其他" has none)
    await bot.send("广场舞天天放到半夜，投诉好几次了没人管", user="cun", chat="管委会")
    source = bot.last_event
    assert source is not None
    sent = await bot.send("/ticket", user="wang", chat="管委会", reply_to=source.event_id)
    [card] = [s for s in sent if s.labels[:1] == ["接单"]]
    assert card.chat.chat_id == "管委会" and "广场舞天天放到半夜" in card.text
    [confirmed] = [s for s in sent if s.text.startswith("已登记为问题")]
    assert confirmed.text.startswith("已登记为问题 Q-2026-0001（其他），已转 管委会 办理。")
    assert bot.sent_to("督查组") == []  # not left unrouted for the supervisors
    assert await _department(bot) == "township"


async def test_the_category_of_another_unit_is_asked_about_never_silently_routed(
    bot: BotHarness,
) -> None:
    [offer] = await bot.send("小区门口垃圾三天没人处理", user="lina", chat="住建局")
    assert offer.labels == ["登记为问题"]
    [question] = await bot.press(offer, "登记为问题", user="wang")
    assert question.text == (
        "这是在 住建局 的群里提出的，但按类别（环境卫生）应由 环卫所 办理。由哪个单位办理？"
    )
    assert question.labels == ["住建局", "环卫所"]
    assert offer.text == "请先回答下面的问题。"
    assert bot.sent_to("环卫所") == []  # nothing is routed before the answer
    [refused] = await bot.press(question, "环卫所", user="passerby")
    assert refused.text == "只有反映人本人可以回答。"
    sent = await bot.press(question, "住建局", user="wang")
    assert question.text == "由 住建局 办理。"
    assert offer.text == "已登记为问题 Q-2026-0001。"
    cards = [s for s in sent if s.labels[:1] == ["接单"]]
    assert [c.chat.chat_id for c in cards] == ["住建局"]
    assert bot.sent_to("环卫所") == []
    assert await _department(bot) == "housing"


async def test_choosing_the_categorys_unit_sends_it_there(bot: BotHarness) -> None:
    [offer] = await bot.send("小区门口垃圾三天没人处理", user="lina", chat="住建局")
    [question] = await bot.press(offer, "登记为问题", user="wang")
    await bot.press(question, "环卫所", user="wang")
    [card] = bot.sent_to("环卫所")
    assert "小区门口垃圾三天没人处理" in card.text
    assert await _department(bot) == "sanitation"


async def test_the_units_own_kind_is_routed_without_a_question(bot: BotHarness) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护，偷工减料", user="lina", chat="住建局")
    sent = await bot.press(offer, "登记为问题", user="wang")
    assert [s.chat.chat_id for s in sent if s.labels[:1] == ["接单"]] == ["住建局"]
    assert await _department(bot) == "housing"
