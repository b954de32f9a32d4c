"""The WeCom adapter under test: a real qunzhu App (real dispatcher, SQLite, outbox, sender) whose
WeCom adapter talks to the emulator over a loopback WebSocket, and a small plugin that uses
every kind of event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qunzhu.adapters.wecom.adapter import WecomAdapter
from qunzhu.core import Context, Text, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import Clock
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.testing import start_app
from tests.adapters.wecom.emulator import Group, Person, Sent, WecomEmulator
from tests.platform_app import PlatformApp


class WecomTest:
    """Commands, a card, and a hook for messages and presses."""

    def __init__(self) -> None:
        self.asked: int | None = None
        self.downloads: list[bytes] = []
        self.texts: list[tuple[str, str | None, tuple[str, ...]]] = []
        #: The photo `/photo` answers with.
        self.photo = ""

    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        @command("echo", help="Say it back")
        async def echo(ctx: Context, text: Text) -> None:
            await ctx.reply(text)

        @command("ask", help="Ask with a card")
        async def ask(ctx: Context) -> None:
            row = await ctx.reply(
                Reply("选一个").with_buttons(
                    [Button("是", data="t:yes"), Button("否", data="t:no")],
                    [Button("说明", url="https://example.org")],
                )
            )
            self.asked = row.id

        @command("photo", help="Answer with a photo")
        async def photo(ctx: Context, text: Text) -> None:
            await ctx.reply(Reply(text, photo=self.photo))

        @command("many", help="Eight buttons")
        async def many(ctx: Context) -> None:
            await ctx.reply(
                Reply("类别").with_buttons(*[Button(f"类{i}", data=f"t:c{i}") for i in range(8)])
            )

        @command("notify", help="Send to a group by id")
        async def notify(ctx: Context, chat_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("wecom", chat_id, ChatKind.GROUP))

        @command("remind", help="Mention people")
        async def remind(ctx: Context, ids: Text) -> None:
            mentions = tuple(f"wecom:{i}" for i in ids.split())
            await ctx.reply(Reply("请提交周报", mentions=mentions))

        return [echo, ask, photo, many, notify, remind]

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        assert msg is not None
        self.texts.append((msg.text, msg.reply_to, msg.mentions))
        if msg.attachments:
            data = [await ctx.download(a) for a in msg.attachments]
            self.downloads += data
            await ctx.reply(f"{len(data)} {msg.attachments[0].kind}: {msg.text}")
        elif msg.text.startswith("n "):
            await ctx.reply(f"ok {msg.text}")

    @hookimpl
    async def on_button(self, ctx: Context) -> None:
        press = ctx.button
        assert press is not None
        if press.data == "t:yes" and self.asked is not None:
            await ctx.edit(self.asked, "已选：是")
        await ctx.send(f"pressed {press.data} by {ctx.sender.name}")


def wecom_section(emu: WecomEmulator, **options: Any) -> dict[str, Any]:
    return {
        "bot_id": emu.bot_id,
        "secret": emu.secret,
        "name": emu.name,
        "ws_url": emu.ws_url,
        "heartbeat": 30,
        "max_backoff": 0.2,
        "request_timeout": 3,
        "limits": {"scale": 1000},
        **options,
    }


class WecomApp(PlatformApp):
    """A qunzhu App with the WeCom adapter pointed at `emu`, on a SQLite file in `workdir`."""

    platform = "wecom"

    def __init__(
        self,
        workdir: Path,
        emu: WecomEmulator,
        plugins: Sequence[tuple[str, object]],
        *,
        config: dict[str, Any] | None = None,
        adapter: dict[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.workdir, self.emu, self.plugins = workdir, emu, plugins
        self.config, self.options, self.clock = config or {}, adapter or {}, clock
        self.app: App | None = None

    @property
    def adapter(self) -> WecomAdapter:
        adapter = self.running.adapters["wecom"]
        assert isinstance(adapter, WecomAdapter)
        return adapter

    async def start(self) -> WecomApp:
        full: dict[str, Any] = {
            "bot": {"language": "en"},
            "database": {"url": f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"},
            "adapters": {"wecom": wecom_section(self.emu, **self.options)},
            "logging": {"level": "WARNING"},
            **self.config,
        }
        self.app = await start_app(self.workdir, full, self.plugins, clock=self.clock)
        await self.emu.subscribed()
        return self


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until `check()` (sync or async) is truthy; returns its value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            msg = f"not reached within {timeout} s: last value {value!r}"
            raise TimeoutError(msg)
        await asyncio.sleep(0.02)


class Watch:
    """What the bot sent to each chat since the test last looked: ``await watch.new(chat)``
    waits for at least one new message there, then until the chat has been quiet for `quiet`
    seconds (a text and its card arrive as two), and returns them."""

    def __init__(self, emu: WecomEmulator, quiet: float = 0.2) -> None:
        self.emu, self.quiet = emu, quiet
        self.seen: dict[str, int] = {}

    async def new(self, chat: Person | Group, timeout: float = 5.0) -> list[Sent]:
        key = chat.chatid if isinstance(chat, Group) else chat.userid
        start = self.seen.get(key, 0)
        await self.emu.wait_sent(chat, start + 1, timeout=timeout)
        count = -1
        while count != len(self.emu.in_chat(chat)):
            count = len(self.emu.in_chat(chat))
            await asyncio.sleep(self.quiet)
        self.seen[key] = count
        return self.emu.in_chat(chat)[start:count]

    @staticmethod
    def card(sent: list[Sent]) -> Sent:
        """The (last) card among `sent`."""
        return [s for s in sent if s.kind == "template_card"][-1]

    @staticmethod
    def texts(sent: list[Sent]) -> list[str]:
        return [s.text for s in sent if s.kind != "template_card"]
