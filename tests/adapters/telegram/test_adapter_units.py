"""The adapter's pure parts: rendering, ids, error verdicts, config, mapping corner cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import types as tg
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from pydantic import ValidationError

from qunzhu.adapters.telegram.adapter import allowed_updates
from qunzhu.adapters.telegram.commands import menus
from qunzhu.adapters.telegram.config import TelegramConfig
from qunzhu.adapters.telegram.errors import delivery_error
from qunzhu.adapters.telegram.ids import parse_event_id
from qunzhu.adapters.telegram.mapping import (
    Place,
    member_event,
    message_event,
    reaction_events,
)
from qunzhu.adapters.telegram.render import Span, plan, spans, split, to_html
from qunzhu.core.adapter import EVENT_HOOKS, Declared
from qunzhu.core.commands import command
from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.delivery._ratelimit import Limit
from qunzhu.core.dispatch._albums import merge_album
from qunzhu.core.errors import PermanentFailure, RetryLater, TemporaryFailure
from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.model._reply import Button, Reply

CHAT = ChatRef("telegram", "-100", ChatKind.GROUP, "Residents")
PLACE = Place(CHAT)


# -- rendering -------------------------------------------------------------------------------
def test_plain_text_is_escaped_and_only_mentions_become_markup() -> None:
    parts = spans("<b>Ana</b> & Bo", ("telegram:7", "console:x", "@bo"), {7: "Ana"})
    assert to_html(parts) == '&lt;b&gt;<a href="tg://user?id=7">Ana</a>&lt;/b&gt; &amp; Bo'


def test_a_mention_not_named_in_the_text_is_appended() -> None:
    parts = spans("请提交周报", ("telegram:7", "telegram:8"), {7: "Ana"})
    assert to_html(parts) == (
        '请提交周报 <a href="tg://user?id=7">@Ana</a> <a href="tg://user?id=8">@8</a>'
    )


def test_a_mention_links_the_name_the_bot_knows_the_person_by() -> None:
    """A reminder names people as `people:` does (@福州市长), not as Telegram does (Lin), and
    may mention someone the adapter has not seen since it started: linked where the text names
    them, nothing appended (it appended "@Lin" and "@8", the raw user id)."""
    people = {"telegram:7": "福州市长", "telegram:8": "厦门市长"}
    parts = spans("尚未汇报：@福州市长 @厦门市长", ("telegram:7", "telegram:8"), {7: "Lin"}, people)
    assert to_html(parts) == (
        '尚未汇报：<a href="tg://user?id=7">@福州市长</a> <a href="tg://user?id=8">@厦门市长</a>'
    )
    parts = spans("请提交周报", ("telegram:7", "telegram:9"), {7: "Lin"}, people)
    assert to_html(parts) == (
        '请提交周报 <a href="tg://user?id=7">@福州市长</a> <a href="tg://user?id=9">@9</a>'
    )


def test_a_longer_name_keeps_its_whole_link_from_a_shorter_one_inside_it() -> None:
    """福州 is mentioned first, yet @福州市长 is linked whole to the mayor (福州 took "@福州" out
    of it and the mayor was appended)."""
    people = {"telegram:7": "福州", "telegram:8": "福州市长"}
    parts = spans("@福州市长 与 @福州 请汇报", ("telegram:7", "telegram:8"), {}, people)
    assert to_html(parts) == (
        '<a href="tg://user?id=8">@福州市长</a> 与 <a href="tg://user?id=7">@福州</a> 请汇报'
    )


def test_split_prefers_paragraphs_then_lines_then_words_and_never_cuts_a_link() -> None:
    text = "a" * 30 + "\n\n" + "b" * 30 + "\n" + "c" * 30
    assert ["".join(s.text for s in p) for p in split([Span(text)], 70)] == [
        "a" * 30 + "\n\n" + "b" * 30 + "\n",
        "c" * 30,
    ]
    words = [Span("x " * 10), Span("@Someone", 5), Span(" y")]
    first, second = split(words, 24)
    assert first == [Span("x " * 10)] and second[0] == Span("@Someone", 5)


def test_a_reply_with_a_photo_and_a_long_caption_is_a_photo_then_the_text() -> None:
    reply = Reply("字" * 1500, photo="/tmp/p.jpg").with_buttons(Button("OK", data="ok"))
    photo, text = plan(reply, {})
    assert (photo.kind, photo.html, photo.markup, photo.is_reply) == ("photo", "", None, True)
    assert text.kind == "text" and text.markup is not None and not text.is_reply


def test_callback_data_over_64_bytes_fails_for_good() -> None:
    with pytest.raises(PermanentFailure, match="64 bytes"):
        plan(Reply("x").with_buttons(Button("长", data="数" * 22)), {})


# -- ids and errors --------------------------------------------------------------------------
def test_event_ids_name_their_message() -> None:
    assert parse_event_id("42") == (42, False)
    assert parse_event_id("s42:1767600000") == (42, True)
    assert parse_event_id("4382000000000000001") == (4382000000000000001, False)
    assert parse_event_id("member:1:joined:5") is None


def _method() -> SendMessage:
    return SendMessage(chat_id=1, text="x")


def test_telegram_errors_become_the_outbox_verdicts() -> None:
    retry = delivery_error(TelegramRetryAfter(_method(), "Too Many Requests", 7))
    assert isinstance(retry, RetryLater) and retry.seconds == 7 and not retry.chat_only
    kicked = delivery_error(
        TelegramForbiddenError(_method(), "Forbidden: bot was kicked from the group chat")
    )
    assert isinstance(kicked, PermanentFailure) and kicked.chat_gone
    unstarted = delivery_error(
        TelegramForbiddenError(_method(), "Forbidden: bot can't initiate conversation with a user")
    )
    assert isinstance(unstarted, PermanentFailure) and not unstarted.chat_gone
    bad = delivery_error(TelegramBadRequest(_method(), "Bad Request: message is too long"))
    assert isinstance(bad, PermanentFailure) and str(bad) == "Bad Request: message is too long"
    for temporary in (
        TelegramServerError(_method(), "Bad Gateway"),
        TelegramNetworkError(_method(), "Request timeout error"),
        TimeoutError(),
    ):
        assert isinstance(delivery_error(temporary), TemporaryFailure)


# -- config, subscriptions, menus ------------------------------------------------------------
def test_config_checks_the_token_and_webhook_settings() -> None:
    with pytest.raises(ValidationError, match="bot token"):
        TelegramConfig(token="not-a-token")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="public_url"):
        TelegramConfig(token="1:A", mode="webhook")  # type: ignore[arg-type]
    config = TelegramConfig.model_validate(
        {"token": "1:A", "mode": "webhook", "public_url": "https://bot.example.org/"}
    )
    assert config.webhook_url == "https://bot.example.org/telegram/webhook"
    assert config.secret == TelegramConfig.model_validate({"token": "1:A"}).secret
    assert "1:A" not in repr(config)
    limits = TelegramConfig.model_validate({"token": "1:A", "limits": {"scale": 10}}).limits
    assert limits.limits().total == Limit(300, 1.0)
    assert limits.limits().per_chat[ChatKind.GROUP] == Limit(200, 60.0)


def test_allowed_updates_follow_the_hooks() -> None:
    assert allowed_updates(frozenset({"on_message"})) == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    assert {"message_reaction", "chat_member", "my_chat_member"} <= set(
        allowed_updates(EVENT_HOOKS)
    )


def test_menus_list_latin_names_without_roles_in_each_language() -> None:
    @command("report", aliases=["报告"], help="File a report")
    async def report() -> None: ...

    @command("报告单", help="Chinese only")
    async def chinese() -> None: ...

    @command("role", role="admin", help="Roles")
    async def role() -> None: ...

    declared = Declared(
        commands=(report, chinese, role),
        language="zh_Hant",
        describe=lambda cmd, lang: f"{cmd.help} ({lang})",
    )
    found = {
        code: [(c.command, c.description) for c in cmds] for code, cmds in menus(declared).items()
    }
    assert found == {
        "": [("report", "File a report (zh_Hant)")],
        "en": [("report", "File a report (en)")],
        "zh": [("report", "File a report (zh_Hant)")],
    }


# -- mapping corner cases --------------------------------------------------------------------
def _message(**fields: Any) -> tg.Message:
    data = {
        "message_id": 5,
        "date": 1767600000,
        "chat": {"id": -100, "type": "supergroup", "title": "Residents"},
        "from": {"id": 7, "is_bot": False, "first_name": "Ana", "language_code": "zh-hant"},
        **fields,
    }
    return tg.Message.model_validate(data)


def test_a_sticker_is_nothing_for_plugins() -> None:
    sticker = {
        "file_id": "s",
        "file_unique_id": "u",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    assert message_event(_message(sticker=sticker), PLACE) is None


def test_the_sender_and_text_mentions() -> None:
    text = "hi Bo and @ana_li"
    entities = [
        {
            "type": "text_mention",
            "offset": 3,
            "length": 2,
            "user": {"id": 8, "is_bot": False, "first_name": "Bo"},
        },
        {"type": "mention", "offset": 10, "length": 7},
    ]
    event = message_event(_message(text=text, entities=entities), PLACE, {"ana_li": 7})
    assert event is not None
    assert event.sender == UserRef("telegram", "7", "Ana", "zh-hant")
    assert event.mentions == ("telegram:8", "telegram:7")
    assert event.sent_at == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_album_parts_merge_in_message_order_with_the_written_caption() -> None:
    def part(n: int, caption: str = "") -> Message:
        photo = [{"file_id": f"p{n}", "file_unique_id": f"u{n}", "width": 9, "height": 9}]
        fields: dict[str, Any] = {"message_id": n, "photo": photo, "media_group_id": "g"}
        if caption:
            fields["caption"] = caption
        event = message_event(_message(**fields), PLACE)
        assert event is not None
        return event

    parts = [Recorded(1, part(12)), Recorded(2, part(10)), Recorded(3, part(11, "说明"))]
    assert {p.event.album for p in parts} == {"g"}  # type: ignore[union-attr]
    merged = merge_album(parts)
    album = merged.event
    assert isinstance(album, Message)
    assert album.event_id == "10" and album.text == "说明"
    assert [a.ref for a in album.attachments] == ["p10", "p11", "p12"]
    assert merged.inbox_id == 2 and sorted(merged.inbox_ids) == [1, 2, 3]


def test_an_anonymous_reaction_and_a_restricted_member() -> None:
    update = tg.MessageReactionUpdated.model_validate(
        {
            "chat": {"id": -100, "type": "supergroup", "title": "Residents"},
            "actor_chat": {"id": -100, "type": "supergroup", "title": "Residents"},
            "message_id": 3,
            "date": 1767600000,
            "old_reaction": [],
            "new_reaction": [{"type": "custom_emoji", "custom_emoji_id": "99"}],
        }
    )
    (reaction,) = reaction_events(update, PLACE, 77)
    assert (reaction.event_id, reaction.key, reaction.sender.display_name) == (
        "r77:0",
        "custom:99",
        "Residents",
    )
    user = {"id": 8, "is_bot": False, "first_name": "Bo"}
    restricted = {
        "status": "restricted",
        "user": user,
        "is_member": True,
        "can_send_messages": False,
        "can_send_audios": False,
        "can_send_documents": False,
        "can_send_photos": False,
        "can_send_videos": False,
        "can_send_video_notes": False,
        "can_send_voice_notes": False,
        "can_send_polls": False,
        "can_send_other_messages": False,
        "can_add_web_page_previews": False,
        "can_change_info": False,
        "can_invite_users": False,
        "can_pin_messages": False,
        "can_manage_topics": False,
        "can_react_to_messages": False,
        "can_edit_tag": False,
        "until_date": 0,
    }
    change = tg.ChatMemberUpdated.model_validate(
        {
            "chat": {"id": -100, "type": "supergroup", "title": "Residents"},
            "from": user,
            "date": 1767600000,
            "old_chat_member": {"status": "left", "user": user},
            "new_chat_member": restricted,
        }
    )
    joined = member_event(change, PLACE)
    assert joined is not None and joined.change == "joined"
    assert joined.event_id == "member:8:joined:1767600000"
