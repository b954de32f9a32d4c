"""What the console prints, exactly."""

from __future__ import annotations

from qunzhu.adapters.console.render import Renderer, clean, find_label, pressable
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Button, Reply

LOBBY = ChatRef("console", "lobby", ChatKind.GROUP, "lobby")
DM_ANA = ChatRef("console", "dm:ana", ChatKind.DIRECT, "ana")
plain = Renderer(color=False)


def test_a_message_with_reply_photo_and_buttons_across_rows() -> None:
    reply = Reply(
        "水管坏了?\n\nRegister it?",
        photo="/tmp/map.png",
        reply_to="5",
        buttons=(
            (Button("登记为问题", data="register"), Button("Cancel", data="cancel")),
            (Button("Website", url="https://example.org/x"), Button("Later", data="later")),
        ),
    )
    assert plain.message(LOBBY, "b3", reply) == (
        "[lobby] qunzhu #b3 ↩ 5:\n"
        "  水管坏了?\n"
        "\n"
        "  Register it?\n"
        "  [photo: /tmp/map.png]\n"
        "  [1] 登记为问题  [2] Cancel\n"
        "  [Website: https://example.org/x]  [3] Later"
    )
    assert [b.data for b in pressable(reply)] == ["register", "cancel", "later"]


def test_a_question_wanting_a_typed_answer_shows_its_buttons_without_numbers() -> None:
    reply = Reply(
        "要订购多少斤？",
        buttons=((Button("跳过", data="skip"), Button("取消", data="cancel")),),
        typed_answer=True,
    ).with_buttons((Button("跳过", data="skip"), Button("Guide", url="https://x")))
    assert plain.message(LOBBY, "b4", reply) == (
        "[lobby] qunzhu #b4:\n  要订购多少斤？\n  [跳过]  [Guide: https://x]"
    )


def test_find_label_ignores_spaces_case_and_full_width_forms() -> None:
    labels = ["跳过", "Cancel", "OK"]
    assert find_label(labels, " 跳过 ") == 0
    assert find_label(labels, "cancel") == 1
    assert find_label(labels, "ＯＫ") == 2
    assert find_label(labels, "取消") is None
    assert find_label(labels, "  ") is None
    assert find_label(["", "x"], "") is None


def test_a_direct_chat_shows_who_it_is_with() -> None:
    assert plain.message(DM_ANA, "b1", Reply("hi")) == "[dm ana] qunzhu #b1:\n  hi"
    untitled = ChatRef("console", "dm:bob", ChatKind.DIRECT)
    assert plain.message(untitled, "b2", Reply("hi")).startswith("[dm bob] qunzhu #b2:")


def test_an_edit_is_marked() -> None:
    reply = Reply("Done.", reply_to="4").with_buttons(Button("Undo", data="undo"))
    assert plain.message(LOBBY, "b3", reply, edited=True) == (
        "[lobby] qunzhu #b3 (edited):\n  Done.\n  [1] Undo"
    )


def test_a_message_without_text_is_just_its_header() -> None:
    assert plain.message(LOBBY, "b9", Reply()) == "[lobby] qunzhu #b9:"


def test_echo_error_and_prompt_lines() -> None:
    assert plain.echo(LOBBY, "ana", "5", "水管坏了 @bob") == "> [lobby] ana #5: 水管坏了 @bob"
    assert plain.echo(DM_ANA, "ana", None, "/as bob") == "> [dm ana] ana: /as bob"
    assert plain.error("no such file") == "! no such file"
    assert plain.info("hello") == "* hello"
    assert plain.prompt(LOBBY, "ana", "6") == "[lobby] ana #6> "


def test_control_characters_are_shown_escaped_not_obeyed() -> None:
    assert clean("a\x00b\x1b[31mc\rd\x7f\te\nf") == "a\\x00b\\x1b[31mc\\x0dd\\x7f\te\nf"
    text = plain.message(LOBBY, "b1", Reply("\x1b[2Jgone?", buttons=((Button("\x07", data="x"),),)))
    assert "\x1b" not in text
    assert "\x07" not in text
    assert plain.echo(LOBBY, "a\x00", "1", "\x1b]0;title\x07") == (
        "> [lobby] a\\x00 #1: \\x1b]0;title\\x07"
    )


def test_unicode_is_left_alone() -> None:
    text = "\u200fمرحبا\u200e 👨‍👩‍👧‍👦 🇨🇳 e\u0301"
    assert clean(text) == text
    assert plain.message(LOBBY, "b1", Reply(text)) == f"[lobby] qunzhu #b1:\n  {text}"


def test_colors_only_when_asked_for() -> None:
    colored = Renderer(color=True)
    reply = Reply("hi").with_buttons(Button("OK", data="ok"))
    text = colored.message(LOBBY, "b1", reply)
    assert text == "\x1b[1;36m[lobby] qunzhu #b1:\x1b[0m\n  hi\n  \x1b[33m[1] OK\x1b[0m"
    assert colored.error("bad") == "\x1b[31m! bad\x1b[0m"
    assert "\x1b" not in plain.message(LOBBY, "b1", reply)


def test_a_reaction_and_taking_it_back() -> None:
    assert plain.reaction(LOBBY, "5", "👌") == "[lobby] qunzhu reacted 👌 to #5"
    assert (
        plain.reaction(DM_ANA, "b2", "👍", removed=True) == "[dm ana] qunzhu took back 👍 from #b2"
    )
    assert plain.reaction(LOBBY, "5", "\x1b[31m") == "[lobby] qunzhu reacted \\x1b[31m to #5"
