"""The console adapter alone: a script in, events to a fake bot, a transcript out."""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
import pytest

from qunzhu.adapters.console import ConsoleAdapter, ConsoleConfig
from qunzhu.core.clock import FakeClock
from qunzhu.core.errors import AdapterError
from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.model._reply import Button, Reply

LOBBY = ChatRef("console", "lobby", ChatKind.GROUP, "lobby")
ME = UserRef("console", "me", "me")
MENU = Reply("Register it?").with_buttons(
    [Button("登记为问题", data="register"), Button("Cancel", data="cancel")],
    Button("Guide", url="https://example.org/guide"),
)


@dataclass
class FakeBot:
    """A sink that records events and answers some texts with a reply."""

    answers: dict[str, Reply | list[Reply]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    adapter: ConsoleAdapter | None = None

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, Message) and event.text in self.answers and self.adapter:
            answer = self.answers[event.text]
            for reply in answer if isinstance(answer, list) else [answer]:
                await self.adapter.send(event.chat, reply)


@dataclass
class Run:
    adapter: ConsoleAdapter
    bot: FakeBot
    out: io.StringIO

    @property
    def events(self) -> list[Event]:
        return self.bot.events

    @property
    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


async def _settled() -> None:
    return None


def make(script: str | io.StringIO, bot: FakeBot | None = None, **config: object) -> Run:
    stdin = script if isinstance(script, io.StringIO) else io.StringIO(script)
    out = io.StringIO()
    adapter = ConsoleAdapter(
        ConsoleConfig.model_validate(config), clock=FakeClock(), stdin=stdin, stdout=out
    )
    adapter.settle = _settled
    bot = bot or FakeBot()
    bot.adapter = adapter
    return Run(adapter, bot, out)


async def play(script: str, bot: FakeBot | None = None, **config: object) -> Run:
    run = make(script, bot, **config)
    await run.adapter.start(run.bot)
    await asyncio.wait_for(run.adapter.finished.wait(), 5)
    await run.adapter.stop()
    return run


# -- messages ----------------------------------------------------------------------------------
async def test_plain_text_becomes_messages_with_increasing_ids_and_mentions() -> None:
    run = await play("hello\n\n  \n水管坏了 @ana @张三 @ana, cc ana@example.org\n")
    now = FakeClock().now()
    assert run.events == [
        Message("1", LOBBY, ME, "hello", sent_at=now),
        Message(
            "2",
            LOBBY,
            ME,
            "水管坏了 @ana @张三 @ana, cc ana@example.org",
            mentions=("console:ana", "console:张三"),
            sent_at=now,
        ),
    ]
    assert run.lines == [
        "> [lobby] me #1: hello",
        "> [lobby] me #2: 水管坏了 @ana @张三 @ana, cc ana@example.org",
    ]


async def test_other_slash_commands_go_to_the_bot_as_typed() -> None:
    run = await play("/help\n/登记 水管\n/help@qunzhu\n")
    assert [e.text for e in run.events if isinstance(e, Message)] == [
        "/help",
        "/登记 水管",
        "/help@qunzhu",
    ]


async def test_as_in_and_dm_switch_speaker_and_chat() -> None:
    script = "/as ana zh-Hans\nhi\n/in village-3\nhi\n/dm\nhi\n/as bob\nhi\n/as ana\n/in x\nhi\n"
    run = await play(script, lang="en")
    ana = UserRef("console", "ana", "ana", "zh-Hans")
    bob = UserRef("console", "bob", "bob", "en")
    village = ChatRef("console", "village-3", ChatKind.GROUP, "village-3")
    dm_ana = ChatRef("console", "dm:ana", ChatKind.DIRECT, "ana")
    dm_bob = ChatRef("console", "dm:bob", ChatKind.DIRECT, "bob")
    x = ChatRef("console", "x", ChatKind.GROUP, "x")
    assert [(e.event_id, e.chat, e.sender) for e in run.events] == [
        ("1", LOBBY, ana),
        ("2", village, ana),
        ("3", dm_ana, ana),
        ("4", dm_bob, bob),
        ("5", x, ana),  # ana's language is remembered
    ]
    assert await run.adapter.direct_chat(ana) == dm_ana
    assert run.lines[:4] == [
        "> [lobby] me: /as ana zh-Hans",
        "> [lobby] ana #1: hi",
        "> [lobby] ana: /in village-3",
        "> [village-3] ana #2: hi",
    ]
    assert "> [dm ana] ana #3: hi" in run.lines
    assert "> [dm bob] bob #4: hi" in run.lines


async def test_config_sets_who_and_where_at_first() -> None:
    run = await play("hi\n", user="ana", chat="village-3", lang="zh-Hant")
    (event,) = run.events
    assert event.sender == UserRef("console", "ana", "ana", "zh-Hant")
    assert event.chat == ChatRef("console", "village-3", ChatKind.GROUP, "village-3")


@pytest.mark.parametrize("kind", list(AttachmentKind))
async def test_files_become_attachments(
    tmp_path: Path, kind: AttachmentKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = {"photo": "pipe.jpg", "file": "report.pdf", "video": "clip.mp4"}[kind.value]
    (tmp_path / name).write_bytes(b"x" * 42)
    run = await play(f"/{kind.value} {name} the pipe @ana\n")
    (event,) = run.events
    assert isinstance(event, Message)
    assert event.text == "the pipe @ana"
    assert event.mentions == ("console:ana",)
    (attachment,) = event.attachments
    mime = {"photo": "image/jpeg", "file": "application/pdf", "video": "video/mp4"}[kind.value]
    assert attachment == Attachment(kind, str(tmp_path / name), mime, 42, name, "the pipe @ana")
    assert await run.adapter.download(attachment) == b"x" * 42


async def test_a_missing_file_is_an_error_line_and_sends_nothing(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    run = await play(f"/photo {tmp_path}/nope.jpg hi\n/file {tmp_path}/dir\n/photo a\x00b\nok\n")
    assert [e.event_id for e in run.events] == ["1"]  # no number was used up
    assert run.lines == [
        f"> [lobby] me: /photo {tmp_path}/nope.jpg hi",
        f"! cannot send '{tmp_path}/nope.jpg': no such file or directory",
        f"> [lobby] me: /file {tmp_path}/dir",
        f"! cannot send '{tmp_path}/dir': not a file",
        "> [lobby] me: /photo a\\x00b",
        "! cannot send 'a\\x00b': embedded null byte",
        "> [lobby] me #1: ok",
    ]


async def test_download_of_a_vanished_file_is_an_adapter_error(tmp_path: Path) -> None:
    adapter = make("").adapter
    with pytest.raises(AdapterError, match="cannot read the console attachment"):
        await adapter.download(Attachment(AttachmentKind.FILE, str(tmp_path / "gone")))


async def test_locations_and_bad_locations() -> None:
    run = await play("/loc 31.23, 121.47 People's Square\n/loc 200 0\n/loc 1 2\n")
    assert [(e.event_id, e.location, e.text) for e in run.events if isinstance(e, Message)] == [
        ("1", Location(31.23, 121.47, "People's Square"), ""),
        ("2", Location(1.0, 2.0), ""),
    ]
    assert run.lines[1:3] == [
        "> [lobby] me: /loc 200 0",
        "! the latitude must be a number from -90 to 90, not '200'",
    ]


async def test_replies_reactions_and_member_changes() -> None:
    script = "/reply 1 yes @bob\n/react b1 👍\n/unreact #b1 👍\n/join bob\n/as bob\n/leave bob\n"
    run = await play(script)
    now = FakeClock().now()
    bob = UserRef("console", "bob", "bob")
    assert run.events == [
        Message("1", LOBBY, ME, "yes @bob", reply_to="1", mentions=("console:bob",), sent_at=now),
        Reaction("2", LOBBY, ME, "b1", "👍", sent_at=now),
        Reaction("3", LOBBY, ME, "b1", "👍", removed=True, sent_at=now),
        MemberChange("4", LOBBY, ME, bob, "joined", now),
        MemberChange("5", LOBBY, bob, bob, "left", now),
    ]


async def test_join_in_a_private_chat_is_an_error() -> None:
    run = await play("/dm\n/join bob\n")
    assert run.events == []
    assert run.lines[-1] == "! /join and /leave work in a group chat: go to one with /in CHAT"


# -- the bot's messages and buttons ------------------------------------------------------------
async def test_bot_messages_are_printed_with_numbered_buttons() -> None:
    run = await play("menu\n1\n", FakeBot({"menu": MENU}))
    assert run.lines == [
        "> [lobby] me #1: menu",
        "[lobby] qunzhu #b1:",
        "  Register it?",
        "  [1] 登记为问题  [2] Cancel",
        "  [Guide: https://example.org/guide]",
        "> [lobby] me #2: 1",
    ]
    assert run.events[1] == ButtonPress("2", LOBBY, ME, "b1", "register", FakeClock().now())


async def test_send_returns_increasing_ids_and_marks_replies() -> None:
    run = make("")
    adapter = run.adapter
    assert await adapter.send(LOBBY, Reply("a")) == "b1"
    assert await adapter.send(LOBBY, Reply("b", reply_to="7")) == "b2"
    assert run.lines == ["[lobby] qunzhu #b1:", "  a", "[lobby] qunzhu #b2 ↩ 7:", "  b"]


async def test_reactions_are_printed_in_the_transcript() -> None:
    run = make("")
    adapter = run.adapter
    await adapter.send(LOBBY, Reply("a"))
    await adapter.react(LOBBY, "5", "👌", txn="qz1")
    await adapter.react(LOBBY, "5", "👌", removed=True, txn="qz2")
    assert run.lines == [
        "[lobby] qunzhu #b1:",
        "  a",
        "[lobby] qunzhu reacted 👌 to #5",
        "[lobby] qunzhu took back 👌 from #5",
    ]


async def test_a_bare_number_is_a_press_only_right_after_the_buttons() -> None:
    bot = FakeBot({"menu": MENU, "menu+": [MENU, Reply("or type /cancel")], "plain": Reply("ok")})
    script = (
        "menu\n"
        "2\n"  # pressed: Cancel
        "2\n"  # the speaker has spoken since: text
        "menu\n"
        "3\n"  # out of range (the URL button has no number): text
        "menu\n"
        "/in other\n"
        "1\n"  # another chat: text
        "/in lobby\n"
        "/as bob\n"
        "1\n"  # bob has not spoken since the buttons: a press, by bob
        "menu+\n"
        "1\n"  # a later bot message without buttons does not hide the menu: a press
        "plain\n"
        "1\n"  # but the speaker has spoken since: text
        "menu\n"
        "/say 1\n"  # /say is always text
    )
    run = await play(script, bot)
    presses = [
        (e.event_id, e.sender.user_id, e.message_id, e.data)
        for e in run.events
        if isinstance(e, ButtonPress)
    ]
    assert presses == [
        ("2", "me", "b1", "cancel"),
        ("8", "bob", "b3", "register"),
        ("10", "bob", "b4", "register"),
    ]
    texts = [e.text for e in run.events if isinstance(e, Message)]
    assert texts == ["menu", "2", "menu", "3", "menu", "1", "menu+", "plain", "1", "menu", "1"]


QUANTITY = Reply(
    "要订购多少斤？",
    buttons=((Button("跳过", data="skip"), Button("Cancel", data="cancel")),),
    typed_answer=True,
)


async def test_under_a_question_wanting_a_typed_answer_a_number_is_text_and_a_label_presses() -> (
    None
):
    """Regression: a dialog's "how many?" has a Cancel button, and a bare 1 pressed it."""
    bot = FakeBot({"order": QUANTITY, "menu": MENU})
    script = (
        "order\n"
        "2\n"  # the answer, not Skip
        "order\n"
        "１\n"  # full-width: text too
        "order\n"
        " cancel \n"  # the label (any case, spaces around) presses Cancel
        "order\n"
        "/press 1\n"  # /press still counts the buttons shown
        "order\n"
        "hello\n"
        "跳过\n"  # the speaker has spoken since the question: text
        "order\n"
        "/say 跳过\n"  # /say is always text
        "menu\n"
        "Cancel\n"  # an ordinary menu is pressed by number only: its label is text
        "menu\n"
        "2\n"
    )
    run = await play(script, bot)
    assert run.lines[:4] == [
        "> [lobby] me #1: order",
        "[lobby] qunzhu #b1:",
        "  要订购多少斤？",
        "  [跳过]  [Cancel]",
    ]
    presses = [(e.event_id, e.message_id, e.data) for e in run.events if isinstance(e, ButtonPress)]
    assert presses == [("6", "b3", "cancel"), ("8", "b4", "skip"), ("17", "b8", "cancel")]
    texts = [e.text for e in run.events if isinstance(e, Message) and e.text != "order"]
    assert texts == ["2", "１", "hello", "跳过", "跳过", "menu", "Cancel", "menu"]


async def test_press_n_and_press_n_m() -> None:
    bot = FakeBot({"menu": MENU, "other": Reply("Pick").with_buttons(Button("X", data="x"))})
    script = "menu\nother\n/press 1\n/press 2 b1\n/press 2 #1\n/press 3 b1\n/press 1 b9\n"
    run = await play(script, bot)
    assert [(e.message_id, e.data) for e in run.events if isinstance(e, ButtonPress)] == [
        ("b2", "x"),
        ("b1", "cancel"),
        ("b1", "cancel"),
    ]
    assert run.lines[-4:] == [
        "> [lobby] me: /press 3 b1",
        "! bot message #b1 has buttons 1 to 2, not 3",
        "> [lobby] me: /press 1 b9",
        "! no bot message #b9 (the console remembers the last 1000)",
    ]


async def test_press_errors() -> None:
    bot = FakeBot({"menu": MENU, "link": Reply("See").with_buttons(Button("Go", url="https://x"))})
    script = "/press 1\nmenu\n/in elsewhere\n/press 1\n/press 1 b1\nlink\n/press 1\n/press 1 b2\n"
    run = await play(script, bot)
    assert not any(isinstance(e, ButtonPress) for e in run.events)
    errors = [line for line in run.lines if line.startswith("!")]
    assert errors == [
        "! no bot message with buttons in this chat",
        "! no bot message with buttons in this chat",
        "! bot message #b1 is in another chat",
        "! no bot message with buttons in this chat",
        "! bot message #b2 has no buttons to press",
    ]


async def test_edits_are_marked_and_update_the_buttons() -> None:
    run = make("1\n/press 1 b1\n")
    adapter = run.adapter
    await adapter.send(LOBBY, Reply("Step 1").with_buttons(Button("Next", data="next")))
    await adapter.edit(LOBBY, "b1", Reply("Step 2").with_buttons(Button("Finish", data="finish")))
    await adapter.start(run.bot)
    await asyncio.wait_for(adapter.finished.wait(), 5)
    assert run.lines[:6] == [
        "[lobby] qunzhu #b1:",
        "  Step 1",
        "  [1] Next",
        "[lobby] qunzhu #b1 (edited):",
        "  Step 2",
        "  [1] Finish",
    ]
    assert [e.data for e in run.events if isinstance(e, ButtonPress)] == ["finish", "finish"]


async def test_the_console_remembers_only_recent_bot_messages() -> None:
    run = make("/press 1 b1\n/press 1 b1001\n")
    for _ in range(1001):
        await run.adapter.send(LOBBY, Reply("x").with_buttons(Button("ok", data="ok")))
    run.out.seek(0)
    run.out.truncate()
    await run.adapter.start(run.bot)
    await asyncio.wait_for(run.adapter.finished.wait(), 5)
    assert run.lines[1] == "! no bot message #b1 (the console remembers the last 1000)"
    assert [e.message_id for e in run.events if isinstance(e, ButtonPress)] == ["b1001"]


# -- the session ---------------------------------------------------------------------------------
async def test_console_help_and_quit() -> None:
    run = await play("/console\n/?\n/quit\nnever read\n")
    assert run.events == []
    assert run.lines[0] == "> [lobby] me: /console"
    assert run.lines[1].startswith("Console commands")
    assert sum(line.startswith("Console commands") for line in run.lines) == 2
    assert run.lines[-1] == "> [lobby] me: /quit"
    assert run.adapter.finished.is_set()


async def test_each_event_waits_for_the_bot_to_settle_and_eof_settles_once_more() -> None:
    run = make("a\n/as b\nb\n")
    log: list[str] = []

    async def settle() -> None:
        log.append(f"settle after {len(run.events)}")

    run.adapter.settle = settle
    await run.adapter.start(run.bot)
    assert not run.adapter.finished.is_set()  # start returns at once
    await asyncio.wait_for(run.adapter.finished.wait(), 5)
    assert log == ["settle after 1", "settle after 2", "settle after 2"]


async def test_empty_input_finishes_at_once() -> None:
    run = await play("")
    assert run.events == []
    assert run.out.getvalue() == ""


async def test_echo_can_be_turned_off() -> None:
    run = await play("hi\n", FakeBot({"hi": Reply("hello")}), echo=False)
    assert run.lines == ["[lobby] qunzhu #b1:", "  hello"]


async def test_a_failing_sink_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[Event] = []

    async def sink(event: Event) -> None:
        events.append(event)
        if event.event_id == "1":
            msg = "boom"
            raise RuntimeError(msg)

    run = make("first\nsecond\n")
    with caplog.at_level(logging.ERROR, "qunzhu.adapters.console"):
        await run.adapter.start(sink)
        await asyncio.wait_for(run.adapter.finished.wait(), 5)
    assert [e.event_id for e in events] == ["1", "2"]
    assert "event=console_sink_failed event=1" in caplog.text
    assert run.lines == [
        "> [lobby] me #1: first",
        "! the bot could not take #1 (see the log)",
        "> [lobby] me #2: second",
    ]


async def test_odd_unicode_and_huge_lines_do_not_crash() -> None:
    long = "长" * 100_000
    script = (
        f"{long}\n\ufeffa\x00b\n\u200fשלום\u200e\n👨‍👩‍👧‍👦🇨🇳\n\x1b[2J\nlone \ud800 surrogate\r\n"
        "/as \u202eana\n/in 🏠\nok\n"
    )
    run = await play(script)
    texts = [e.text for e in run.events if isinstance(e, Message)]
    assert texts == [
        long,
        "a\x00b",
        "\u200fשלום\u200e",
        "👨‍👩‍👧‍👦🇨🇳",
        "\x1b[2J",
        "lone ? surrogate",
        "ok",
    ]
    assert run.events[-1].sender.user_id == "\u202eana"
    assert run.events[-1].chat.chat_id == "🏠"
    assert "\x00" not in run.out.getvalue()
    assert "\x1b" not in run.out.getvalue()
    assert "> [lobby] me #2: a\\x00b" in run.lines


async def test_a_real_stream_is_read_by_one_thread_and_decoded_leniently() -> None:
    data = "hello\n水管\n".encode() + b"bad \xff\xfe bytes\n" + b"no newline at end"
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    out = io.StringIO()
    bot = FakeBot()
    adapter = ConsoleAdapter(ConsoleConfig(), clock=FakeClock(), stdin=stdin, stdout=out)
    await adapter.start(bot)
    await asyncio.wait_for(adapter.finished.wait(), 5)
    await adapter.stop()
    assert [e.text for e in bot.events if isinstance(e, Message)] == [
        "hello",
        "水管",
        "bad \ufffd\ufffd bytes",
        "no newline at end",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_a_terminal_gets_a_banner_and_prompts_and_no_echo() -> None:
    run = make(_Terminal("hi\n/as ana\n"), FakeBot({"hi": Reply("hello")}))
    await run.adapter.start(run.bot)
    await asyncio.wait_for(run.adapter.finished.wait(), 5)
    assert run.out.getvalue() == (
        "* qunzhu console: you are me in [lobby]. /console lists what you can do, /quit ends.\n"
        "[lobby] me #1> "  # the person types "hi" and Enter here
        "[lobby] qunzhu #b1:\n  hello\n"
        "[lobby] me #2> "
        "[lobby] ana #2> "
    )


async def test_stop_cancels_a_reader_that_waits() -> None:
    class Endless(io.StringIO):
        def readline(self, size: int | None = -1, /) -> str:
            return "again\n"

    run = make(Endless(), echo=False)
    await run.adapter.start(run.bot)
    for _ in range(10):
        await asyncio.sleep(0)
    await run.adapter.stop()
    assert run.adapter.finished.is_set()
    assert run.events


@pytest.mark.parametrize(
    "config",
    [{"chat": "dm:ana"}, {"user": "a b"}, {"chat": ""}, {"colour": True}],
)
def test_bad_config_is_refused(config: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        ConsoleConfig.model_validate(config)


def test_adapter_identity() -> None:
    assert ConsoleAdapter.platform == "console"
    assert ConsoleAdapter.Config is ConsoleConfig
    factory: Callable[..., ConsoleAdapter] = ConsoleAdapter
    adapter = factory(ConsoleConfig(), clock=FakeClock(), stdin=io.StringIO(), stdout=io.StringIO())
    assert adapter.echo is True
    assert adapter.render.color is False


async def test_output_while_a_prompt_waits_keeps_the_prompt_below() -> None:
    read, write = os.pipe()
    with open(read, encoding="utf-8") as stdin, open(write, "w", encoding="utf-8") as typing:
        out = io.StringIO()
        config = ConsoleConfig(echo=False)
        adapter = ConsoleAdapter(config, clock=FakeClock(), stdin=stdin, stdout=out)
        adapter.interactive = True  # as if stdin were a terminal
        bot = FakeBot(adapter=adapter)
        await adapter.start(bot)
        await asyncio.sleep(0.05)
        await adapter.send(LOBBY, Reply("Reminder: check-in closes at 18:00"))
        typing.write("hi\n")
        typing.flush()
        await asyncio.sleep(0.05)
        typing.write("/quit\n")
        typing.flush()
        await asyncio.wait_for(adapter.finished.wait(), 5)
        await adapter.stop()
    assert out.getvalue() == (
        "* qunzhu console: you are me in [lobby]. /console lists what you can do, /quit ends.\n"
        "[lobby] me #1> \n"
        "[lobby] qunzhu #b1:\n"
        "  Reminder: check-in closes at 18:00\n"
        "[lobby] me #1> "
        "[lobby] me #2> "
    )
    assert [e.text for e in bot.events if isinstance(e, Message)] == ["hi"]
