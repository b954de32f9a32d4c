"""What the WeCom and DingTalk adapter tests share around their platform emulators: a test App
on an emulator (`EmulatedApp`: its config and start), the fixture's factory that stops every
App a test started (`started_apps`), a plugin that uses every kind of event (`EventsPlugin`),
and `Watch`, what the bot sent to each chat since the test last looked. Each platform's test
app (tests/adapters/<platform>/*app.py) adds only what differs: the adapter's section, how the
emulator says the adapter is connected, the platform's own commands and how a card reads."""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from qunzhu.core import Context, Text, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import Clock
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.testing import start_app
from tests.platform_app import PlatformApp

__all__ = ["EmulatedApp", "EventsPlugin", "Watch", "started_apps"]

E = TypeVar("E")
S = TypeVar("S")
A = TypeVar("A", bound="EmulatedApp[Any]")


class EmulatedApp(PlatformApp, Generic[E]):
    """A qunzhu App whose adapter (`platform`) talks to the emulator `emu`, on a SQLite file in
    `workdir`; `adapter` options go into its section, `config` over the whole config."""

    def __init__(
        self,
        workdir: Path,
        emu: E,
        plugins: Sequence[tuple[str, object]],
        *,
        config: dict[str, Any] | None = None,
        adapter: dict[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.workdir, self.emu, self.plugins = workdir, emu, plugins
        self.config, self.options, self.clock = config or {}, adapter or {}, clock
        self.app: App | None = None

    @abstractmethod
    def section(self) -> dict[str, Any]:
        """The adapter's config section, pointed at the emulator, with `options` over it."""

    @abstractmethod
    async def connected(self) -> None:
        """Return once the emulator has the adapter's connection."""

    async def start(self) -> Self:
        full: dict[str, Any] = {
            "bot": {"language": "en"},
            "database": {"url": f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"},
            "adapters": {self.platform: self.section()},
            "logging": {"level": "WARNING"},
            **self.config,
        }
        self.app = await start_app(self.workdir, full, self.plugins, clock=self.clock)
        await self.connected()
        return self


@asynccontextmanager
async def started_apps(new: Callable[..., A]) -> AsyncIterator[Callable[..., Awaitable[A]]]:
    """A ``make_app`` fixture's body: ``await make(**options)`` starts ``new(**options)``; every
    App so started is stopped when the test ends."""
    apps: list[A] = []

    async def make(**options: Any) -> A:
        app = new(**options)
        apps.append(app)
        return await app.start()

    try:
        yield make
    finally:
        for app in apps:
            await app.stop()


class EventsPlugin:
    """Commands, a card, and a hook for messages and presses; a platform's test plugin sets
    `platform` and adds its own commands (`more_commands`)."""

    platform: ClassVar[str]

    def __init__(self) -> None:
        self.asked: int | None = None
        self.downloads: list[bytes] = []
        self.texts: list[tuple[str, str | None, tuple[str, ...]]] = []

    def more_commands(self) -> list[Command]:
        return []

    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        platform = self.platform

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

        @command("notify", help="Send to a group by id")
        async def notify(ctx: Context, chat_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef(platform, chat_id, ChatKind.GROUP))

        @command("remind", help="Mention people")
        async def remind(ctx: Context, ids: Text) -> None:
            mentions = tuple(f"{platform}:{i}" for i in ids.split())
            await ctx.reply(Reply("请提交周报", mentions=mentions))

        return [echo, ask, *self.more_commands(), notify, remind]

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


class SentLog(Protocol[S]):
    """What `Watch` needs of an emulator: what the bot made appear in a chat."""

    def in_chat(self, chat: Any) -> list[S]: ...

    async def wait_sent(self, chat: Any, count: int, timeout: float = 5.0) -> list[S]: ...


class Watch(Generic[S]):
    """What the bot sent to each chat since the test last looked: ``await watch.new(chat)``
    waits for at least one new message there, then until the chat has been quiet for `quiet`
    seconds (a text and its card may arrive as two), and returns them."""

    def __init__(self, emu: SentLog[S], quiet: float = 0.2) -> None:
        self.emu, self.quiet = emu, quiet
        self.seen: dict[str, int] = {}

    async def new(self, chat: Any, timeout: float = 5.0) -> list[S]:
        """`chat`: an emulator's group (its ``chatid``) or person (its ``userid``)."""
        key = chat.chatid if hasattr(chat, "chatid") else chat.userid
        start = self.seen.get(key, 0)
        await self.emu.wait_sent(chat, start + 1, timeout=timeout)
        count = -1
        while count != len(self.emu.in_chat(chat)):
            count = len(self.emu.in_chat(chat))
            await asyncio.sleep(self.quiet)
        self.seen[key] = count
        return self.emu.in_chat(chat)[start:count]
