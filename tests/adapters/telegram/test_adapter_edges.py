"""Nothing lost at the edges (issue 19, item 1, on Telegram): the bot added to a group and spoken
to in the same getUpdates batch or the next instant, added back after it was removed, and a
basic group upgraded to a supergroup in the middle of a conversation. Every message is answered
once, in the chat it was written in."""

from __future__ import annotations

import collections
import json
import logging
from collections.abc import Awaitable, Callable

import pytest

from qunzhu.adapters.telegram.emulator import Chat, TelegramEmulator, User
from tests.adapters.telegram.tgapp import TelegramApp
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


def _new_group(tg: TelegramEmulator, title: str, members: list[User]) -> Chat:
    """A group the bot is not in yet (the core has never heard of it)."""
    return tg.group(title, members=members, with_bot=False)


def _texts(tg: TelegramEmulator, chat: Chat) -> list[str]:
    return [m["text"] for m in tg.sent(chat)]


async def test_added_and_spoken_to_in_the_same_batch_every_message_is_answered_once(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    groups = [_new_group(tg, f"Village {i}", [ana]) for i in range(5)]
    for group in groups:  # all before the bot's first getUpdates: one batch
        tg.add_bot(group, by=ana)
        tg.say(ana, group, "/echo 你好")
        tg.say(ana, group, "n 1")
    bot = await make_app()
    for group in groups:
        await tg.wait_sent(group, count=2)
    await bot.settle()
    for group in groups:
        assert _texts(tg, group) == ["你好", "ok n 1"]
        assert await bot.chat_active(group.id)


async def test_added_and_spoken_to_the_next_instant_while_running(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    bot = await make_app()
    groups = [_new_group(tg, f"Village {i}", [ana]) for i in range(5)]
    for group in groups:
        tg.add_bot(group, by=ana)
        tg.say(ana, group, "n 1")
    for group in groups:
        await tg.wait_sent(group)
    await bot.settle()
    assert [_texts(tg, g) for g in groups] == [["ok n 1"]] * 5


async def test_removed_then_added_back_and_spoken_to_in_one_batch_is_answered(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    bot = await make_app()
    tg.kick_bot(group, by=ana)
    await eventually(lambda: _inactive(bot, group.id))
    await bot.stop()
    tg.add_bot(group, by=ana)  # while the bot was down: added back and spoken to at once
    tg.say(ana, group, "n back")
    await bot.start()
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == "ok n back"
    await bot.settle()
    assert len(tg.sent(group)) == 1


async def _inactive(bot: TelegramApp, chat_id: int) -> bool:
    return not await bot.chat_active(chat_id)


async def test_a_group_upgraded_mid_conversation_loses_nothing_and_sends_nothing_twice(
    tg: TelegramEmulator, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo")
    old = tg.group("Village 3", members=[ana, bo], supergroup=False)
    chats = {f"telegram:{old.id}": {"language": "en"}}
    bot = await make_app(config={"chats": chats})
    tg.say(ana, old, "n 0")
    await tg.wait_sent(old)
    await bot.stop()
    for i in range(1, 4):  # written while the bot was down, answers queued to the old id
        tg.say(ana if i % 2 else bo, old, f"n {i}")
    caplog.set_level(logging.INFO, logger="qunzhu.adapters.telegram")
    tg.fail_next("sendMessage", error_code=None, delay=0.3, times=2)  # a slow Telegram
    await bot.start()
    await tg.wait_sent(old, count=2)
    # the upgrade happens while the answers are on their way: some go to the old group, the
    # rest must follow to the supergroup
    new_id = tg.migrate(old)
    new = tg.chat(new_id)
    for i in range(4, 7):
        tg.say(ana, new, f"n {i}")
    await eventually(lambda: len(tg.sent(old)) + len(tg.sent(new)) >= 7)
    await bot.settle()
    answers = collections.Counter(_texts(tg, old) + _texts(tg, new))
    assert answers == collections.Counter(f"ok n {i}" for i in range(7))
    assert _texts(tg, new)[-3:] == ["ok n 4", "ok n 5", "ok n 6"]
    events = await bot.inbox()
    assert {chat for chat, _, _ in events} == {str(old.id)}, "one chat in the core"
    to_new = [c.status for c in tg.calls if c.method == "sendMessage" and c.chat_id == new_id]
    assert set(to_new) == {200}
    refused = [c for c in tg.calls if c.method == "sendMessage" and c.status == 400]
    assert [c.chat_id for c in refused] == [old.id], "one answer learnt the upgrade from a 400"
    # the operator is told, once, which entry of the file names the old id
    (told,) = [r.getMessage() for r in caplog.records if "event=chat_migrated" in r.getMessage()]
    assert f"old={old.id} new={new_id} config=chats.telegram:{old.id} " in told
    assert f"write telegram:{new_id} there when convenient" in told


async def test_a_migration_another_worker_learnt_keeps_the_supergroup_in_the_old_chat(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    """With several workers, the sender that got the 400 may not be the worker that polls: the
    poller must not take the supergroup for a new chat."""
    ana = tg.user("Ana")
    old = tg.group("Village 3", members=[ana], supergroup=False)
    bot = await make_app()
    tg.say(ana, old, "n before")
    await tg.wait_sent(old)
    await bot.stop()
    new = tg.chat(tg.migrate(old))
    tg.world.updates.clear()  # this worker never hears of it...
    await bot.start()
    sink = bot.adapter._sink
    assert sink is not None  # ...another one stored it (as its sender does on the 400)
    await sink.set_state("migrations", json.dumps({str(old.id): new.id}))
    tg.say(ana, new, "n after")
    (answer,) = await tg.wait_sent(new)
    assert answer["text"] == "ok n after"
    assert {chat for chat, _, _ in await bot.inbox()} == {str(old.id)}, "one chat in the core"
