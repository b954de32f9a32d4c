"""Telegram's flood limits, scheduled failures and the 403/400 answers bots must handle.
Time is a hand-driven clock: nothing here sleeps."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InputMediaPhoto

from qunzhu.adapters.telegram.emulator import Limits, ScenarioError, TelegramEmulator
from qunzhu.adapters.telegram.emulator.limits import RateLimiter


@pytest.fixture
def limits() -> Limits:
    return Limits()


async def test_second_message_in_a_second_to_a_private_chat_is_429(
    tg: TelegramEmulator, bot: Bot, clock: Any
) -> None:
    dm = tg.private(tg.user("Ana"))
    await bot.send_message(dm.id, "one")
    clock.advance(0.4)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(dm.id, "two")
    assert caught.value.retry_after == 1
    assert caught.value.message.endswith("Original description: Too Many Requests: retry after 1")
    (violation,) = tg.violations
    assert (violation.method, violation.chat_id, violation.limit) == (
        "sendMessage",
        dm.id,
        "private 1/s",
    )
    assert violation.at == clock() and violation.retry_after == 1
    assert [m["text"] for m in tg.sent(dm)] == ["one"]
    clock.advance(0.6)
    await bot.send_message(dm.id, "two")
    assert tg.delivered(dm) == 2 and tg.delivered() == 2


async def test_group_limit_is_twenty_a_minute(tg: TelegramEmulator, bot: Bot, clock: Any) -> None:
    group = tg.group("Residents")
    for i in range(20):
        await bot.send_message(group.id, f"m{i}")
        clock.advance(1)
    clock.advance(0.5)  # 20.5 s after the first send, which leaves the window at 60 s
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(group.id, "too many")
    assert caught.value.retry_after == 40
    assert tg.violations[-1].limit == "group 20/min"
    clock.advance(39.5)
    await bot.send_message(group.id, "fits again")


async def test_thirty_a_second_across_chats(tg: TelegramEmulator, bot: Bot, clock: Any) -> None:
    people = [tg.private(tg.user(f"U{i}")) for i in range(31)]
    for chat in people[:30]:
        await bot.send_message(chat.id, "hi")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(people[30].id, "hi")
    assert tg.violations[-1].limit == "global 30/s"
    assert tg.delivered() == 30


async def test_albums_count_per_item_and_edits_count(
    tg: TelegramEmulator, bot: Bot, clock: Any, make_jpeg: Any
) -> None:
    group = tg.group("Residents")
    photo = make_jpeg(20, 20)
    album = [InputMediaPhoto(media=BufferedInputFile(photo, f"{i}.jpg")) for i in range(10)]
    await bot.send_media_group(group.id, album)
    clock.advance(1)
    await bot.send_media_group(group.id, album[:9])
    assert tg.delivered(group) == 19
    clock.advance(1)
    last = await bot.send_message(group.id, "twentieth")
    clock.advance(1)
    with pytest.raises(TelegramRetryAfter):
        await bot.edit_message_text("edited", chat_id=group.id, message_id=last.message_id)
    assert tg.violations[-1].method == "editMessageText"


async def test_edits_can_be_left_uncounted(clock: Any) -> None:
    limiter = RateLimiter(Limits(count_edits=False), clock)
    assert not limiter.limits.count_edits
    async with TelegramEmulator(limits=Limits(count_edits=False), clock=clock) as tg:
        dm = tg.private(tg.user("Ana"))
        stored = tg.world.store(dm, tg.bot, {"text": "x"})
        from qunzhu.adapters.telegram.emulator.api_edit import edit_message_text
        from qunzhu.adapters.telegram.emulator.forms import Params

        for i in range(3):
            params = Params(
                {"chat_id": dm.id, "message_id": stored.data["message_id"], "text": str(i)}
            )
            await edit_message_text(tg.backend, params)
        assert tg.violations == [] and tg.delivered() == 0


def test_scale_multiplies_the_counts(clock: Any) -> None:
    limiter = RateLimiter(Limits(scale=10), clock)
    for _ in range(10):
        limiter.admit("sendMessage", 1, private=True)
    with pytest.raises(Exception, match="retry after 1"):
        limiter.admit("sendMessage", 1, private=True)
    for _ in range(200):
        clock.advance(0.01)
        limiter.admit("sendMessage", -100, private=False)  # 200/min, and under 300/s
    with pytest.raises(Exception, match="Too Many Requests"):
        limiter.admit("sendMessage", -100, private=False)


async def test_fail_next(tg: TelegramEmulator, bot: Bot) -> None:
    dm = tg.private(tg.user("Ana"))
    tg.fail_next("sendMessage", error_code=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(dm.id, "a")
    assert caught.value.retry_after == 3 and tg.violations == []
    tg.fail_next("sendmessage", error_code=500, times=2, chat_id=dm.id)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(dm.id, "b")
    tg.fail_next("*", error_code=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    tg.fail_next("sendMessage", error_code=None, delay=0.2)
    started = time.monotonic()
    await bot.send_message(dm.id, "slow but delivered")
    assert time.monotonic() - started >= 0.2
    assert [m["text"] for m in tg.sent(dm)] == ["slow but delivered"]
    assert [c.status for c in tg.calls] == [429, 500, 500, 502, 200]


async def test_kicked_blocked_and_never_started(tg: TelegramEmulator, bot: Bot) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo")
    group = tg.group("Residents", members=[ana])
    tg.kick_bot(group)
    with pytest.raises(TelegramForbiddenError) as kicked:
        await bot.send_message(group.id, "hello?")
    assert kicked.value.message == "Forbidden: bot was kicked from the supergroup chat"
    dm = tg.private(ana)
    tg.block_bot(ana)
    with pytest.raises(TelegramForbiddenError) as blocked:
        await bot.send_message(dm.id, "hello?")
    assert blocked.value.message == "Forbidden: bot was blocked by the user"
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(bo.id, "hi")
    updates = await bot.get_updates()
    kinds = [
        (u.my_chat_member.chat.id, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert kinds == [(group.id, "kicked"), (dm.id, "kicked")]
    tg.say(ana, dm, "/start")  # writing to the bot unblocks it
    await bot.send_message(dm.id, "welcome back")


async def test_migrated_group_answers_with_the_new_id(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana], supergroup=False)
    assert group.type == "group" and not str(group.id).startswith("-100")
    new_id = tg.migrate(group)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.migrate_to_chat_id == new_id
    assert caught.value.message.endswith(
        "Original description: Bad Request: group chat was upgraded to a supergroup chat"
    )
    to_new, from_old = [u.message for u in await bot.get_updates() if u.message]
    assert to_new.migrate_to_chat_id == new_id and from_old.migrate_from_chat_id == group.id
    assert from_old.chat.type == "supergroup"
    await bot.send_message(new_id, "hi again")
    with pytest.raises(ScenarioError):
        tg.migrate(tg.chat(new_id))
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(-42, "nobody")
