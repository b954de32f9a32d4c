"""The WeCom adapter over the emulator's long connection: subscribe, messages of every kind,
replies under a message and active messages, cards and their clicks, media decryption, limits,
reconnects (issue 18, item 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from qunzhu.adapters.wecom.adapter import WecomAdapter
from qunzhu.adapters.wecom.config import WecomConfig
from qunzhu.core import AdapterError, ConfigError, FakeClock
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Reply
from tests.adapters.wecom.emulator import WecomEmulator
from tests.adapters.wecom.wecomapp import WecomApp, WecomTest, wecom_section
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[WecomApp]]


async def test_a_command_at_the_bot_in_a_group_is_answered_under_it(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    app = await make_app()
    frame = await emu.say(ana, "/echo 混凝土没按规范养护", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert (answer.kind, answer.text) == ("stream", "混凝土没按规范养护")
    assert frame is not None and answer.answers == frame["body"]["msgid"]
    assert emu.frames[0]["cmd"] == "aibot_subscribe"
    assert emu.frames[0]["body"] == {"bot_id": "aibot-test", "secret": "s3cret"}
    assert await app.inbox() == [("wrkA", frame["body"]["msgid"], "message")]


async def test_a_group_message_without_the_mention_never_reaches_the_bot(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    app = await make_app()
    assert await emu.say(ana, "n 大家好", group=works, mention=False) is None
    await emu.say(ana, "n 在吗", group=works)
    await emu.wait_sent(works, 1)
    assert plugin.texts == [("n 在吗", None, ("aibot-test",))]  # the mention taken off
    assert app.adapter.capabilities.mentions_only


async def test_private_messages_are_all_heard_and_voice_arrives_as_its_transcription(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest
) -> None:
    ana = emu.person("ana", "Ana")
    await make_app()
    await emu.say(ana, "n 你好")
    await emu.say(ana, voice="n 垃圾没人处理")
    sent = await emu.wait_sent(ana, 2)
    assert [s.text for s in sent] == ["ok n 你好", "ok n 垃圾没人处理"]
    assert [t for t, _, _ in plugin.texts] == ["n 你好", "n 垃圾没人处理"]


async def test_a_photo_with_text_is_downloaded_and_decrypted_with_its_own_key(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    await make_app()
    photos = (b"\xff\xd8first photo" * 7, b"\xff\xd8second" * 3)
    await emu.say(ana, "偷工减料", group=works, images=photos)
    [answer] = await emu.wait_sent(works, 1)
    assert answer.text == "2 photo: 偷工减料"
    assert tuple(plugin.downloads) == photos


async def test_a_reply_with_a_photo_carries_it_in_the_finished_stream(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest, tmp_path: Path
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"\xff\xd8 site photo")
    plugin.photo = str(photo)
    await make_app()
    frame = await emu.say(ana, "/photo 现场照片", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert (answer.kind, answer.text, answer.images) == ("stream", "现场照片", [photo.read_bytes()])
    assert frame is not None and answer.answers == frame["body"]["msgid"]  # under the message


async def test_a_photo_wecom_would_refuse_is_named_under_the_reply_not_dropped(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest, tmp_path: Path
) -> None:
    ana = emu.person("ana", "Ana")
    photo = tmp_path / "site.gif"
    photo.write_bytes(b"GIF89a not a jpeg")
    plugin.photo = str(photo)
    await make_app(config={"bot": {"language": "zh_Hans"}})
    await emu.say(ana, "/photo 现场照片")
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "现场照片\n\n（此消息附有照片，但未能发送，请在网页控制台查看。）"
    assert answer.images == []


async def test_an_active_message_with_a_photo_says_that_the_photo_cannot_be_attached(
    emu: WecomEmulator, make_app: MakeApp, tmp_path: Path
) -> None:
    works = emu.group("wrkA", "北部新城工程", emu.person("ana", "Ana"))
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"\xff\xd8 site photo")
    app = await make_app(config={"bot": {"language": "zh_Hans"}})
    chat = ChatRef("wecom", works.chatid, ChatKind.GROUP)
    await app.adapter.send_keyed(chat, Reply("现场照片", photo=str(photo)), "k1")
    [sent] = await emu.wait_sent(works, 1)
    assert (sent.kind, sent.answers) == ("markdown", None)
    assert sent.text == (
        "现场照片\n\n（此消息附有照片，企业微信机器人主动发消息时无法附带照片，请在网页控制台查看。）"
    )


async def test_a_file_is_decrypted_and_a_wrong_key_is_an_error_not_garbage(
    emu: WecomEmulator, make_app: MakeApp, plugin: WecomTest
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    await emu.say(ana, file=b"12345 hotline export,,\n" * 5)
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "1 file: "
    assert plugin.downloads == [b"12345 hotline export,,\n" * 5]
    from qunzhu.core import Attachment, AttachmentKind

    media = emu.media(b"secret bytes")
    wrong = Attachment(AttachmentKind.FILE, f"{'A' * 43} {media['url']}")
    with pytest.raises(AdapterError, match="does not decrypt"):
        await app.adapter.download(wrong)


async def test_buttons_are_a_card_whose_click_is_a_press_and_updates_the_card_in_place(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    await make_app()
    await emu.say(ana, "/ask", group=works)
    [text, card] = await emu.wait_sent(works, 2)
    assert (text.kind, text.text) == ("stream", "选一个")
    assert card.kind == "template_card" and card.labels == ["是", "否", "说明"]
    assert card.card is not None and card.card["button_list"][2]["url"] == "https://example.org"
    await emu.click(ana, card, "是")
    sent = await emu.wait_sent(works, 3)
    assert sent[2].text == "pressed t:yes by ana"
    assert card.updates and card.updates[-1]["main_title"]["title"] == "已选：是"


async def test_more_than_six_buttons_become_two_cards_and_a_click_on_the_second_counts(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    await make_app()
    await emu.say(ana, "/many")
    [_, first, second] = await emu.wait_sent(ana, 3)
    assert first.labels == [f"类{i}" for i in range(6)]
    assert second.labels == ["类6", "类7"]
    await emu.click(ana, second, "类7")
    sent = await emu.wait_sent(ana, 4)
    assert sent[3].text == "pressed t:c7 by ana"


async def test_an_active_message_to_a_group_and_a_mention_by_userid(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    emu.person("li", "Li")
    works = emu.group("wrkA", "北部新城工程", ana)
    emu.group("unitB", "住建局")
    await make_app()
    await emu.say(ana, "/notify unitB 请住建局接单")
    [notice] = await emu.wait_sent(emu.groups["unitB"], 1)
    assert (notice.kind, notice.text, notice.answers) == ("markdown", "请住建局接单", None)
    await emu.say(ana, "/remind li", group=works)
    [reminder] = await emu.wait_sent(works, 1)
    assert reminder.text == "请提交周报 <@li>"


async def test_an_unknown_chat_fails_once_and_is_not_retried(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    await emu.say(ana, "/notify nowhere 你好")
    rows = await eventually(_failed(app))
    assert "93006" in (rows[0][3] or "")
    tries = [f for f in emu.frames if f.get("cmd") == "aibot_send_msg"]
    assert len(tries) == 1


def _failed(app: WecomApp) -> Callable[[], Awaitable[list[tuple[str, str, int, str | None]]]]:
    async def check() -> list[tuple[str, str, int, str | None]]:
        return [r for r in await app.outbox() if r[1] == "failed"]

    return check


async def test_the_limit_answer_45009_is_waited_out_and_the_message_arrives(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    emu.group("unitB", "住建局")
    app = await make_app()
    emu.fail_next["aibot_send_msg"] = 45009
    await emu.say(ana, "/notify unitB 第一条")
    await eventually(lambda: [f for f in emu.frames if f.get("cmd") == "aibot_send_msg"])
    await app.settle()
    [row] = [r for r in await app.outbox() if r[0] == "unitB"]
    assert row[1] != "failed"  # waited out (a minute for this chat), not given up
    assert not emu.in_chat(emu.groups["unitB"])  # the first try was refused


async def test_after_the_connection_drops_the_bot_reconnects_and_hears_again(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    await emu.drop()
    await emu.subscribed()
    await emu.say(ana, "n 又来了")
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "ok n 又来了"
    assert emu.connections == 2
    assert app.adapter.connection is not None and app.adapter.connection.connections == 2


async def test_a_wrong_secret_stops_start_up_with_one_line_and_is_not_logged(
    emu: WecomEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    config = WecomConfig.model_validate(wecom_section(emu, secret="wrong"))
    adapter = WecomAdapter(config, clock=FakeClock())
    with pytest.raises(AdapterError, match=r"refused bot_id 'aibot-test' .*40001 invalid secret"):
        await adapter.start(NoSink())  # type: ignore[arg-type]
    assert any("wecom_subscribe_refused errcode=40001" in r.getMessage() for r in caplog.records)
    assert "wrong" not in caplog.text  # the secret is never logged


class NoSink:
    """A sink that is never reached (the subscription is refused first)."""


async def test_a_shared_start_refuses_the_wecom_bot_before_it_connects(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    """With ``dispatcher.shared`` another worker may send a reply, and WeCom sends only through
    the connection that receives (a second connection of the bot ends the first)."""
    with pytest.raises(ConfigError, match=r"^adapters.wecom runs in one process only: .*shared"):
        await make_app(config={"dispatcher": {"shared": True}})
    assert emu.connections == 0


async def test_unanswered_heartbeats_close_the_connection_and_the_bot_reconnects(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app(adapter={"heartbeat": 0.05})
    emu.answer_pings = False
    await eventually(lambda: emu.connections >= 2)  # two pings unanswered: a new connection
    emu.answer_pings = True
    await emu.subscribed()
    await emu.say(ana, "n 还在吗")
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "ok n 还在吗"
    pings = [f for f in emu.frames if f.get("cmd") == "ping"]
    assert len(pings) >= 2 and "body" not in pings[0]
    assert app.adapter.connection is not None


async def test_a_message_that_can_no_longer_be_answered_under_it_gets_an_active_message(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    emu.reply_window = 0.0  # the platform refuses every answer under a message (40008)
    await make_app()
    await emu.say(ana, "/ask", group=works)
    [text, card] = await emu.wait_sent(works, 2)
    assert (text.kind, text.text, text.answers) == ("markdown", "选一个", None)
    assert card.labels == ["是", "否", "说明"]


async def test_help_in_a_wecom_group_says_to_write_the_mention_first(
    emu: WecomEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("wrkA", "北部新城工程", ana)
    await make_app(config={"bot": {"language": "zh_Hans"}})
    await emu.say(ana, "/help", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert answer.text.splitlines()[0] == (
        "在群里请 @群助手 后再写您的话，机器人只收得到 @ 它的群消息；私聊直接发就行。"
    )
