"""The bot's side: what aiogram sends and gets back, and what the emulator stores, including
Telegram's error answers (which aiogram turns into its own exception types)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramUnauthorizedError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)

from qunzhu.adapters.telegram.emulator import TelegramEmulator

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d.title(), callback_data=d) for d in data]]
    )


async def test_send_message_html_and_keyboard(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents")
    asked = tg.say(ana, group, "/report")
    sent = await bot.send_message(
        group.id,
        "<b>Report #12</b> 👍 from <i>Ana</i> &lt;3\n<a href='example.org'>map</a>",
        parse_mode="HTML",
        reply_markup=keyboard("ok", "no"),
        reply_parameters=ReplyParameters(message_id=asked["message_id"]),
        disable_notification=True,
    )
    assert sent.text == "Report #12 👍 from Ana <3\nmap"
    assert sent.from_user is not None and sent.from_user.id == tg.bot.id
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "/report"
    entities = [(e.type, e.offset, e.length, e.url) for e in sent.entities or []]
    assert entities == [
        ("bold", 0, 10, None),
        ("italic", 19, 3, None),
        ("text_link", 26, 3, "http://example.org/"),
    ]
    (stored,) = tg.sent(group)
    assert stored["message_id"] == sent.message_id == asked["message_id"] + 1
    assert stored["reply_markup"]["inline_keyboard"][0][1] == {"text": "No", "callback_data": "no"}
    assert stored["disable_notification"] is True and stored["edit_count"] == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ],
)
async def test_bad_html_is_refused(tg: TelegramEmulator, bot: Bot, text: str, error: str) -> None:
    ana = tg.user("Ana")
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(tg.private(ana).id, text, parse_mode="HTML")
    assert caught.value.message == f"Bad Request: can't parse entities: {error}"
    assert tg.sent(ana.id) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "  \n"}, "Bad Request: message text is empty"),
        ({"text": "x", "reply_markup": keyboard("x" * 65)}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x", "reply_parameters": ReplyParameters(message_id=99)},
            "Bad Request: message to be replied not found",
        ),
        ({"chat_id": 424242, "text": "x"}, "Bad Request: chat not found"),
    ],
)
async def test_send_message_checks(
    tg: TelegramEmulator, bot: Bot, kwargs: dict[str, Any], error: str
) -> None:
    ana = tg.user("Ana")
    kwargs.setdefault("chat_id", tg.private(ana).id)
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(**kwargs)
    assert caught.value.message == error


async def test_reply_to_a_missing_message_can_be_allowed(tg: TelegramEmulator, bot: Bot) -> None:
    dm = tg.private(tg.user("Ana"))
    reply = ReplyParameters(message_id=99, allow_sending_without_reply=True)
    sent = await bot.send_message(dm.id, "x", reply_parameters=reply)
    assert sent.reply_to_message is None


async def test_photo_upload_reuse_and_download(
    tg: TelegramEmulator, bot: Bot, make_jpeg: Any
) -> None:
    dm = tg.private(tg.user("Ana"))
    data = make_jpeg(1000, 750)
    first = await bot.send_photo(
        dm.id, BufferedInputFile(data, "lamp.jpg"), caption="<b>Lamp</b>", parse_mode="HTML"
    )
    assert first.photo is not None and first.caption == "Lamp"
    assert [(p.width, p.height) for p in first.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1000, 750),
    ]
    largest = first.photo[-1]
    again = await bot.send_photo(dm.id, largest.file_id)
    assert again.photo == first.photo
    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None and file.file_size == len(data)
    downloaded = await bot.download(file)
    assert downloaded is not None and downloaded.read() == data
    url = f"{tg.api_base}/file/bot{tg.token}/{file.file_path}"
    by_url = await bot.send_photo(dm.id, url)
    assert by_url.photo is not None and by_url.photo[-1].width == 1000
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(dm.id, "https://example.com/lamp.jpg")
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(dm.id, BufferedInputFile(b"not an image", "x.jpg"))
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(dm.id, largest.file_id, caption="x" * 1025)


async def test_document_media_group_location_and_action(
    tg: TelegramEmulator, bot: Bot, make_jpeg: Any
) -> None:
    group = tg.group("Residents")
    doc = await bot.send_document(group.id, BufferedInputFile(b"a,b\n1,2\n", "rows.csv"))
    assert doc.document is not None and doc.document.file_name == "rows.csv"
    assert doc.document.mime_type == "text/csv"
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(group.id, doc.document.file_id)
    album = await bot.send_media_group(
        group.id,
        [
            InputMediaPhoto(media=BufferedInputFile(make_jpeg(400, 300), "a.jpg"), caption="a"),
            InputMediaPhoto(media=BufferedInputFile(make_jpeg(300, 400), "b.jpg")),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id is not None
    assert [m.message_id for m in album] == [doc.message_id + 1, doc.message_id + 2]
    assert album[0].caption == "a" and album[1].caption is None
    location = await bot.send_location(group.id, latitude=39.9, longitude=116.4)
    assert location.location is not None and location.location.latitude == 39.9
    assert await bot.send_chat_action(group.id, "typing")
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(group.id, "dancing")
    assert tg.chat_actions(group) == ["typing"]
    assert len(tg.sent(group)) == 4


async def test_edits(tg: TelegramEmulator, bot: Bot, make_jpeg: Any) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents")
    theirs = tg.say(ana, group, "mine")
    sent = await bot.send_message(group.id, "Status: open", reply_markup=keyboard("close"))
    edited = await bot.edit_message_text(
        "Status: <b>closed</b>", chat_id=group.id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool) and edited.text == "Status: closed"
    assert edited.edit_date is not None and edited.reply_markup is None  # no markup: removed
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.edit_message_text(
            "Status: <b>closed</b>", chat_id=group.id, message_id=sent.message_id, parse_mode="HTML"
        )
    assert caught.value.message == NOT_MODIFIED
    await bot.edit_message_reply_markup(
        chat_id=group.id, message_id=sent.message_id, reply_markup=keyboard("reopen")
    )
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=theirs["message_id"])
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=999)
    photo = await bot.send_photo(group.id, BufferedInputFile(make_jpeg(50, 50), "p.jpg"))
    await bot.edit_message_caption(chat_id=group.id, message_id=photo.message_id, caption="new")
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=group.id, message_id=sent.message_id, caption="c")
    stored = tg.sent(group)
    assert stored[0]["text"] == "Status: closed" and stored[0]["edit_count"] == 2
    assert stored[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "reopen"
    assert stored[1]["caption"] == "new" and stored[1]["edit_count"] == 1
    assert await bot.delete_message(group.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(group.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(group.id, theirs["message_id"])
    assert [m["message_id"] for m in tg.sent(group)] == [photo.message_id]


async def test_answer_callback_query_once(tg: TelegramEmulator, bot: Bot, clock: Any) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await bot.send_message(dm.id, "Rate us", reply_markup=keyboard("good", "bad"))
    first = tg.press(ana, tg.sent(dm)[0], "good")
    late = tg.press(ana, tg.sent(dm)[0], "bad")
    assert await bot.answer_callback_query(first["id"], text="Thanks!", show_alert=True)
    assert tg.callback_answer(first["id"]) == {
        "text": "Thanks!",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    message = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    with pytest.raises(TelegramBadRequest) as again:
        await bot.answer_callback_query(first["id"])
    assert again.value.message == message
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")
    clock.advance(16)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(late["id"])
    assert tg.unanswered_callbacks() == [late]


async def test_commands_per_scope_and_language(tg: TelegramEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="report", description="Report a problem")])
    zh = [BotCommand(command="report", description="报告问题")]
    await bot.set_my_commands(zh, language_code="zh")
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands([BotCommand(command="status", description="Status")], scope=groups)
    assert [c.description for c in await bot.get_my_commands()] == ["Report a problem"]
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["报告问题"]
    assert [c.command for c in await bot.get_my_commands(scope=groups)] == ["status"]
    assert await bot.get_my_commands(scope=groups, language_code="zh") == []
    assert tg.commands(language_code="zh") == [{"command": "report", "description": "报告问题"}]
    assert await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_get_chat_and_member(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana], username="residents")
    chat = await bot.get_chat("@residents")
    assert (chat.id, chat.type, chat.title) == (group.id, "supergroup", "Residents")
    member = await bot.get_chat_member(group.id, ana.id)
    assert member.status == "creator"
    me = await bot.get_chat_member(group.id, tg.bot.id)
    assert me.status == "member"


async def test_wire_details(tg: TelegramEmulator, make_jpeg: Any) -> None:
    """Method names are case-insensitive; JSON bodies and query strings work like forms; wrong
    tokens and unknown methods get Telegram's 401 and 404 bodies."""
    dm = tg.private(tg.user("Ana"))
    base = f"{tg.api_base}/bot{tg.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/SENDMESSAGE", json={"chat_id": dm.id, "text": "hi"}) as r:
            assert (r.status, (await r.json())["result"]["text"]) == (200, "hi")
        async with http.get(f"{base}/sendMessage", params={"chat_id": dm.id, "text": "q"}) as r:
            assert (await r.json())["result"]["message_id"] == 2
        async with http.post(f"{base}/sendPhoto", data=_form(dm.id, make_jpeg(20, 10))) as r:
            assert (await r.json())["result"]["photo"][-1]["width"] == 20
        async with http.post(f"{base}/noSuchMethod") as r:
            assert (r.status, await r.json()) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
        async with http.post(f"{tg.api_base}/bot1:WRONG/getMe") as r:
            assert (r.status, (await r.json())["description"]) == (401, "Unauthorized")
    wrong = Bot("1:WRONG", session=bot_session(tg))
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()


def _form(chat_id: int, data: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat_id))
    form.add_field("photo", data, filename="p.jpg", content_type="image/jpeg")
    return form


def bot_session(tg: TelegramEmulator) -> AiohttpSession:
    return AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base))
