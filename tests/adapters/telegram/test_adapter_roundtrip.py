"""The Telegram adapter end to end over the wire: a person writes in the emulator, the real
dispatcher runs the plugins, the bot's answer arrives in the emulator as Telegram would show it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.core import hookimpl
from tests.adapters.telegram.tgapp import TelegramApp, TgTest
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


async def test_a_command_in_a_group_is_answered_in_reply(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana", last_name="Li", language_code="en")
    group = tg.group("Residents", members=[ana])
    bot = await make_app()
    asked = tg.say(ana, group, "/whoami@qunzhu_bot")
    (answer,) = await tg.wait_sent(group)
    assert "You are Ana Li." in answer["text"]
    assert f"telegram:{ana.id}" in answer["text"]
    assert answer["reply_to_message"]["message_id"] == asked["message_id"]
    assert bot.adapter.bot_username == "qunzhu_bot"
    assert await bot.inbox() == [(str(group.id), str(asked["message_id"]), "message")]


async def test_help_in_a_private_chat_and_the_command_menu(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana", language_code="en")
    await make_app()
    tg.say(ana, tg.private(ana), "/help")
    (answer,) = await tg.wait_sent(tg.private(ana))
    assert answer["text"].startswith("Commands you can use:")
    assert "/echo — Say it back" in answer["text"]
    english = {c["command"]: c["description"] for c in tg.commands(language_code="en")}
    assert english["help"] == "Show what you can do here"
    assert {"echo", "whoami", "help"} <= set(english)
    assert "role" not in english, "commands that need a role are not in everyone's menu"
    chinese = {c["command"]: c["description"] for c in tg.commands(language_code="zh")}
    assert chinese["help"] != english["help"]
    assert all(name.isascii() for name in chinese), "Telegram takes only a-z, 0-9 and _"
    assert tg.commands() == tg.commands(language_code="en")  # bot.language is en here


async def test_a_command_for_another_bot_is_left_alone(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    bot = await make_app()
    tg.say(ana, group, "/echo@other_bot hello")
    tg.say(ana, group, "/echo@QunZhu_Bot mine")
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == "mine"
    await bot.settle()
    assert len(tg.sent(group)) == 1


async def test_user_text_is_escaped_for_html(tg: TelegramEmulator, make_app: MakeApp) -> None:
    tg.world.strict_html = True  # a bare "&" is refused, as an unescaped "<" is on Telegram
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await make_app()
    tg.say(ana, dm, "/echo <b>&amp; 5 > 3 & 2 < 4</b>")
    (answer,) = await tg.wait_sent(dm)
    assert answer["text"] == "<b>&amp; 5 > 3 & 2 < 4</b>"
    assert {e["type"] for e in answer.get("entities", [])} <= {"bot_command"}  # "/b" is one


async def test_a_long_text_is_sent_in_parts_cut_between_paragraphs(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await make_app()
    paragraphs = [f"第{i}段 " + "字" * 900 for i in range(6)]  # 5.4k characters
    tg.say(ana, dm, "/echo " + "\n\n".join(paragraphs))
    parts = await tg.wait_sent(dm, count=2)
    assert [p["text"] for p in parts] == ["\n\n".join(paragraphs[:4]), "\n\n".join(paragraphs[4:])]
    assert "reply_to_message" in parts[0] and "reply_to_message" not in parts[1]


async def test_a_button_press_is_handled_and_its_spinner_stopped(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana", language_code="en")
    group = tg.group("Residents", members=[ana])
    bot = await make_app()
    tg.say(ana, group, "/ask")
    (question,) = await tg.wait_sent(group)
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert keyboard == [
        [
            {"text": "Yes", "callback_data": "tgtest:yes"},
            {"text": "Docs", "url": "https://example.org"},
        ]
    ]
    query = tg.press(ana, question, "tgtest:yes")
    sent = await tg.wait_sent(group, count=2)
    assert sent[1]["text"] == f"pressed tgtest:yes by Ana under {question['message_id']}"
    edited = tg.message(group, question["message_id"])
    assert edited["text"] == "Answered: yes" and "reply_markup" not in edited
    await eventually(lambda: tg.callback_answer(query["id"]) is not None)
    assert tg.unanswered_callbacks() == []
    assert (str(group.id), query["id"], "button") in await bot.inbox()


async def test_mentions_in_and_out(tg: TelegramEmulator, make_app: MakeApp) -> None:
    ana = tg.user("Ana", username="ana_li")
    bo = tg.user("Bo")
    group = tg.group("Residents", members=[ana, bo])
    await make_app()
    tg.say(bo, group, "hi")  # the bot learns who Bo is
    tg.say(ana, group, "@ana_li and @nobody_known, see this")
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == f"mentions telegram:{ana.id} @nobody_known"
    tg.say(ana, group, f"/remind {ana.id} {bo.id}")
    (_, reminder) = await tg.wait_sent(group, count=2)
    assert reminder["text"] == "请 Ana 提交周报 <今天> @Bo"
    links = [(e["type"], e["user"]["id"]) for e in reminder["entities"]]
    assert links == [("text_mention", ana.id), ("text_mention", bo.id)]


async def test_allowed_updates_follow_the_hooks_plugins_implement(
    tg: TelegramEmulator, tmp_path: object, make_app: MakeApp, plugin: TgTest
) -> None:
    await make_app()
    everything = {
        "message",
        "edited_message",
        "callback_query",
        "message_reaction",
        "chat_member",
        "my_chat_member",
    }
    await eventually(lambda: set(tg.world.allowed_updates) == everything)


async def test_without_reaction_and_member_hooks_telegram_is_not_asked_for_them(
    tg: TelegramEmulator, tmp_path: Path
) -> None:
    class Quiet:
        @hookimpl
        async def on_message(self, ctx: object) -> None:
            return None

    bot = TelegramApp(tmp_path, tg, Quiet())
    await bot.start()
    try:
        wanted = {"message", "edited_message", "callback_query", "my_chat_member"}
        await eventually(lambda: set(tg.world.allowed_updates) == wanted)
    finally:
        await bot.stop()


async def test_the_bot_removed_from_a_group_is_known_without_member_hooks(
    tg: TelegramEmulator, tmp_path: Path
) -> None:
    """The core stops sending to a group that removed the bot (a broadcast skips it) even when
    no plugin implements on_member_change: my_chat_member is always asked for."""

    class Quiet:
        @hookimpl
        async def on_message(self, ctx: object) -> None:
            return None

    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    bot = TelegramApp(tmp_path, tg, Quiet())
    await bot.start()
    try:
        tg.kick_bot(group, by=ana)
        await eventually(lambda: _inactive(bot, group.id))
        tg.add_bot(group, by=ana)
        await eventually(lambda: bot.chat_active(group.id))
        assert [kind for _, _, kind in await bot.inbox()] == ["member", "member"]
    finally:
        await bot.stop()


async def _inactive(bot: TelegramApp, chat_id: int) -> bool:
    return not await bot.chat_active(chat_id)
