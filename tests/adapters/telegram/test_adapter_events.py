"""Reactions, members, edits, and what the bot must not take for an event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from tests.adapters.telegram.tgapp import TelegramApp

MakeApp = Callable[..., Awaitable[TelegramApp]]


async def test_reactions_one_event_per_emoji_added_or_taken_back(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Reports", members=[ana], bot_admin=True)  # reactions need an admin bot
    bot = await make_app()
    report = tg.say(ana, group, "本周进展: 三标段完工")
    tg.react(ana, report, "👍")
    tg.react(ana, report, "🔥")  # replaces 👍: one added, one taken back
    sent = await tg.wait_sent(group, count=3)
    target = report["message_id"]
    assert [s["text"] for s in sent] == [
        f"reaction 👍 on {target} removed=False",
        f"reaction 🔥 on {target} removed=False",
        f"reaction 👍 on {target} removed=True",
    ]
    reactions = [e for _, e, kind in await bot.inbox() if kind == "reaction"]
    assert len(reactions) == len(set(reactions)) == 3


async def test_a_join_is_one_member_change_though_telegram_tells_it_twice(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo", last_name="Wang")
    group = tg.group("Village 3", members=[ana], bot_admin=True)
    bot = await make_app()
    tg.join(bo, group)  # a new_chat_members message and a chat_member update
    (joined,) = await tg.wait_sent(group)
    assert joined["text"] == "Bo Wang joined"
    tg.leave(bo, group)
    (_, left) = await tg.wait_sent(group, count=2)
    assert left["text"] == "Bo Wang left"
    await bot.settle()
    assert len(tg.sent(group)) == 2
    members = [e for _, e, kind in await bot.inbox() if kind == "member"]
    assert len(members) == 2 and all(e.startswith(f"member:{bo.id}:") for e in members)


async def test_joins_are_seen_without_admin_rights_too(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo")
    group = tg.group("Village 3", members=[ana])  # no chat_member updates: service messages
    await make_app()
    tg.join(bo, group)
    (joined,) = await tg.wait_sent(group)
    assert joined["text"] == "Bo joined"


async def test_an_edit_is_an_event_of_its_own(tg: TelegramEmulator, make_app: MakeApp) -> None:
    ana = tg.user("Ana")
    group = tg.group("Reports", members=[ana])
    bot = await make_app()
    original = tg.say(ana, group, "本周进展: 未完成")
    tg.edit(ana, original, "本周进展: 已完成")
    (answer,) = await tg.wait_sent(group)
    message_id = original["message_id"]
    assert answer["text"] == f"edited {message_id}: 本周进展: 已完成"
    edit_date = tg.message(group, message_id)["edit_date"]
    assert [e for _, e, _ in await bot.inbox()] == [str(message_id), f"{message_id}:{edit_date}"]


async def test_the_bots_own_messages_and_other_bots_are_not_handled(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Reports", members=[ana])
    robot = tg.user("Robot")
    robot.is_bot = True
    bot = await make_app()
    own = {"message_id": 99, "from": tg.bot.as_json(), "chat": group.as_json(), "date": 1}
    tg.world.enqueue("message", {**own, "text": "n from myself"})
    tg.say(robot, group, "n from a robot")
    tg.say(ana, group, "n from Ana")
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == "ok n from Ana"
    await bot.settle()
    assert len(tg.sent(group)) == 1
    assert len(await bot.inbox()) == 2  # the robot's message is recorded, not handled
