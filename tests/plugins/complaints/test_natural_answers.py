"""Issue 14, item 6: the reporter answers "问题解决了吗？" as people do: 👍 typed or as a
reaction, "谢谢，已经清理干净了", "解决了" mean yes; "还没有", "还在" mean no and reopen; anything
else is asked back. While the question is open, the answer starts no new report or offer."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent
from qunzhu.plugins.complaints.answers import understand
from qunzhu.plugins.complaints.models import Ticket

from .conftest import only

GROUP = "三组村民群"


async def _asked(bot: BotHarness, chat: str | None = GROUP) -> Sent:
    """The reporter `cun` reported rubbish (in the group, or privately when `chat` is None),
    the sanitation unit resolved it: the question "问题解决了吗？" as the reporter got it."""
    if chat is None:
        await bot.send("三组路口垃圾没人处理", user="cun")
        [*_, last] = await bot.send("", user="cun", photos=["p1"])
        await bot.press(last, "跳过", user="cun")  # the place
        [anon] = await bot.press(bot.sent[-1], "环境卫生", user="cun")
        [check] = await bot.press(anon, "实名", user="cun")
        await bot.press(check, "提交", user="cun")
    else:
        [offer] = await bot.send("三组路口垃圾没人处理", user="cun", chat=chat, photos=["p1"])
        await bot.press(offer, "登记为问题", user="wang")
    [card] = bot.sent_to("环卫所")
    await bot.press(card, "接单", user="zhao")
    await bot.press(card, "已解决", user="zhao")
    await bot.send("已清运", user="zhao", chat="环卫所")
    sent = await bot.press(bot.sent[-1], "跳过", user="zhao")
    [question] = [s for s in sent if s.text.endswith("问题解决了吗？")]
    return question


async def _status(bot: BotHarness) -> tuple[str, str | None]:
    async with bot.app.db.session() as s:
        ticket = await s.scalar(select(Ticket))
    assert ticket is not None
    return ticket.status, ticket.feedback


def test_words_people_use() -> None:
    for yes in ("👍", "👍🏻", "谢谢书记，已经清理干净了", "解决了", "好了", "好了，谢谢", "是的"):
        assert understand(yes) == "yes", yes
    for no in ("还没有", "没解决", "还在", "没有", "垃圾还在，没人来", "👎", "还没有解决"):
        assert understand(no) == "no", no
    for unsure in ("明天再看看", "解决了一半，还在漏", "?", "什么时候来的"):
        assert understand(unsure) is None, unsure


async def test_thanks_in_the_group_confirms_and_starts_no_offer(bot: BotHarness) -> None:
    await _asked(bot)
    sent = await bot.send("谢谢书记，垃圾已经清理干净了", user="cun", chat=GROUP)
    [stars] = sent
    assert stars.text == "谢谢，Q-2026-0001 已确认解决。请为办理情况打分："
    assert "登记为问题" not in stars.labels
    assert await _status(bot) == ("confirmed", "solved")
    # the question is answered: the reporter's next problem is offered as usual
    [offer] = await bot.send("五组垃圾没人处理", user="cun", chat=GROUP)
    assert offer.labels == ["登记为问题"]


async def test_still_there_reopens_like_the_button_and_is_not_a_new_report(
    bot: BotHarness,
) -> None:
    await _asked(bot)
    sent = await bot.send("垃圾还在，没人管", user="cun", chat=GROUP)
    told = only(sent, "环卫所")
    assert told.text.startswith("⚠️ Q-2026-0001：反映人表示问题未解决，工单已重新打开。")
    stars = only(sent, GROUP)
    assert stars.text.startswith("Q-2026-0001 已重新打开")
    assert await _status(bot) == ("reopened", "unsolved")


async def test_an_unclear_reply_to_the_question_is_asked_back(bot: BotHarness) -> None:
    question = await _asked(bot)
    [again] = await bot.send("明天再看看", user="cun", chat=GROUP, reply_to=question.message_id)
    assert again.text == "抱歉，我没看明白：Q-2026-0001 的问题解决了吗？请按下面的按钮。"
    assert again.labels == ["已解决", "未解决"]
    assert await _status(bot) == ("resolved", None)
    # unclear group chatter without a reply is not taken as the answer, nor asked back
    assert await bot.send("今天天气不错", user="cun", chat=GROUP) == []
    # someone else's words are not the reporter's answer
    assert await bot.send("解决了", user="passerby", chat=GROUP) == []
    assert await _status(bot) == ("resolved", None)
    [stars] = await bot.press(again, "已解决", user="cun")
    assert stars.text.startswith("谢谢，Q-2026-0001 已确认解决")


async def test_a_thumbs_up_reaction_on_the_question_confirms(bot: BotHarness) -> None:
    question = await _asked(bot)
    assert await bot.react(question.message_id, "👍", user="passerby", chat=GROUP) == []
    [stars] = await bot.react(question.message_id, "👍", user="cun", chat=GROUP)
    assert stars.text.startswith("谢谢，Q-2026-0001 已确认解决")
    assert await _status(bot) == ("confirmed", "solved")


async def test_a_typed_thumbs_up_in_private_confirms_and_an_unclear_word_is_asked_back(
    bot: BotHarness,
) -> None:
    question = await _asked(bot, chat=None)
    assert question.chat.chat_id == "dm:cun"
    [again] = await bot.send("垃圾车来过了吗", user="cun")
    assert again.text.startswith("抱歉，我没看明白：Q-2026-0001 的问题解决了吗？")
    [kept] = await bot.send("", user="cun", photos=["new-1"])  # a photo is not dropped
    assert kept.text == "收到 1 张照片。要反映问题吗？"
    [stars] = await bot.send("👍", user="cun")
    assert stars.text.startswith("谢谢，Q-2026-0001 已确认解决")
    assert await _status(bot) == ("confirmed", "solved")
