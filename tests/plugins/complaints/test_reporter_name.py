"""A ticket names its reporter as people know them (the name of the YAML, or the one given with
/name), not by the chat account: the card in the unit's group read "反映人：zhang" for 张科长,
and the web console showed "反映人：wang" for 王书记."""

from __future__ import annotations

from qunzhu.core.testing import BotHarness


async def test_a_detected_report_is_filed_under_the_reporters_name(bot: BotHarness) -> None:
    [offer] = await bot.send("三标段混凝土没按规范养护", user="zhang", chat="工地", photos=["p"])
    await bot.press(offer, 1, user="wang")
    [card] = [s for s in bot.sent_to("住建局") if s.text.startswith("📋")]
    assert "反映人：张科长" in card.text
    assert "zhang" not in card.text


async def test_a_message_filed_with_ticket_is_under_its_authors_name(bot: BotHarness) -> None:
    await bot.send("村口垃圾没人清运", user="zhao", chat="工地")
    said = f"e{int(bot.next_id()[1:]) - 1}"  # the event id of that message
    await bot.send("/ticket", user="wang", chat="工地", reply_to=said)
    cards = [s for s in bot.sent if s.text.startswith("📋")]
    assert cards, [s.text for s in bot.sent]
    assert all("反映人：赵主任" in c.text for c in cards), [c.text for c in cards]
