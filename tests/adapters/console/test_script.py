"""Parsing typed lines into console actions (no I/O)."""

from __future__ import annotations

import pytest

from qunzhu.adapters.console.script import (
    Member,
    Press,
    Quit,
    React,
    ReplyTo,
    Say,
    SendFile,
    ShareLocation,
    ShowHelp,
    SwitchChat,
    SwitchDirect,
    SwitchUser,
    find_mentions,
    parse_line,
)
from qunzhu.core.errors import UsageError
from qunzhu.core.model._events import AttachmentKind


@pytest.mark.parametrize("line", ["", "   ", "\t", "\n"])
def test_blank_lines_are_nothing(line: str) -> None:
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("hello", "hello"),
        ("  spaced out  ", "spaced out"),
        ("/help", "/help"),
        ("/登记 水管坏了", "/登记 水管坏了"),
        ("/help@qunzhu lang", "/help@qunzhu lang"),
        ("/assign 5", "/assign 5"),  # starts like /as, is not /as
        ("/", "/"),
        ("2", "2"),  # whether a number presses a button is the adapter's decision
    ],
)
def test_other_lines_are_text_for_the_bot(line: str, text: str) -> None:
    assert parse_line(line) == Say(text)


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("/as ana", SwitchUser("ana")),
        ("/as @ana zh-Hans", SwitchUser("ana", "zh-Hans")),
        ("/as 张三 zh_Hant", SwitchUser("张三", "zh_Hant")),
        ("／as ana en", SwitchUser("ana", "en")),  # a full-width slash from a Chinese IME
        ("/in village-3", SwitchChat("village-3")),
        ("/in #village-3", SwitchChat("village-3")),
        ("/dm", SwitchDirect()),
        ("/console", ShowHelp()),
        ("/?", ShowHelp()),
        ("/quit", Quit()),
        ("/photo pic.jpg", SendFile(AttachmentKind.PHOTO, "pic.jpg")),
        (
            "/photo pic.jpg\tthe pipe  leaks",
            SendFile(AttachmentKind.PHOTO, "pic.jpg", "the pipe  leaks"),
        ),
        ('/photo "my pic.jpg" nice', SendFile(AttachmentKind.PHOTO, "my pic.jpg", "nice")),
        ("/file 'a b.pdf'", SendFile(AttachmentKind.FILE, "a b.pdf")),
        ("/video clip.mp4 看这里", SendFile(AttachmentKind.VIDEO, "clip.mp4", "看这里")),
        ("/loc 31.23 121.47", ShareLocation(31.23, 121.47)),
        ("/loc 31.23, 121.47", ShareLocation(31.23, 121.47)),
        (
            "/loc 31.23,121.47 People's Square, Shanghai",
            ShareLocation(31.23, 121.47, "People's Square, Shanghai"),
        ),
        ("/loc -90 180", ShareLocation(-90.0, 180.0)),
        ("/loc +.5 -0.25 x", ShareLocation(0.5, -0.25, "x")),
        ("/reply 5 yes please", ReplyTo("5", "yes please")),
        ("/reply #b3 ok", ReplyTo("b3", "ok")),
        ("/reply B3 /help", ReplyTo("b3", "/help")),
        ("/react 5 👍", React("5", "👍")),
        ("/react b2 👨‍👩‍👧", React("b2", "👨‍👩‍👧")),
        ("/unreact #5 👍🏽", React("5", "👍🏽", removed=True)),
        ("/join bob", Member("bob", "joined")),
        ("/leave @bob", Member("bob", "left")),
        ("/press 2", Press(2)),
        ("/press 1 b3", Press(1, "b3")),
        ("/press 1 #3", Press(1, "b3")),
        ("/press 1 #B03", Press(1, "b3")),
        ("/say 2", Say("2", literal=True)),
        ("/say /as ana", Say("/as ana", literal=True)),
    ],
)
def test_console_commands(line: str, action: object) -> None:
    assert parse_line(line) == action


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("/as", "usage: /as NAME [LANG]"),
        ("/as @", "usage: /as NAME [LANG]"),
        ("/as ana zh Hans", "usage: /as NAME [LANG]"),
        ("/as ana 中文", "'中文' is not a language tag"),
        ("/in", "usage: /in CHAT"),
        ("/in a b", "usage: /in CHAT"),
        ("/in dm:ana", "use /dm"),
        ("/dm ana", "usage: /dm"),
        ("/photo", "usage: /photo PATH"),
        ("/video", "usage: /video PATH"),
        ('/photo "unclosed.jpg', "closing quote"),
        ("/loc", "usage: /loc"),
        ("/loc 31.2", "usage: /loc"),
        ("/loc 91 0", "the latitude must be a number from -90 to 90, not '91'"),
        ("/loc 0 -180.5", "the longitude must be a number from -180 to 180"),
        ("/loc nan 0", "latitude"),
        ("/loc 0 inf", "longitude"),
        ("/loc 1e3 0", "latitude"),
        ("/loc 1_0 0", "latitude"),
        ("/loc ٣ 0", "latitude"),  # Arabic-Indic digit: not a number the console reads
        ("/loc north east", "latitude"),
        ("/reply 5", "usage: /reply N TEXT"),
        ("/reply x hi", "'x' is not a message number"),
        ("/react 5", "usage: /react N EMOJI"),
        ("/unreact 5 👍 👎", "usage: /unreact N EMOJI"),
        ("/react five 👍", "'five' is not a message number"),
        ("/join", "usage: /join NAME"),
        ("/leave a b", "usage: /leave NAME"),
        ("/press", "usage: /press N [M]"),
        ("/press 0", "usage: /press N [M]"),
        ("/press x", "usage: /press N [M]"),
        ("/press 1 2 3", "usage: /press N [M]"),
        ("/press 1 c3", "'c3' is not a bot message number"),
        ("/say", "usage: /say TEXT"),
    ],
)
def test_console_commands_used_wrongly(line: str, error: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_line(line)
    assert error in str(info.value)


def test_mentions_are_names_after_at_in_order_each_once() -> None:
    text = "hi @ana and @张三, @ana again; mail ana@example.org; cc @bob. @@x @-y"
    assert find_mentions(text) == ("ana", "张三", "bob")


def test_odd_lines_do_not_break_parsing() -> None:
    long = "x" * 100_000
    assert parse_line(long) == Say(long)
    assert parse_line("a\x00b") == Say("a\x00b")
    assert parse_line("\u200fשלום\u200e @ana") == Say("\u200fשלום\u200e @ana")
    assert parse_line("/photo " + long) == SendFile(AttachmentKind.PHOTO, long)
    assert find_mentions("@" + "a" * 50_000) == ("a" * 50_000,)
