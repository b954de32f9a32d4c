"""setMessageReaction on the emulator, over aiogram's real HTTP client: the bot's reaction on a
message, the emoji Telegram allows, its errors, albums, the flood limits and the control API."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import ReactionTypeCustomEmoji, ReactionTypeEmoji

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from tests.adapters.telegram.conftest import make_bot


def emoji(*keys: str) -> list[ReactionTypeEmoji]:
    return [ReactionTypeEmoji(emoji=k) for k in keys]


async def raw(tg: TelegramEmulator, **params: Any) -> dict[str, Any]:
    """setMessageReaction with a JSON body exactly as given (what aiogram would not send)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.api_base}/bot{tg.token}/setMessageReaction", json=params) as resp,
    ):
        body: dict[str, Any] = await resp.json()
        return body


async def test_the_bot_chooses_replaces_and_removes_its_reaction(
    tg: TelegramEmulator, bot: Bot
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana], bot_admin=True)
    report = tg.say(ana, group, "日报：3号楼完成浇筑")
    await bot.get_updates(allowed_updates=["message", "message_reaction"])
    tg.react(ana, report, "👍")
    mid = report["message_id"]

    assert await bot.set_message_reaction(group.id, mid, emoji("👌")) is True
    assert tg.bot_reactions(group) == {mid: ["👌"]}
    assert tg.reactions(group) == {mid: {ana.id: ["👍"], tg.bot.id: ["👌"]}}
    assert await bot.set_message_reaction(group.id, mid, emoji("👌"), is_big=True) is True
    assert await bot.set_message_reaction(group.id, mid, emoji("🔥")) is True  # replaces
    assert tg.bot_reactions(group) == {mid: ["🔥"]}
    assert await bot.set_message_reaction(group.id, mid, []) is True  # removes
    assert tg.bot_reactions(group) == {}
    await bot.set_message_reaction(group.id, mid, emoji("👌"))
    assert await bot.set_message_reaction(group.id, mid) is True  # no reaction at all: removes
    assert tg.bot_reactions(group) == {}
    # Telegram sends no update for reactions set by bots: only Ana's is there
    updates = [u for u in tg.pending_updates if "message_reaction" in u]
    assert [u["message_reaction"]["user"]["id"] for u in updates] == [ana.id]


async def test_reactions_in_a_private_chat(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    said = tg.say(ana, dm, "打卡")
    assert await bot.set_message_reaction(dm.id, said["message_id"], emoji("👍")) is True
    assert tg.bot_reactions(dm) == {said["message_id"]: ["👍"]}


@pytest.mark.parametrize(
    ("reaction", "error"),
    [
        (emoji("✅"), "Bad Request: REACTION_INVALID"),  # not among the emoji bots may use
        (emoji("❤️"), "Bad Request: REACTION_INVALID"),  # Telegram lists ❤ without U+FE0F
        (emoji("👍", "👌"), "Bad Request: REACTIONS_TOO_MANY"),  # a bot has no Premium
        ([ReactionTypeCustomEmoji(custom_emoji_id="5368324170671202286")], "REACTION_INVALID"),
    ],
)
async def test_reactions_telegram_refuses(
    tg: TelegramEmulator, bot: Bot, reaction: list[Any], error: str
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    said = tg.say(ana, group, "hello")
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.set_message_reaction(group.id, said["message_id"], reaction)
    assert caught.value.message.endswith(error)
    assert tg.bot_reactions(group) == {} and tg.delivered() == 0  # refused: not counted


async def test_chats_and_messages_telegram_refuses(tg: TelegramEmulator, bot: Bot) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo")
    group = tg.group("Residents", members=[ana])
    said = tg.say(ana, group, "hello")
    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await bot.set_message_reaction(group.id, said["message_id"] + 99, emoji("👌"))
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_message_reaction(-100999, 1, emoji("👌"))
    joined = tg.join(bo, group)  # a service message: no reactions there
    service = max(m["message_id"] for m in tg.messages(group))
    assert joined is not None
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(group.id, service, emoji("👌"))
    tg.kick_bot(group)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked"):
        await bot.set_message_reaction(group.id, said["message_id"], emoji("👌"))
    basic = tg.group("Old", members=[ana], supergroup=False)
    old = tg.say(ana, basic, "before the upgrade")
    new_id = tg.migrate(basic)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.set_message_reaction(basic.id, old["message_id"], emoji("👌"))
    assert caught.value.migrate_to_chat_id == new_id


async def test_malformed_reaction_parameters(tg: TelegramEmulator) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    mid = tg.say(ana, group, "hello")["message_id"]
    cases = {
        "not json": "can't parse reaction types JSON object",
        '{"type": "emoji", "emoji": "👌"}': "expected an Array of ReactionType",
        '["👌"]': "can't parse ReactionType: expected an Object",
        '[{"emoji": "👌"}]': "can't parse ReactionType: Can't find field \"type\"",
        '[{"type": "paid"}]': "can't parse ReactionType: invalid reaction type specified",
        '[{"type": "emoji"}]': "can't parse ReactionType: Can't find field \"emoji\"",
        '[{"type": "emoji", "emoji": ""}]': "invalid reaction type specified",
    }
    for reaction, error in cases.items():
        body = await raw(tg, chat_id=group.id, message_id=mid, reaction=reaction)
        assert body == {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
    body = await raw(tg, message_id=mid, reaction="[]")
    assert body["description"] == "Bad Request: chat_id is empty"


async def test_a_reaction_on_an_album_goes_on_its_first_message(
    tg: TelegramEmulator, bot: Bot, make_jpeg: Any
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    first, second = tg.send_album(ana, group, [make_jpeg(10, 10), make_jpeg(10, 10)])
    await bot.set_message_reaction(group.id, second["message_id"], emoji("👌"))
    assert tg.bot_reactions(group) == {first["message_id"]: ["👌"]}


async def test_reactions_count_against_the_flood_limits(clock: Any) -> None:
    async with TelegramEmulator(limits=Limits(), clock=clock) as tg:
        bot = make_bot(tg)
        try:
            ana = tg.user("Ana")
            group = tg.group("Residents", members=[ana])
            said = tg.say(ana, group, "hello")
            for i in range(19):
                await bot.send_message(group.id, f"m{i}")
                clock.advance(1)
            await bot.set_message_reaction(group.id, said["message_id"], emoji("👌"))
            assert tg.delivered(group) == 20
            with pytest.raises(TelegramRetryAfter):
                await bot.set_message_reaction(group.id, said["message_id"], emoji("👍"))
            assert tg.violations[-1].method == "setMessageReaction"
            assert tg.bot_reactions(group) == {said["message_id"]: ["👌"]}
        finally:
            await bot.session.close()


async def test_the_control_api_lists_reactions(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    said = tg.say(ana, group, "hello")
    tg.react(ana, said, "🔥")
    await bot.set_message_reaction(group.id, said["message_id"], emoji("👌"))
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{tg.api_base}/control/reactions?chat_id={group.id}") as resp,
    ):
        body = await resp.json()
    assert body == {
        "ok": True,
        "result": [
            {"message_id": said["message_id"], "user_id": ana.id, "emoji": ["🔥"]},
            {"message_id": said["message_id"], "user_id": tg.bot.id, "emoji": ["👌"]},
        ],
    }
