"""The DingTalk adapter over the emulator: Stream mode's connection, acknowledgements after the
inbox commit, messages of every kind, replies by session webhook and active messages, cards and
their clicks, pictures, limits, reconnects (issue 18, item 3)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from qunzhu.adapters.dingtalk.adapter import DingtalkAdapter
from qunzhu.adapters.dingtalk.config import DingtalkConfig
from qunzhu.core import AdapterError, FakeClock
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Reply
from tests.adapters.dingtalk.dingtalkapp import DingtalkApp, DingtalkTest, dingtalk_section
from tests.adapters.dingtalk.emulator import DingtalkEmulator
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[DingtalkApp]]


async def test_a_command_at_the_robot_in_a_group_is_answered_by_its_session_webhook(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    app = await make_app()
    frame = await emu.say(ana, "/echo 混凝土没按规范养护", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert (answer.kind, answer.text) == ("markdown", "混凝土没按规范养护")
    assert frame is not None
    msg_id = '"msgId": "' + (answer.answers or "") + '"'
    assert msg_id in frame["data"]  # the answer went by that message's session webhook
    opened = emu.opened[0]
    assert opened["clientId"] == "dingtestapp" and opened["clientSecret"] == "s3cret"
    assert {s["topic"] for s in opened["subscriptions"]} == {
        "/v1.0/im/bot/messages/get",
        "/v1.0/card/instances/callback",
    }
    [(chat, _, kind)] = await app.inbox()
    assert (chat, kind) == ("cidWorks==", "message")
    await emu.wait_acked(frame)


async def test_a_frame_is_acknowledged_only_after_the_inbox_recorded_it(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    recorded: list[int] = []
    sink = app.adapter.sink
    assert sink is not None

    class Slow:
        """The inbox, slowed down: the ack must wait for it."""

        async def __call__(self, event: object) -> None:
            await asyncio.sleep(0.3)
            assert not emu.acks or emu.acks[-1]["headers"]["messageId"] != mid
            await sink(event)  # type: ignore[arg-type]
            recorded.append(len(emu.acks))

    app.adapter.sink = Slow()  # type: ignore[assignment]
    frame = emu.message(ana, "n 你好")
    assert frame is not None
    mid = frame["headers"]["messageId"]
    await emu.push(frame)
    await emu.wait_acked(frame)
    assert recorded  # recorded first, then acknowledged
    ack = next(a for a in emu.acks if a["headers"].get("messageId") == mid)
    assert ack["code"] == 200


async def test_an_unrecorded_frame_is_not_acknowledged_and_its_redelivery_is_handled_once(
    emu: DingtalkEmulator, make_app: MakeApp, plugin: DingtalkTest
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    sink = app.adapter.sink
    assert sink is not None
    failing = True

    async def flaky(event: object) -> None:
        if failing:
            msg = "database is locked"
            raise OSError(msg)
        await sink(event)  # type: ignore[arg-type]

    app.adapter.sink = flaky  # type: ignore[assignment]
    frame = await emu.say(ana, "n 第一次")
    assert frame is not None
    await asyncio.sleep(0.3)
    assert frame["headers"]["messageId"] in emu.unacked  # not recorded: not acknowledged
    failing = False
    await emu.redeliver_now()
    await emu.wait_acked(frame)
    await emu.redeliver_now()  # the platform may push it once more: the inbox drops it
    [answer] = await emu.wait_sent(ana, 1)
    await asyncio.sleep(0.3)
    assert answer.text == "ok n 第一次"
    assert len(emu.in_chat(ana)) == 1
    assert [t for t, _, _ in plugin.texts] == ["n 第一次"]


async def test_group_messages_without_the_mention_and_at_all_never_reach_the_robot(
    emu: DingtalkEmulator, make_app: MakeApp, plugin: DingtalkTest
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    app = await make_app()
    assert await emu.say(ana, "n 大家好", group=works, mention=False) is None
    assert await emu.say(ana, "n 通知", group=works, at_all=True) is None
    await emu.say(ana, "n 在吗", group=works)
    await emu.wait_sent(works, 1)
    assert plugin.texts == [("n 在吗", None, ("dingtestapp",))]
    assert app.adapter.capabilities.mentions_only
    assert app.adapter.capabilities.mention == "@群助手"


async def test_a_picture_and_rich_text_with_pictures_are_downloaded_by_their_codes(
    emu: DingtalkEmulator, make_app: MakeApp, plugin: DingtalkTest
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    await make_app()
    photos = (b"\xff\xd8first photo", b"\xff\xd8second")
    await emu.say(ana, "偷工减料", group=works, pictures=photos)
    [answer] = await emu.wait_sent(works, 1)
    assert answer.text == "2 photo: 偷工减料"
    await emu.say(ana, pictures=(b"\xff\xd8 private",))
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "1 photo: "
    assert plugin.downloads == [*photos, b"\xff\xd8 private"]
    downloads = [b for p, b in emu.calls if p == "/v1.0/robot/messageFiles/download"]
    assert all(b["robotCode"] == "dingtestapp" for b in downloads) and len(downloads) == 3


async def test_a_photo_is_uploaded_once_and_sent_as_an_image_before_its_text(
    emu: DingtalkEmulator, make_app: MakeApp, tmp_path: Path
) -> None:
    works = emu.group("cidWorks==", "北部新城工程", emu.person("ana", "Ana"))
    ana = emu.people["ana"]
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"\xff\xd8 site photo")
    app = await make_app()
    group = ChatRef("dingtalk", works.chatid, ChatKind.GROUP)
    await app.adapter.send_keyed(group, Reply("现场照片", photo=str(photo)), "k1")
    await app.adapter.send_keyed(
        ChatRef("dingtalk", "ana", ChatKind.DIRECT), Reply(photo=str(photo)), "k2"
    )
    sent = await emu.wait_sent(works, 2)
    assert [(s.kind, s.text) for s in sent] == [("image", ""), ("markdown", "现场照片")]
    assert sent[0].image == b"\xff\xd8 site photo"
    [alone] = await emu.wait_sent(ana, 1)  # a photo without text is the image alone
    assert alone.kind == "image" and alone.image == b"\xff\xd8 site photo"
    assert len(emu.uploads) == 1 and app.adapter.photos.uploaded == 1  # uploaded once
    await app.adapter.send_keyed(group, Reply("现场照片", photo=str(photo)), "k1")  # a retry
    await emu.wait_sent(works, 3)
    assert [s.kind for s in emu.in_chat(works)] == ["image", "markdown", "markdown"]


async def test_a_photo_that_cannot_be_read_is_named_under_the_text_not_dropped(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    works = emu.group("cidWorks==", "北部新城工程", emu.person("ana", "Ana"))
    app = await make_app(config={"bot": {"language": "zh_Hans"}})
    group = ChatRef("dingtalk", works.chatid, ChatKind.GROUP)
    await app.adapter.send_keyed(group, Reply("现场照片", photo="/nowhere/site.jpg"), "k1")
    [sent] = await emu.wait_sent(works, 1)
    assert sent.text == "现场照片\n\n（此消息附有照片，但未能发送，请在网页控制台查看。）"
    assert emu.uploads == {}


async def test_voice_arrives_as_its_transcription_and_files_and_videos_are_downloaded(
    emu: DingtalkEmulator, make_app: MakeApp, plugin: DingtalkTest
) -> None:
    ana = emu.person("ana", "Ana")
    await make_app()
    await emu.say(ana, audio="n 垃圾没人处理")
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "ok n 垃圾没人处理"
    await emu.say(ana, file=("12345.csv", b"hotline export,,\n"))
    await emu.say(ana, video=b"\x00\x00\x00\x18ftypmp42")
    sent = await emu.wait_sent(ana, 3)
    assert [s.text for s in sent[1:]] == ["1 file: ", "1 video: "]
    assert plugin.downloads == [b"hotline export,,\n", b"\x00\x00\x00\x18ftypmp42"]


async def test_a_mention_a_client_left_in_the_text_is_taken_off(
    emu: DingtalkEmulator, make_app: MakeApp, plugin: DingtalkTest
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    await make_app()
    await emu.say(ana, "@群助手 n 在吗", group=works)
    await emu.wait_sent(works, 1)
    assert plugin.texts[0][0] == "n 在吗"


async def test_a_download_code_the_platform_refuses_is_an_error(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    from qunzhu.core import Attachment, AttachmentKind

    app = await make_app()
    with pytest.raises(AdapterError, match="cannot download the photo"):
        await app.adapter.download(Attachment(AttachmentKind.PHOTO, "nonsense"))


async def test_buttons_are_a_card_whose_click_is_a_press_and_updates_the_card_in_place(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    await make_app()
    await emu.say(ana, "/ask", group=works)
    [card] = await emu.wait_sent(works, 1)
    assert card.kind == "card" and card.labels == ["是", "否", "说明"]
    assert card.card_text == "选一个"
    await emu.click(ana, card, "是")
    sent = await emu.wait_sent(works, 2)
    assert sent[1].text == "pressed t:yes by ana"
    assert card.updates and card.card_text == "已选：是"


async def test_a_card_in_private_goes_to_the_person_and_its_click_comes_back(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    await make_app()
    await emu.say(ana, "/ask")
    [card] = await emu.wait_sent(ana, 1)
    await emu.click(ana, card, "否")
    sent = await emu.wait_sent(ana, 2)
    assert sent[1].text == "pressed t:no by ana"


async def test_active_messages_to_a_group_and_a_person_and_a_mention_by_userid(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    li = emu.person("li", "Li")
    works = emu.group("cidWorks==", "北部新城工程", ana, li)
    unit = emu.group("cidUnit==", "住建局")
    await make_app()
    await emu.say(ana, "/notify cidUnit== 请住建局接单")
    [notice] = await emu.wait_sent(unit, 1)
    assert (notice.kind, notice.text, notice.answers) == ("markdown", "请住建局接单", None)
    await emu.say(ana, "/tell li 请查收")
    [told] = await emu.wait_sent(li, 1)
    assert (told.text, told.answers) == ("请查收", None)
    await emu.say(ana, "/remind li", group=works)
    [reminder] = await emu.wait_sent(works, 1)
    assert (reminder.text, reminder.at) == ("请提交周报 @li", ["li"])


async def test_an_unknown_group_or_an_outsider_fails_once_and_is_not_retried(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    emu.person("wang", "Wang", outsider=True)
    app = await make_app()
    await emu.say(ana, "/notify nowhere 你好")
    await emu.say(ana, "/tell wang 你好")

    async def failed() -> list[tuple[str, str, int, str | None]]:
        return [r for r in await app.outbox() if r[1] == "failed"]

    rows = await eventually(lambda: _two(failed))
    assert "invalidParameter.openConversationId" in (rows[0][3] or "")
    assert "not a member" in (rows[1][3] or "")
    assert len([p for p, _ in emu.calls if p == "/v1.0/robot/groupMessages/send"]) == 1


async def _two(
    failed: Callable[[], Awaitable[list[tuple[str, str, int, str | None]]]],
) -> list[tuple[str, str, int, str | None]] | None:
    rows = await failed()
    return rows if len(rows) == 2 else None


async def test_the_throttling_answer_is_waited_out_and_not_given_up(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    unit = emu.group("cidUnit==", "住建局")
    app = await make_app()
    emu.fail_next["/v1.0/robot/groupMessages/send"] = (429, "Throttling")
    await emu.say(ana, "/notify cidUnit== 第一条")
    await eventually(lambda: [p for p, _ in emu.calls if p.endswith("groupMessages/send")])
    await app.settle()
    [row] = [r for r in await app.outbox() if r[0] == "cidUnit=="]
    assert row[1] != "failed"  # waited out (the group is throttled), not given up
    assert not emu.in_chat(unit)


async def test_an_expired_session_webhook_gives_way_to_an_active_message(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    emu.webhook_life = 10.0  # within the adapter's margin: not used
    await make_app()
    await emu.say(ana, "/echo 收到", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert (answer.text, answer.answers) == ("收到", None)


async def test_after_the_connection_drops_or_is_asked_to_go_the_robot_connects_again(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    app = await make_app()
    await emu.drop()
    await emu.connected()
    await emu.say(ana, "n 又来了")
    [answer] = await emu.wait_sent(ana, 1)
    assert answer.text == "ok n 又来了"
    await emu.ask_to_disconnect()
    await eventually(lambda: emu.connections == 3)
    await emu.connected()
    await emu.say(ana, "n 还在吗")
    await emu.wait_sent(ana, 2)
    assert len(emu.opened) == 3  # each connection with a new ticket
    assert app.adapter.connection is not None and app.adapter.connection.connections == 3


async def test_a_ping_is_acknowledged_with_its_own_data(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    await make_app()
    frame = await emu.ping()
    await eventually(lambda: [a for a in emu.acks if a["data"] == frame["data"]])


async def test_a_wrong_secret_stops_start_up_with_one_line_and_is_not_logged(
    emu: DingtalkEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    config = DingtalkConfig.model_validate(dingtalk_section(emu, client_secret="wrong"))
    adapter = DingtalkAdapter(config, clock=FakeClock())
    with pytest.raises(AdapterError, match=r"refused client_id 'dingtestapp' .*400"):
        await adapter.start(NoSink())  # type: ignore[arg-type]
    assert "wrong" not in caplog.text  # the secret is never logged
    assert emu.opened == []  # checked by asking for a token: no Stream connection is opened
    await adapter.close()


async def test_a_secret_the_stream_gateway_refuses_stops_start_up_with_one_line(
    emu: DingtalkEmulator,
) -> None:
    config = DingtalkConfig.model_validate(dingtalk_section(emu))
    adapter = DingtalkAdapter(config, clock=FakeClock())
    await adapter.start(NoSink())  # type: ignore[arg-type]
    emu.client_secret = "rotated"  # the token was given; the gateway refuses the connection
    with pytest.raises(AdapterError, match=r"refused client_id 'dingtestapp' .*401"):
        await adapter.start_receiving()
    assert adapter.connection is None
    await adapter.stop()
    await adapter.close()


class NoSink:
    """A sink that is never reached (the connection is refused first)."""


async def test_help_in_a_dingtalk_group_says_to_write_the_mention_first(
    emu: DingtalkEmulator, make_app: MakeApp
) -> None:
    ana = emu.person("ana", "Ana")
    works = emu.group("cidWorks==", "北部新城工程", ana)
    await make_app(config={"bot": {"language": "zh_Hans"}})
    await emu.say(ana, "/help", group=works)
    [answer] = await emu.wait_sent(works, 1)
    assert answer.text.splitlines()[0] == (
        "在群里请 @群助手 后再写您的话，机器人只收得到 @ 它的群消息；私聊直接发就行。"
    )
