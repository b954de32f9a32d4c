"""Story 1.3: an official turns any message into a ticket by replying /ticket (or /登记)."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.complaints.models import Ticket


def _last_id(bot: BotHarness) -> int:
    return int(bot.next_id()[1:]) - 1


async def test_reply_with_the_chinese_alias_files_the_message_with_its_photo(
    bot: BotHarness,
) -> None:
    await bot.send("三组路口的污水管道又堵了", user="cun", chat="村民群", photos=["ph-9"])
    source = f"e{_last_id(bot)}"
    replies = await bot.send("/登记", user="wang", chat="村民群", reply_to=source)
    [offer] = [s for s in bot.sent_to("村民群") if s.labels == [] and s.edits]
    assert offer.text == "已登记为问题 Q-2026-0001。"  # its "登记为问题" offer is settled
    [confirmed] = [s for s in replies if s.chat.chat_id == "村民群" and not s.edits]
    assert confirmed.text.startswith("已登记为问题 Q-2026-0001（环境卫生）")
    assert confirmed.reply.reply_to == source
    [card] = bot.sent_to("环卫所")
    assert "三组路口的污水管道又堵了" in card.text
    assert card.reply.photo == "ph-9"
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    assert (ticket.source, ticket.source_event, ticket.reporter_key) == (
        "command",
        source,
        "memory:cun",
    )


async def test_only_officials_may_and_unseen_messages_get_an_answer(bot: BotHarness) -> None:
    await bot.send("路灯坏了", user="cun", chat="村民群")
    source = f"e{_last_id(bot)}"
    [refused] = await bot.send("/ticket", user="other", chat="村民群", reply_to=source)
    assert refused.text.startswith("只有工作人员可以把消息登记为问题")
    [unseen] = await bot.send("/ticket", user="wang", chat="村民群", reply_to="never-seen")
    assert unseen.text.startswith("我看不到那条消息")
    [hint] = await bot.send("/ticket", user="wang", chat="村民群")
    assert hint.text.startswith("请回复那条消息")


async def test_show_a_ticket_by_number_and_a_missing_number(bot: BotHarness) -> None:
    await bot.send("垃圾没人处理", user="cun", chat="村民群", photos=["p"])
    await bot.send("/ticket", user="wang", chat="村民群", reply_to=f"e{_last_id(bot)}")
    [shown] = await bot.send("/ticket q-2026-1", user="wang", chat="村民群")
    assert shown.text.startswith("Q-2026-0001 · 环境卫生")
    assert "办理记录：" in shown.text
    [missing] = await bot.send("/ticket Q-2026-0099", user="wang", chat="村民群")
    assert missing.text == "没有编号为 Q-2026-0099 的工单。"


async def test_a_resident_sees_only_their_own_tickets(bot: BotHarness) -> None:
    await bot.send("垃圾没人处理", user="cun", chat="村民群", photos=["p"])
    await bot.send("/ticket", user="wang", chat="村民群", reply_to=f"e{_last_id(bot)}")
    [own] = await bot.send("/ticket Q-2026-0001", user="cun")
    assert own.text.startswith("Q-2026-0001")
    [other] = await bot.send("/ticket Q-2026-0001", user="nosy")
    assert other.text == "只有反映人和工作人员可以查看 Q-2026-0001。"
