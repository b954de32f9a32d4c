"""The bot reacts on Telegram (``ctx.react``): a real App whose adapter calls setMessageReaction
on the emulator over aiogram's HTTP client. Keys Telegram lacks are mapped or refused before any
request, a refusal for the reaction alone leaves the chat active, migrated groups, 429s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.adapters.telegram.emulator.api_react import EMOJI as TELEGRAM_EMOJI
from qunzhu.adapters.telegram.reactions import ALIASES, EMOJI, telegram_emoji
from qunzhu.core import Context, Text, command, hookimpl
from qunzhu.core.commands import Command
from tests.adapters.telegram.tgapp import TelegramApp, TgTest
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


class Acknowledge(TgTest):
    """A report gets ✅ (👌 on Telegram) instead of a message; commands to react by hand."""

    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        @command("react", help="React to a message")
        async def react(ctx: Context, key: str, target: str) -> None:
            await ctx.react(key, target)

        @command("unreact", help="Take the bot's reaction back")
        async def unreact(ctx: Context, target: str) -> None:
            await ctx.react("👌", target, removed=True)

        @command("thanks", help="Answer, then react")
        async def thanks(ctx: Context, text: Text) -> None:
            await ctx.reply(text)
            await ctx.react("🙏")

        return [react, unreact, thanks]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        assert msg is not None
        if msg.text.startswith("日报"):
            await ctx.react("✅")


@pytest.fixture
def plugin(tmp_path: Path) -> TgTest:
    return Acknowledge()


def test_the_adapter_knows_the_emoji_telegram_allows() -> None:
    assert EMOJI == TELEGRAM_EMOJI and len(EMOJI) == 73
    assert set(ALIASES.values()) <= EMOJI and not set(ALIASES) & EMOJI
    assert telegram_emoji("✅") == "👌"
    assert telegram_emoji("❤️") == "❤"  # Telegram lists it without U+FE0F
    assert telegram_emoji("🤷🏽\u200d♀️") == "🤷\u200d♀"  # nor skin tones
    assert telegram_emoji("👍🏻") == "👍"
    assert telegram_emoji("🦩") is None


async def test_a_report_is_acknowledged_with_a_reaction(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Village 3", members=[ana])
    bot = await make_app()
    report = tg.say(ana, group, "日报：3号楼完成浇筑")
    await eventually(lambda: tg.bot_reactions(group))
    assert tg.bot_reactions(group) == {report["message_id"]: ["👌"]}  # ✅ is not Telegram's
    assert tg.sent(group) == []  # no "已收到" message for the whole group to read
    await bot.settle()
    assert await bot.outbox() == [(str(group.id), "sent", 0, None)]
    tg.say(ana, group, f"/unreact {report['message_id']}")
    await eventually(lambda: not tg.bot_reactions(group))


async def test_a_reaction_follows_the_reply_before_it(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await make_app()
    asked = tg.say(ana, dm, "/thanks 收到，谢谢")
    await eventually(lambda: tg.bot_reactions(dm))
    assert [m["text"] for m in tg.sent(dm)] == ["收到，谢谢"]
    assert tg.bot_reactions(dm) == {asked["message_id"]: ["🙏"]}
    methods = [c.method for c in tg.calls if c.method in ("sendMessage", "setMessageReaction")]
    assert methods == ["sendMessage", "setMessageReaction"]


async def test_a_key_telegram_lacks_fails_once_without_a_request(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Village 3", members=[ana])
    bot = await make_app()
    said = tg.say(ana, group, "hello")
    tg.say(ana, group, f"/react 🦩 {said['message_id']}")
    tg.say(ana, group, "/echo still here")
    await tg.wait_sent(group)
    await bot.settle()
    (failed, echoed) = await bot.outbox()
    assert failed[1:3] == ("failed", 0)
    assert failed[3] is not None and failed[3].startswith("Telegram does not allow '🦩'")
    assert echoed[1] == "sent"
    assert not [c for c in tg.calls if c.method == "setMessageReaction"]


async def test_a_refused_reaction_leaves_the_chat_active(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Village 3", members=[ana])
    bot = await make_app()
    tg.fail_next("setMessageReaction", error_code=403, description="CHAT_WRITE_FORBIDDEN")
    said = tg.say(ana, group, "日报：完成")
    await eventually(lambda: [c for c in tg.calls if c.method == "setMessageReaction"])
    tg.say(ana, group, f"/react 👍 {said['message_id']}")  # a message or reaction after it
    await eventually(lambda: tg.bot_reactions(group))
    await bot.settle()
    assert await bot.chat_active(group.id)
    statuses = [status for _, status, _, _ in await bot.outbox()]
    assert statuses == ["failed", "sent"]


async def test_a_429_is_honoured_and_the_reaction_set_once(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Village 3", members=[ana])
    bot = await make_app()
    tg.fail_next("setMessageReaction", error_code=429, retry_after=1)
    report = tg.say(ana, group, "日报：完成")
    await eventually(lambda: tg.bot_reactions(group), timeout=8)
    assert tg.bot_reactions(group) == {report["message_id"]: ["👌"]}
    calls = [c.status for c in tg.calls if c.method == "setMessageReaction"]
    assert calls == [429, 200]
    await bot.settle()
    [(_, status, attempts, _)] = await bot.outbox()
    assert (status, attempts) == ("sent", 0)  # a wait Telegram asked for is no failed attempt


async def test_reactions_in_a_group_that_became_a_supergroup(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    old = tg.group("Village 3", members=[ana], supergroup=False)
    bot = await make_app()
    before = tg.say(ana, old, "hello")
    new = tg.chat(tg.migrate(old))
    report = tg.say(ana, new, "日报：完成")
    await eventually(lambda: tg.bot_reactions(new))  # the supergroup's message: reacted there
    assert tg.bot_reactions(new) == {report["message_id"]: ["👌"]}
    tg.say(ana, new, f"/react 👍 {before['message_id']}")  # the old group's: read-only now

    async def done() -> list[Any]:
        await bot.settle()
        rows = await bot.outbox()
        return rows if len(rows) == 2 and rows[1][1] != "pending" else []

    rows = await eventually(done)
    assert [r[1] for r in rows] == ["sent", "failed"]
    assert "basic group that became a supergroup" in rows[1][3]
    assert tg.bot_reactions(old) == {}
