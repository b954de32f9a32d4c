"""Forwarded messages: Telegram's ``forward_origin`` as `Message.forwarded_from`, over the wire
(the emulator forwards as Telegram does) and for each kind of origin of the Bot API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiogram import types as tg

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.adapters.telegram.mapping import forward_origin
from qunzhu.core.adapter import ForwardOrigin, UserRef
from tests.adapters.telegram.tgapp import TelegramApp

MakeApp = Callable[..., Awaitable[TelegramApp]]
WHEN = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


async def test_a_forwarded_message_names_who_wrote_it(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    resident, leader = tg.user("Chen", last_name="Ayi"), tg.user("Wang")
    await make_app()
    told = tg.say(resident, tg.private(resident), "n 农家乐门口的垃圾堆了好几天")
    (echo,) = await tg.wait_sent(tg.private(resident))
    assert echo["text"] == "ok n 农家乐门口的垃圾堆了好几天"  # her own message: no origin
    secretary = tg.private(leader)
    forwarded = tg.forward(leader, secretary, told)
    tg.forward(leader, secretary, told, hidden=True)  # had she hidden her account in forwards
    first, hidden = await tg.wait_sent(secretary, count=2)
    assert first["text"] == (
        f"forwarded by Wang from user Chen Ayi (telegram:{resident.id}, 0 photo): "
        "n 农家乐门口的垃圾堆了好几天"
    )
    assert hidden["text"] == (
        "forwarded by Wang from hidden Chen Ayi (-, 0 photo): n 农家乐门口的垃圾堆了好几天"
    )
    # a forward of the forward still names her, not the leader
    again = tg.forward(leader, tg.group("镇干部", members=[leader]), forwarded)
    assert again["forward_origin"]["sender_user"]["id"] == resident.id


def test_every_kind_of_origin_of_the_bot_api() -> None:
    chen = tg.User(id=7, is_bot=False, first_name="陈阿姨")
    group = tg.Chat(id=-100, type="supergroup", title="三组村民群")
    channel = tg.Chat(id=-200, type="channel", title="镇政务公开")
    assert forward_origin(tg.MessageOriginUser(date=WHEN, sender_user=chen)) == ForwardOrigin(
        "陈阿姨", UserRef("telegram", "7", "陈阿姨"), "user", WHEN
    )
    hidden = tg.MessageOriginHiddenUser(date=WHEN, sender_user_name="张大爷")
    assert forward_origin(hidden) == ForwardOrigin("张大爷", None, "hidden", WHEN)
    in_group = tg.MessageOriginChat(date=WHEN, sender_chat=group)
    assert forward_origin(in_group) == ForwardOrigin("三组村民群", None, "chat", WHEN)
    post = tg.MessageOriginChannel(date=WHEN, chat=channel, message_id=3)
    assert forward_origin(post) == ForwardOrigin("镇政务公开", None, "channel", WHEN)
    assert forward_origin(None) is None
    assert not forward_origin(post).is_person  # type: ignore[union-attr]
    assert forward_origin(hidden).is_person  # type: ignore[union-attr]
