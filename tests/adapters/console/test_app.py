"""End to end: a script piped through the console into a real App with the built-in plugins."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from qunzhu.adapters.console import ConsoleAdapter, ConsoleConfig
from qunzhu.core import Context, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import SystemClock
from qunzhu.core.config import load_config
from qunzhu.core.plugins import PluginSet, load_plugins

SCRIPT = """\
/help
/as ana
/in village-3
just chatting, nobody answers
/nosuchcommand
/quit
"""


async def test_a_piped_script_shows_the_bots_answers_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default SQLite database lands here
    settings = load_config(None, adapter_models={"console": ConsoleConfig})
    plugins = PluginSet.collect(load_plugins(entry_points_enabled=False))
    out = io.StringIO()
    clock = SystemClock()
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(SCRIPT), stdout=out)
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})

    await asyncio.wait_for(app.run(), 30)

    lines = out.getvalue().splitlines()
    assert lines[:2] == ["> [lobby] me #1: /help", "[lobby] qunzhu #b1 ↩ 1:"]
    help_text = lines[2 : lines.index("> [lobby] me: /as ana")]
    assert help_text
    assert all(line.startswith("  ") for line in help_text)
    assert any(line.lstrip().startswith("/help") for line in help_text)
    assert any(line.lstrip().startswith("/lang") for line in help_text)
    rest = lines[len(help_text) + 2 :]
    assert rest[:4] == [
        "> [lobby] me: /as ana",
        "> [lobby] ana: /in village-3",
        "> [village-3] ana #2: just chatting, nobody answers",
        "> [village-3] ana #3: /nosuchcommand",
    ]
    assert rest[4] == "[village-3] qunzhu #b2 ↩ 3:"  # "no such command", in some words
    assert rest[-1] == "> [village-3] ana: /quit"
    assert adapter.finished.is_set()


class Acknowledge:
    """Reacts 👌 to a report instead of answering it."""

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        if ctx.message is not None and ctx.message.text.startswith("日报"):
            await ctx.react("👌")


async def test_a_plugins_reaction_shows_under_the_line_it_acknowledges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_config(None, adapter_models={"console": ConsoleConfig})
    plugins = PluginSet.collect(
        load_plugins([("acknowledge", Acknowledge())], entry_points_enabled=False)
    )
    out = io.StringIO()
    clock = SystemClock()
    script = "/in village-3\n日报：3号楼完成浇筑\nthanks\n"
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(script), stdout=out)
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})

    await asyncio.wait_for(app.run(), 30)

    assert out.getvalue().splitlines() == [
        "> [lobby] me: /in village-3",
        "> [village-3] me #1: 日报：3号楼完成浇筑",
        "[village-3] qunzhu reacted 👌 to #1",
        "> [village-3] me #2: thanks",
    ]


class Echo:
    """Answers every plain message, and greets whoever joins."""

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        if ctx.message is not None:
            await ctx.reply(f"ok {ctx.message.text}")

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        await ctx.send("welcome")


async def test_new_groups_spoken_to_at_once_are_each_answered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19, item 1 in the console: a group the bot has never seen, and the first message
    in it right away (after a join, or with nothing before it)."""
    monkeypatch.chdir(tmp_path)
    settings = load_config(None, adapter_models={"console": ConsoleConfig})
    plugins = PluginSet.collect(load_plugins([("echo", Echo())], entry_points_enabled=False))
    out = io.StringIO()
    clock = SystemClock()
    lines = []
    for i in range(10):
        lines += [f"/in group-{i}", "/join bo" if i % 2 else f"first in {i}", f"then {i}"]
    script = "\n".join(lines) + "\n"
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(script), stdout=out)
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})

    await asyncio.wait_for(app.run(), 30)

    answers, chat = [], ""
    for line in out.getvalue().splitlines():
        if " qunzhu " in line and not line.startswith(">"):
            chat = line.split("]")[0].lstrip("[")
        elif line.startswith("  ") and chat:
            answers.append((chat, line.strip()))
            chat = ""
    expected = []
    for i in range(10):
        first = "welcome" if i % 2 else f"ok first in {i}"
        expected += [(f"group-{i}", first), (f"group-{i}", f"ok then {i}")]
    assert answers == expected, out.getvalue()


async def test_a_shared_start_refuses_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``dispatcher.shared`` another process (a second ``qunzhu run`` on the same
    PostgreSQL) may handle a line typed here and print the answer on its own terminal, where a
    number typed here cannot press its buttons."""
    from qunzhu.core.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    config = tmp_path / "qunzhu.yaml"
    config.write_text("dispatcher:\n  shared: true\nadapters:\n  console: {}\n", encoding="utf-8")
    settings = load_config(config, adapter_models={"console": ConsoleConfig})
    plugins = PluginSet.collect(load_plugins(entry_points_enabled=False))
    clock = SystemClock()
    adapter = ConsoleAdapter(ConsoleConfig(), clock=clock, stdin=io.StringIO(""))
    app = App.build(settings, plugins, clock=clock, adapters={"console": adapter})
    with pytest.raises(ConfigError, match=r"^adapters.console runs in one process only: "):
        await app.start()
