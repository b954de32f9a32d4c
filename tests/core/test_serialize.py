"""Every event type survives the inbox's JSON and comes back equal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qunzhu.core.delivery._serialize import (
    event_from_json,
    event_kind,
    event_to_json,
    reply_from_json,
    reply_to_json,
)
from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    ForwardOrigin,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.model._reply import Button, Reply

CHAT = ChatRef("telegram", "-100123", ChatKind.GROUP, "北部新城工程")
ANA = UserRef("telegram", "42", "安", "zh-hans")
WHEN = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)

EVENTS: list[Event] = [
    Message(
        "1",
        CHAT,
        ANA,
        "混凝土没按规范养护 \u202e👩‍👩‍👧",
        (Attachment(AttachmentKind.PHOTO, "file-1", "image/jpeg", 2048, "a.jpg", "现场"),),
        Location(26.65, 119.52, "三标段"),
        "0",
        ("telegram:7",),
        WHEN,
        "t1",
        True,
    ),
    Message(
        "5",
        CHAT,
        ANA,
        "农家乐门口的垃圾",
        sent_at=WHEN,
        forwarded_from=ForwardOrigin("陈阿姨", UserRef("telegram", "7", "陈阿姨"), "user", WHEN),
    ),
    Message("6", CHAT, ANA, "三组路口", forwarded_from=ForwardOrigin("张大爷", kind="hidden")),
    ButtonPress("2", CHAT, ANA, "m9", "complaints:file:1", WHEN),
    Reaction("3", CHAT, ANA, "m9", "👍", True, WHEN),
    MemberChange("4", CHAT, ANA, UserRef("telegram", "8", "李"), "joined", WHEN, {"via": "link"}),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: f"{type(e).__name__}{e.event_id}")
def test_events_round_trip(event: Event) -> None:
    data = event_to_json(event)
    back = event_from_json(
        event_kind(event), event.chat.platform, event.chat.chat_id, event.event_id, data
    )
    assert back == event
    if isinstance(event, MemberChange):
        assert isinstance(back, MemberChange) and back.extra == event.extra


def test_reply_round_trip() -> None:
    reply = Reply(
        "已售罄",
        "photo.jpg",
        ((Button("我要订购", data="p:1"),), (Button("联系卖家", url="https://example.org"),)),
        "e1",
        True,
        ("telegram:1",),
    )
    assert reply_from_json(reply_to_json(reply)) == reply
    typed = Reply(
        "要订购多少斤？", buttons=((Button("取消", data="dlg:cancel"),),), typed_answer=True
    )
    assert reply_from_json(reply_to_json(typed)) == typed


def test_an_outbox_row_written_before_typed_answer_still_loads() -> None:
    old = {"text": "hi", "photo": None, "buttons": [], "reply_to": None, "silent": False}
    assert reply_from_json(old) == Reply("hi")
