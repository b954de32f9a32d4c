"""Photos, files, albums and places, both ways."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.core.model._events import ChatKind, ChatRef
from tests.adapters.telegram.conftest import jpeg, png
from tests.adapters.telegram.tgapp import TelegramApp, TgTest
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


async def test_a_photo_in_is_downloaded_lazily(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Works", members=[ana])
    await make_app()
    data = jpeg(2000, 1500)
    sent = tg.send_photo(ana, group, data, caption="混凝土没按规范养护")
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == f"1 photo {len(data)} bytes: 混凝土没按规范养护"
    assert plugin.downloads == [data]
    assert answer["reply_to_message"]["message_id"] == sent["message_id"]


async def test_a_document_arrives_as_a_file(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await make_app()
    tg.send_document(ana, dm, b"a,b\n1,2\n", "hotline.csv", caption="12345 工单")
    (answer,) = await tg.wait_sent(dm)
    assert answer["text"] == "1 file 8 bytes: 12345 工单"
    assert plugin.downloads == [b"a,b\n1,2\n"]


async def test_a_photo_out_is_uploaded_once_then_sent_by_file_id(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Buyers", members=[ana])
    bot = await make_app()
    tg.say(ana, group, "/post")
    tg.say(ana, group, "/post")
    first, second = await tg.wait_sent(group, count=2)
    assert first["caption"] == "鮰鱼 <特价> & 新鲜"
    assert first["photo"][-1]["width"] == 1280  # Telegram's largest size of a 1600 px photo
    assert first["photo"][-1]["file_id"] == second["photo"][-1]["file_id"]
    assert bot.adapter.uploads.uploaded == 1
    buttons = first["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in buttons[0]] == ["我要订购", "联系卖家"]
    tg.press(ana, second, "tgtest:order")  # the plugin marks its (latest) post sold out
    await tg.wait_sent(group, count=3)
    edited = tg.message(group, second["message_id"])
    assert edited["caption"] == "已售罄" and "reply_markup" not in edited
    assert tg.message(group, first["message_id"])["caption"] == "鮰鱼 <特价> & 新鲜"


async def test_a_broadcast_uploads_its_photo_once(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    groups = [tg.group(f"Group {i}") for i in range(12)]
    plugin.targets = [tg_chat(g.id) for g in groups]
    bot = await make_app()
    tg.say(ana, tg.private(ana), "/burst")
    for group in groups:
        await tg.wait_sent(group)
    assert bot.adapter.uploads.uploaded == 1
    assert len({tg.sent(g)[0]["photo"][-1]["file_id"] for g in groups}) == 1


async def test_a_long_caption_goes_after_the_photo(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest, tmp_path: object
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Buyers", members=[ana])
    bot = await make_app()
    long_text = "鮰鱼" * 600  # 1,200 characters: over the 1,024 of a caption
    sent = await bot.adapter.send_keyed(tg_chat(group.id), plugin.post_reply(long_text), "k1")
    photo, text = tg.sent(group)
    assert "caption" not in photo and "reply_markup" not in photo
    assert text["text"] == long_text and text["reply_markup"]["inline_keyboard"]
    assert sent == str(text["message_id"])


async def test_an_album_is_one_message_with_every_photo(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Works", members=[ana])
    bot = await make_app()
    photos = [jpeg(800, 600), png(640, 480), jpeg(1024, 768)]
    parts = tg.send_album(ana, group, photos, caption="三标段 三张照片")
    (answer,) = await tg.wait_sent(group)
    sizes = sum(len(p) for p in photos)
    assert answer["text"] == f"3 photo {sizes} bytes: 三标段 三张照片"
    assert plugin.downloads == photos
    ids = [str(p["message_id"]) for p in parts]
    assert await bot.inbox() == [(str(group.id), i, "message") for i in ids]  # each part kept


async def test_an_album_interrupted_by_a_restart_is_one_message_after_it(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Works", members=[ana])
    bot = await make_app(adapter={"album_wait": 5.0})
    tg.send_album(ana, group, [jpeg(800, 600), jpeg(640, 480)], caption="before")
    tg.say(ana, group, "n 1")  # after the album: waits for it, to keep the chat's order
    await eventually(lambda: not tg.pending_updates)  # every part recorded and confirmed
    assert len(await bot.inbox()) == 3
    assert tg.sent(group) == []
    await bot.stop()
    bot.options["album_wait"] = 0.2
    await bot.start()
    album, text = await tg.wait_sent(group, count=2)
    assert album["text"].startswith("2 photo") and album["text"].endswith(": before")
    assert text["text"] == "ok n 1"
    await bot.settle()
    assert len(tg.sent(group)) == 2


async def test_locations_and_venues(tg: TelegramEmulator, make_app: MakeApp) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    await make_app()
    tg.send_location(ana, dm, 26.6523, 119.5231)
    await tg.wait_sent(dm)
    tg.send_venue(ana, dm, 26.65, 119.52, title="北部新城三标段", address="福安市城北街道")
    point, venue = await tg.wait_sent(dm, count=2)
    assert point["text"] == "location 26.6523,119.5231"  # Telegram trims the end
    assert venue["text"] == "location 26.6500,119.5200 北部新城三标段, 福安市城北街道"


def tg_chat(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id), ChatKind.GROUP)
