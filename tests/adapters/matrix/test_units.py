"""The Matrix adapter's pure parts, without a homeserver: mapping events, rendering replies,
numbered buttons, error verdicts, the room records, the config section."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from qunzhu.adapters.matrix.choices import Choices, Offer, keycap, number_of, offer_of
from qunzhu.adapters.matrix.config import InviteRules, MatrixConfig
from qunzhu.adapters.matrix.errors import response_error
from qunzhu.adapters.matrix.keys import state_key
from qunzhu.adapters.matrix.mapping import (
    ENCRYPTED_REF,
    geo_location,
    member_change,
    message_event,
    reaction_event,
    strip_reply_fallback,
)
from qunzhu.adapters.matrix.render import content, edit_content, image_content
from qunzhu.adapters.matrix.rooms import Room
from qunzhu.core.errors import PermanentFailure, RetryLater, TemporaryFailure
from qunzhu.core.model._events import AttachmentKind, ChatKind, ChatRef, UserRef
from qunzhu.core.model._reply import Button, Reply
from tests.adapters.matrix.memory_state import MemoryState

ROOM = ChatRef("matrix", "!r:x", ChatKind.GROUP)
ANA = UserRef("matrix", "@ana:x", "Ana")


def event(content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": "$e1",
        "sender": "@ana:x",
        "origin_server_ts": 1_700_000_000_000,
        "content": content,
        **extra,
    }


# -- mapping ------------------------------------------------------------------------------------
def test_a_reply_loses_its_quoted_fallback_and_keeps_the_link() -> None:
    body = "> <@bo:x> the original\n> second line\n\nmy answer\n> not a quote any more"
    msg = message_event(
        event(
            {
                "msgtype": "m.text",
                "body": body,
                "m.relates_to": {"m.in_reply_to": {"event_id": "$orig"}},
            }
        ),
        ROOM,
        ANA,
    )
    assert msg is not None
    assert msg.text == "my answer\n> not a quote any more"
    assert msg.reply_to == "$orig"
    assert msg.sent_at is not None and msg.sent_at.year == 2023


def test_a_message_in_a_thread() -> None:
    rel = {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$last"},
    }
    msg = message_event(event({"msgtype": "m.text", "body": "跟进", "m.relates_to": rel}), ROOM,
                        ANA)  # fmt: skip
    assert msg is not None and (msg.thread_id, msg.reply_to) == ("$root", None)
    rel["is_falling_back"] = False  # a real reply inside the thread
    msg = message_event(event({"msgtype": "m.text", "body": "对", "m.relates_to": rel}), ROOM, ANA)
    assert msg is not None and (msg.thread_id, msg.reply_to) == ("$root", "$last")


def test_a_quote_that_is_not_a_reply_is_kept() -> None:
    assert strip_reply_fallback("plain") == "plain"
    msg = message_event(event({"msgtype": "m.text", "body": "> quoted\n\nmine"}), ROOM, ANA)
    assert msg is not None and msg.text == "> quoted\n\nmine"


def test_an_edit_carries_the_new_text_and_what_it_edits() -> None:
    msg = message_event(
        event(
            {
                "msgtype": "m.text",
                "body": "* fixed",
                "m.new_content": {"msgtype": "m.text", "body": "fixed"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"},
            },
            event_id="$edit",
        ),
        ROOM,
        ANA,
    )
    assert msg is not None
    assert (msg.event_id, msg.text, msg.edited, msg.edit_of) == ("$edit", "fixed", True, "$orig")


def test_an_image_with_a_caption_and_one_without() -> None:
    captioned = message_event(
        event(
            {
                "msgtype": "m.image",
                "body": "垃圾没人处理",
                "filename": "site.jpg",
                "url": "mxc://x/abc",
                "info": {"mimetype": "image/jpeg", "size": 1234},
            }
        ),
        ROOM,
        ANA,
    )
    assert captioned is not None
    (photo,) = captioned.attachments
    assert (photo.kind, photo.ref, photo.mime, photo.size) == (
        AttachmentKind.PHOTO,
        "mxc://x/abc",
        "image/jpeg",
        1234,
    )
    assert (photo.name, photo.caption) == ("site.jpg", "垃圾没人处理")
    assert captioned.text == "垃圾没人处理"
    file = {"msgtype": "m.file", "body": "a.pdf", "url": "mxc://x/f"}
    bare = message_event(event(file), ROOM, ANA)
    assert bare is not None and bare.text == ""
    assert bare.attachments[0].kind is AttachmentKind.FILE and bare.attachments[0].name == "a.pdf"


def test_an_encrypted_attachment_keeps_its_key_in_the_reference() -> None:
    file = {"url": "mxc://x/enc", "key": {"k": "K"}, "iv": "IV", "hashes": {"sha256": "H"}}
    msg = message_event(event({"msgtype": "m.video", "body": "v.mp4", "file": file}), ROOM, ANA)
    assert msg is not None
    (video,) = msg.attachments
    assert video.kind is AttachmentKind.VIDEO
    assert video.ref.startswith(ENCRYPTED_REF)
    assert json.loads(video.ref[len(ENCRYPTED_REF) :])["url"] == "mxc://x/enc"


def test_locations_from_the_geo_uri_or_the_extensible_form() -> None:
    element = {
        "msgtype": "m.location",
        "body": "Location geo:26.65,119.52;u=10",
        "geo_uri": "geo:26.65,119.52;u=10",
        "org.matrix.msc3488.location": {"uri": "geo:26.65,119.52", "description": "三标段"},
    }
    loc = geo_location(element)
    assert loc is not None
    assert (loc.latitude, loc.longitude, loc.address) == (26.65, 119.52, "三标段")
    only_new = {"msgtype": "m.location", "body": "x", "m.location": {"uri": "geo:-33.9,18.4"}}
    assert geo_location(only_new) == geo_location({"geo_uri": "geo:-33.9,18.4"})
    assert geo_location({"geo_uri": "geo:95,10"}) is None  # not on Earth
    assert message_event(event({"msgtype": "m.location", "body": "?"}), ROOM, ANA) is None


def test_mentions_from_m_mentions_and_pills_in_order_once() -> None:
    msg = message_event(
        event(
            {
                "msgtype": "m.text",
                "body": "Bo, Cy: look",
                "format": "org.matrix.custom.html",
                "formatted_body": '<a href="https://matrix.to/#/%40bo%3Ax">Bo</a>, '
                '<a href="https://matrix.to/#/@cy:x">Cy</a>: look',
                "m.mentions": {"user_ids": ["@cy:x"]},
            }
        ),
        ROOM,
        ANA,
    )
    assert msg is not None and msg.mentions == ("matrix:@cy:x", "matrix:@bo:x")


def test_reactions_and_membership() -> None:
    reaction = reaction_event(
        {
            "type": "m.reaction",
            "event_id": "$r",
            "sender": "@ana:x",
            "content": {
                "m.relates_to": {"rel_type": "m.annotation", "event_id": "$t", "key": "👍"}
            },
        },
        ROOM,
        ANA,
    )
    assert reaction is not None and (reaction.target_id, reaction.key) == ("$t", "👍")

    def member(now: str, before: str | None) -> dict[str, Any]:
        unsigned = {"prev_content": {"membership": before}} if before else {}
        return {"content": {"membership": now}, "unsigned": unsigned}

    assert member_change(member("join", None)) == "joined"
    assert member_change(member("join", "invite")) == "joined"
    assert member_change(member("join", "join")) is None  # a new display name
    assert member_change(member("leave", "join")) == "left"
    assert member_change(member("ban", "join")) == "left"
    assert member_change(member("leave", "invite")) is None  # a declined invitation
    assert member_change(member("invite", None)) is None


# -- rendering ----------------------------------------------------------------------------------
def names(user_id: str) -> str:
    return {"@ana:x": "Ana"}.get(user_id, "")


def test_text_is_escaped_and_buttons_are_a_numbered_list() -> None:
    reply = Reply("a < b & c\nnext").with_buttons(
        [Button("Yes", data="y"), Button("<Docs>", url='https://e.org/?a=1&b="2"')],
        Button("No", data="n"),
    )
    out = content(reply, names, reply_to="$q")
    assert out["body"] == 'a < b & c\nnext\n\n1. Yes\n<Docs>: https://e.org/?a=1&b="2"\n2. No'
    assert out["formatted_body"] == (
        "a &lt; b &amp; c<br>next<br><br><ol><li>Yes</li><li>No</li></ol>"
        '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">&lt;Docs&gt;</a>'
    )
    assert out["qunzhu.buttons"] == ["y", "n"]
    assert out["m.relates_to"] == {"m.in_reply_to": {"event_id": "$q"}}
    assert out["msgtype"] == "m.text" and out["m.mentions"] == {}
    assert content(Reply("quiet", silent=True), names)["msgtype"] == "m.notice"


def test_a_question_wanting_a_typed_answer_lists_its_buttons_without_numbers() -> None:
    reply = Reply("要订购多少斤？", typed_answer=True).with_buttons(
        [Button("跳过", data="dlg:skip"), Button("<取消>", data="dlg:cancel")],
        Button("Docs", url="https://e.org/"),
    )
    out = content(reply, names)
    assert out["body"] == "要订购多少斤？\n\n[跳过]  [<取消>]\nDocs: https://e.org/"
    assert out["formatted_body"] == (
        '要订购多少斤？<br><br>[跳过]  [&lt;取消&gt;]<br><a href="https://e.org/">Docs</a>'
    )
    assert out["qunzhu.buttons"] == ["dlg:skip", "dlg:cancel"]
    assert out["qunzhu.labels"] == ["跳过", "<取消>"]
    assert offer_of("$q", out) == Offer("$q", ("dlg:skip", "dlg:cancel"), ("跳过", "<取消>"))
    assert "qunzhu.labels" not in content(Reply("Pick").with_buttons(Button("A", data="a")), names)
    only_links = Reply("See", typed_answer=True).with_buttons(Button("Docs", url="https://e.org/"))
    assert content(only_links, names)["body"] == "See\n\nDocs: https://e.org/"


def test_mentions_become_pills_on_the_name_or_appended() -> None:
    out = content(Reply("请 Ana 提交", mentions=("matrix:@ana:x", "matrix:@bo:x")), names)
    assert out["body"] == "请 Ana 提交 @bo"
    assert out["formatted_body"] == (
        '请 <a href="https://matrix.to/#/@ana:x">Ana</a> 提交 '
        '<a href="https://matrix.to/#/@bo:x">@bo</a>'
    )
    assert out["m.mentions"] == {"user_ids": ["@ana:x", "@bo:x"]}


def test_a_photo_with_its_caption_and_an_edit() -> None:
    reply = Reply("鮰鱼 <特价>", photo="/tmp/p.png").with_buttons(Button("订购", data="o"))
    out = image_content(reply, names, url="mxc://x/p", filename="p.png", info={"size": 3})
    assert (out["msgtype"], out["url"], out["filename"]) == ("m.image", "mxc://x/p", "p.png")
    assert out["body"] == "鮰鱼 <特价>\n\n1. 订购" and out["info"] == {"size": 3}
    assert out["formatted_body"].startswith("鮰鱼 &lt;特价&gt;")
    bare = image_content(Reply(photo="/p"), names, url="mxc://x/p", filename="p.png", info={})
    assert bare["body"] == "p.png" and "formatted_body" not in bare
    edit = edit_content(content(Reply("已售罄"), names), "$post")
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$post"}
    assert edit["body"] == "* 已售罄" and edit["m.new_content"]["body"] == "已售罄"
    assert "qunzhu.buttons" not in edit["m.new_content"]  # the buttons are gone


# -- numbered buttons ---------------------------------------------------------------------------
def test_numbers_typed_as_people_type_them() -> None:
    assert [number_of(t) for t in ("1", " 2 ", "１", "12", "1234", "1.", "one", "")] == [
        1,
        2,
        1,
        12,
        None,
        None,
        None,
        None,
    ]
    assert keycap(1) == "1\ufe0f\u20e3" and keycap(10) == "\U0001f51f" and keycap(11) == "11"


async def test_a_number_presses_the_latest_bot_message_and_survives_a_restart() -> None:
    sink = MemoryState()
    choices = Choices(sink)  # type: ignore[arg-type]
    await choices.bot_message("!r", "$ask", ["yes", "no"])
    await choices.save()
    again = Choices(sink)  # type: ignore[arg-type]
    pressed = await again.by_text("!r", "２", None)
    assert pressed is not None and (pressed[0].message_id, pressed[1]) == ("$ask", "no")
    assert await again.by_text("!r", "3", None) is None  # out of range: an ordinary message
    assert await again.by_text("!other", "1", None) is None
    await again.bot_message("!r", "$thanks", [])  # a later message without buttons
    assert await again.by_text("!r", "1", None) is None
    answer = await again.by_text("!r", "1", "$ask")  # a reply to the older message still does
    assert answer is not None and answer[1] == "yes"
    await again.bot_message("!r", "$menu", ["a", "b"])
    assert await again.by_text("!r", "1", "$someones") is None  # a reply to a person: text
    reacted = await again.by_reaction("!r", "$ask", keycap(2))
    assert reacted is not None and reacted[1] == "no"
    await again.bot_edit("!r", "$ask", [])  # edited: no buttons any more
    assert await again.by_reaction("!r", "$ask", keycap(2)) is None


async def test_under_a_question_wanting_a_typed_answer_a_number_answers_and_a_label_presses() -> (
    None
):
    """Regression: "要订购多少斤？" → 2 pressed the question's second button (Cancel)."""
    sink = MemoryState()
    choices = Choices(sink)  # type: ignore[arg-type]
    await choices.bot_message("!r", "$kilos", ["dlg:skip", "dlg:cancel"], ["跳过", "Cancel"])
    await choices.save()
    again = Choices(sink)  # type: ignore[arg-type]  # after a restart, from the stored state
    assert await again.by_text("!r", "2", None) is None  # the answer: an ordinary message
    assert await again.by_text("!r", "１", None) is None
    pressed = await again.by_text("!r", " cancel ", None)
    assert pressed is not None and (pressed[0].message_id, pressed[1]) == ("$kilos", "dlg:cancel")
    assert await again.by_text("!r", "跳过吧", None) is None  # not exactly a label: text
    skip = await again.by_text("!r", "跳过", "$kilos")  # a reply to the question
    assert skip is not None and skip[1] == "dlg:skip"
    reacted = await again.by_reaction("!r", "$kilos", keycap(2))  # reactions still press
    assert reacted is not None and reacted[1] == "dlg:cancel"
    await again.bot_message("!r", "$menu", ["a", "b"])  # an ordinary menu: numbers press...
    assert (await again.by_text("!r", "2", None) or (None, None))[1] == "b"
    await again.bot_message("!r", "$menu2", ["a"], ())
    assert await again.by_text("!r", "Cancel", None) is None  # ...and labels are text
    assert await again.by_text("!r", "跳过", "$unknown") is None  # never fetched for a label


async def test_a_long_typed_question_is_read_again_from_the_homeserver_after_a_restart() -> None:
    fetched: list[str] = []

    async def fetch(room_id: str, message_id: str) -> Offer | None:
        fetched.append(message_id)
        return Offer(message_id, ("x" * 600, "y" * 600), ("跳过", "取消"))

    sink = MemoryState()
    choices = Choices(sink, fetch)  # type: ignore[arg-type]
    await choices.bot_message("!r", "$q", ["x" * 600, "y" * 600], ["跳过", "取消"])
    await choices.save()
    assert json.loads(sink.values[state_key("buttons", "!r")]) == ["$q", None]
    again = Choices(sink, fetch)  # type: ignore[arg-type]
    assert await again.by_text("!r", "1", None) is None
    pressed = await again.by_text("!r", "取消", None)
    assert pressed is not None and pressed[1] == "y" * 600 and fetched == ["$q"]


async def test_state_written_before_labels_existed_still_loads() -> None:
    sink = MemoryState()
    sink.values[state_key("buttons", "!r")] = '["$ask", ["yes", "no"]]'
    choices = Choices(sink)  # type: ignore[arg-type]
    assert (await choices.by_text("!r", "2", None) or (None, None))[1] == "no"


# -- errors, records, config --------------------------------------------------------------------
class Answer:
    def __init__(self, status: int, code: str | None, message: str, retry: int | None = None):
        self.status_code = code
        self.message = message
        self.retry_after_ms = retry
        self.transport_response = type("T", (), {"status": status})()


def test_the_homeservers_answers_become_the_outboxs_verdicts() -> None:
    limited = response_error(Answer(429, "M_LIMIT_EXCEEDED", "Too Many Requests", 1500))
    assert isinstance(limited, RetryLater) and limited.seconds == 1.5 and not limited.chat_only
    assert response_error(Answer(429, None, "")).seconds == 5.0  # type: ignore[attr-defined]
    kicked = response_error(Answer(403, "M_FORBIDDEN", "User @b:x not in room !r:x (leave)"))
    assert isinstance(kicked, PermanentFailure) and kicked.chat_gone
    muted = response_error(Answer(403, "M_FORBIDDEN", "You don't have permission to post"))
    assert isinstance(muted, PermanentFailure) and not muted.chat_gone
    assert isinstance(response_error(Answer(413, "M_TOO_LARGE", "big")), PermanentFailure)
    assert isinstance(response_error(Answer(502, None, "unknown error")), TemporaryFailure)
    assert isinstance(response_error(Answer(401, "M_UNKNOWN_TOKEN", "gone")), TemporaryFailure)


def test_a_room_record_fits_the_state_and_knows_direct_from_group() -> None:
    room = Room("!r:x", name="名" * 600, joined=2)
    room.apply_state(
        {
            "type": "m.room.power_levels",
            "content": {"users": {f"@mod{i}:x": 50 for i in range(100)}, "events_default": 10},
        },
        "@bot:x",
    )
    assert room.kind is ChatKind.GROUP and room.send_level == 10  # named: a group
    assert Room("!d:x", joined=2).kind is ChatKind.DIRECT  # two members, no name
    assert len(room.dump()) <= 1000
    loaded = Room.load("!r:x", room.dump())
    assert loaded.joined == 2 and loaded.power_level("@nobody:x") == 0
    assert Room("!g:x", joined=3, invited=1).kind is ChatKind.GROUP
    assert Room("!d:x", direct=True).kind is ChatKind.DIRECT  # members not known yet
    assert state_key("room", "!short:x") == "room:!short:x"
    assert len(state_key("dm", "@" + "a" * 200 + ":x")) <= 100


def test_config_needs_credentials_and_checks_ids() -> None:
    ok = MatrixConfig(homeserver="https://m.org/", user_id="@q:m.org", password="p")
    assert ok.homeserver == "https://m.org" and ok.server_name == "m.org"
    with pytest.raises(ValidationError, match="give a password"):
        MatrixConfig(homeserver="https://m.org", user_id="@q:m.org")
    with pytest.raises(ValidationError, match="looks like @qunzhu:example.org"):
        MatrixConfig(homeserver="https://m.org", user_id="q", password="p")
    with pytest.raises(ValidationError, match="https://"):
        MatrixConfig(homeserver="m.org", user_id="@q:m.org", password="p")
    rules = InviteRules(allow_users=("@wang:a.org",), allow_servers=("b.org",))
    assert rules.allows("@wang:a.org") and rules.allows("@li:b.org")
    assert not rules.allows("@li:a.org") and not InviteRules().allows("@x:y")
    assert InviteRules(allow_servers=("*",)).allows("@anyone:anywhere")


def test_a_mention_links_the_name_the_bot_knows_the_person_by() -> None:
    """A reminder names people as the config does (@宁德市长), not by their Matrix display name:
    that name is made the pill, and nothing is appended."""
    from qunzhu.adapters.matrix.render import spans

    key = "matrix:@nd-1a2b:example.org"
    parts = spans("尚未汇报：@宁德市长", [key], lambda user_id: "nd-1a2b", {key: "宁德市长"})
    assert [(p.text, p.user_id) for p in parts] == [
        ("尚未汇报：", None),
        ("@宁德市长", "@nd-1a2b:example.org"),
    ]
    without = spans("尚未汇报：@宁德市长", [key], lambda user_id: "nd-1a2b")
    assert without[-1].text == "@nd-1a2b"  # unknown to the bot: the display name is appended


def test_a_written_at_name_is_linked_before_a_plain_name_as_on_telegram() -> None:
    """Every ``@name`` form before any plain name (the order Telegram used): "@nd" is the pill,
    not the plain 宁德市长 (the Matrix adapter tried each name's two forms in turn); with no
    name at all, the localpart is looked for and shown."""
    from qunzhu.adapters.matrix.render import spans

    key = "matrix:@nd-1a2b:example.org"
    parts = spans("宁德市长 请看 @nd", [key], lambda user_id: "nd", {key: "宁德市长"})
    assert [(p.text, p.user_id) for p in parts] == [
        ("宁德市长 请看 ", None),
        ("@nd", "@nd-1a2b:example.org"),
    ]
    nameless = spans("请 nd-1a2b 看", [key], lambda user_id: "")
    assert [p.user_id for p in nameless] == [None, "@nd-1a2b:example.org", None]
    assert spans("请看", [key], lambda user_id: "")[-1].text == "@nd-1a2b"
