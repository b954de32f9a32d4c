"""Updates the emulator builds for the bot, read back through aiogram's getUpdates: each must
parse as the right aiogram type with the fields Telegram fills in."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError, TelegramForbiddenError
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from qunzhu.adapters.telegram.emulator import ScenarioError, TelegramEmulator


async def drain(bot: Bot, **kwargs: Any) -> list[Update]:
    """Fetch what is pending and confirm it."""
    updates = await bot.get_updates(timeout=0, **kwargs)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def test_get_me_describes_the_bot(tg: TelegramEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "qunzhu_bot")
    assert me.can_join_groups and me.can_read_all_group_messages


async def test_long_poll_returns_as_soon_as_a_message_arrives(
    tg: TelegramEmulator, bot: Bot
) -> None:
    ana = tg.user("Ana", language_code="zh-hans")
    group = tg.group("Residents")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    tg.say(ana, group, "/report@qunzhu_bot 路灯坏了")
    (update,) = await poll
    assert time.monotonic() - started < 2
    message = update.message
    assert message is not None and message.from_user is not None
    assert message.text == "/report@qunzhu_bot 路灯坏了"
    assert message.chat.id == group.id and message.chat.type == "supergroup"
    assert str(group.id).startswith("-100")
    assert message.from_user.language_code == "zh-hans"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bot_command", 0, 18)
    ]


async def test_offset_confirms_earlier_updates(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    for text in ("one", "two", "three"):
        tg.say(ana, dm, text)
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    assert [u.update_id for u in updates] == sorted({u.update_id for u in updates})
    assert len(await bot.get_updates(limit=2)) == 2
    assert len(await bot.get_updates(offset=updates[1].update_id)) == 2
    assert len(tg.pending_updates) == 2
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    assert tg.pending_updates == []
    for text in ("four", "five"):
        tg.say(ana, dm, text)
    (last,) = await bot.get_updates(offset=-1)
    assert last.message is not None and last.message.text == "five"


async def test_allowed_updates_filter_persists_until_changed(
    tg: TelegramEmulator, bot: Bot
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await bot.get_updates(allowed_updates=["callback_query"], timeout=0)
    tg.say(ana, dm, "not wanted")
    assert await bot.get_updates(timeout=0) == []  # the filter stayed
    await bot.get_updates(allowed_updates=[], timeout=0)  # back to the default
    tg.say(ana, dm, "wanted")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "wanted"


async def test_a_second_poller_ends_the_first_with_conflict(tg: TelegramEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


async def test_photo_album_document_location_venue(
    tg: TelegramEmulator, bot: Bot, make_jpeg: Any, make_png: Any
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    tg.send_photo(ana, group, make_jpeg(1600, 1200), caption="楼道灯不亮 #lights")
    tg.send_album(ana, group, [make_jpeg(640, 480), make_png(300, 500)], caption="two")
    tg.send_document(ana, group, b"%PDF-1.4", "report.pdf")
    tg.send_location(ana, group, 39.9, 116.4)
    tg.send_venue(ana, group, 39.9, 116.4, title="Gate 3", address="Chaoyang Rd 1")
    photo, album1, album2, document, location, venue = [
        u.message for u in await drain(bot) if u.message
    ]
    assert photo.photo is not None and photo.caption == "楼道灯不亮 #lights"
    assert [(p.width, p.height) for p in photo.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    assert (
        len({p.file_id for p in photo.photo}) == len({p.file_unique_id for p in photo.photo}) == 4
    )
    assert [(e.type, e.offset, e.length) for e in photo.caption_entities or []] == [
        ("hashtag", 6, 7)
    ]
    assert album1.media_group_id and album1.media_group_id == album2.media_group_id
    assert album1.caption == "two" and album2.caption is None
    assert album2.photo is not None and (album2.photo[-1].width, album2.photo[-1].height) == (
        300,
        500,
    )
    assert document.document is not None and document.document.file_name == "report.pdf"
    assert document.document.mime_type == "application/pdf"
    assert location.location is not None and location.location.latitude == 39.9
    assert venue.venue is not None and venue.venue.title == "Gate 3"
    assert venue.location is not None and venue.venue.location.longitude == 116.4


async def test_reply_and_edit(tg: TelegramEmulator, bot: Bot) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo", username="bo_bo")
    group = tg.group("Residents")
    first = tg.say(ana, group, "the lift is broken")
    tg.reply(bo, group, to=first, text="@ana_ana same here")
    tg.edit(ana, first, "the lift is broken again")
    with pytest.raises(ScenarioError):
        tg.edit(bo, first, "not mine")
    _, reply, edited = await drain(bot)
    assert reply.message is not None and reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.message_id == first["message_id"]
    assert [e.type for e in reply.message.entities or []] == ["mention"]
    assert edited.edited_message is not None
    assert edited.edited_message.text == "the lift is broken again"
    assert edited.edited_message.edit_date is not None


async def test_press_sends_a_callback_query(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Done", callback_data="done:7")]]
    )
    sent = await bot.send_message(dm.id, "Fixed?", reply_markup=keyboard)
    query = tg.press(ana, tg.sent(dm)[0], "done:7")
    with pytest.raises(ScenarioError, match="offered"):
        tg.press(ana, tg.sent(dm)[0], "forged")
    (update,) = await drain(bot)
    callback = update.callback_query
    assert isinstance(callback, CallbackQuery)
    assert (callback.id, callback.data) == (query["id"], "done:7")
    assert callback.from_user.id == ana.id and callback.chat_instance
    assert callback.message is not None and callback.message.message_id == sent.message_id
    assert tg.unanswered_callbacks() == [query]


async def test_reactions_reach_an_admin_bot_that_asked(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", bot_admin=True)
    message = tg.say(ana, group, "hello")
    tg.react(ana, message, "👍")  # not in allowed_updates yet: never created
    await drain(bot, allowed_updates=["message", "message_reaction"])
    tg.react(ana, message, "🔥")
    tg.react(ana, message, None)
    first, second = await drain(bot)
    reaction = first.message_reaction
    assert reaction is not None and reaction.user is not None
    assert reaction.message_id == message["message_id"] and reaction.user.id == ana.id
    assert [r.emoji for r in reaction.old_reaction] == ["👍"]  # type: ignore[union-attr]
    assert [r.emoji for r in reaction.new_reaction] == ["🔥"]  # type: ignore[union-attr]
    assert second.message_reaction is not None and second.message_reaction.new_reaction == []


async def test_join_and_leave(tg: TelegramEmulator, bot: Bot) -> None:
    ana, bo = tg.user("Ana"), tg.user("Bo")
    group = tg.group("Residents", members=[ana], bot_admin=True)
    await drain(bot, allowed_updates=["message", "chat_member", "my_chat_member"])
    tg.join(bo, group)
    tg.leave(bo, group)
    joined, member, left, gone = await drain(bot)
    assert joined.message is not None and joined.message.new_chat_members is not None
    assert [u.id for u in joined.message.new_chat_members] == [bo.id]
    assert member.chat_member is not None
    assert member.chat_member.old_chat_member.status == "left"
    assert member.chat_member.new_chat_member.status == "member"
    assert left.message is not None and left.message.left_chat_member is not None
    assert gone.chat_member is not None and gone.chat_member.new_chat_member.status == "left"
    with pytest.raises(ScenarioError, match="join"):
        tg.say(bo, group, "I left")


async def test_privacy_mode_shows_only_commands_mentions_and_replies(
    clock: Any, make_jpeg: Any
) -> None:
    async with TelegramEmulator(privacy_mode=True, clock=clock) as tg:
        ana = tg.user("Ana")
        group = tg.group("Residents")
        tg.say(ana, group, "just chatting")
        tg.say(ana, group, "/help")
        tg.say(ana, group, "hey @qunzhu_bot")
        tg.send_photo(ana, group, make_jpeg(10, 10))
        texts = [u["message"].get("text") for u in tg.pending_updates]
        assert texts == ["/help", "hey @qunzhu_bot"]


async def test_a_photos_caption_is_edited(tg: TelegramEmulator, bot: Bot, make_jpeg: Any) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    photo = tg.send_photo(ana, group, make_jpeg(800, 600), caption="#周报 完成巡查")
    tg.edit(ana, photo, "#周报 完成巡查和整改")
    with pytest.raises(ScenarioError):
        tg.edit(ana, tg.send_location(ana, group, 30.0, 114.0), "no text to edit")
    _, edited, _ = await drain(bot)
    assert edited.edited_message is not None
    assert edited.edited_message.caption == "#周报 完成巡查和整改"
    assert [e.type for e in edited.edited_message.caption_entities or []] == ["hashtag"]
    assert edited.edited_message.photo is not None


async def test_a_group_the_bot_is_not_in_until_it_is_added(tg: TelegramEmulator, bot: Bot) -> None:
    ana = tg.user("Ana")
    group = tg.group("Village 9", members=[ana], with_bot=False)
    tg.say(ana, group, "nobody hears this")
    assert await drain(bot) == []
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup"):
        await bot.send_message(group.id, "hello")
    tg.add_bot(group, by=ana)
    tg.say(ana, group, "/help")
    updates = await drain(bot)
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message is not None and updates[1].message.new_chat_members
    assert updates[2].message is not None and updates[2].message.text == "/help"
    assert (await bot.send_message(group.id, "hello")).chat.id == group.id
