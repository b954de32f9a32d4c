"""The DingTalk adapter under test: a real qunzhu App (real dispatcher, SQLite, outbox, sender)
whose DingTalk adapter talks to the emulator over loopback (HTTP and a WebSocket), and a small
plugin that uses every kind of event."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qunzhu.adapters.dingtalk.adapter import DingtalkAdapter
from qunzhu.core import Context, Text, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import Clock
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.testing import start_app
from tests.adapters.dingtalk.emulator import DingtalkEmulator, Group, Person, Sent
from tests.platform_app import PlatformApp


class DingtalkTest:
    """Commands, a card, and a hook for messages and presses."""

    def __init__(self) -> None:
        self.asked: int | None = None
        self.downloads: list[bytes] = []
        self.texts: list[tuple[str, str | None, tuple[str, ...]]] = []

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

        @command("notify", help="Send to a group by id")
        async def notify(ctx: Context, chat_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("dingtalk", chat_id, ChatKind.GROUP))

        @command("tell", help="Send to a person by id")
        async def tell(ctx: Context, user_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("dingtalk", user_id, ChatKind.DIRECT))

        @command("remind", help="Mention people")
        async def remind(ctx: Context, ids: Text) -> None:
            mentions = tuple(f"dingtalk:{i}" for i in ids.split())
            await ctx.reply(Reply("请提交周报", mentions=mentions))

        return [echo, ask, notify, tell, remind]

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


def dingtalk_section(emu: DingtalkEmulator, **options: Any) -> dict[str, Any]:
    return {
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "name": emu.name,
        "api_url": emu.api_url,
        "max_backoff": 0.2,
        "request_timeout": 3,
        "limits": {"scale": 1000},
        **options,
    }


class DingtalkApp(PlatformApp):
    """A qunzhu App with the DingTalk adapter pointed at `emu`, on a SQLite file in `workdir`."""

    platform = "dingtalk"

    def __init__(
        self,
        workdir: Path,
        emu: DingtalkEmulator,
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
    def adapter(self) -> DingtalkAdapter:
        adapter = self.running.adapters["dingtalk"]
        assert isinstance(adapter, DingtalkAdapter)
        return adapter

    async def start(self) -> DingtalkApp:
        full: dict[str, Any] = {
            "bot": {"language": "en"},
            "database": {"url": f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"},
            "adapters": {"dingtalk": dingtalk_section(self.emu, **self.options)},
            "logging": {"level": "WARNING"},
            **self.config,
        }
        self.app = await start_app(self.workdir, full, self.plugins, clock=self.clock)
        await self.emu.connected()
        return self


class Watch:
    """What the robot sent to each chat since the test last looked: ``await watch.new(chat)``
    waits for at least one new message there, then until the chat has been quiet for `quiet`
    seconds, and returns them."""

    def __init__(self, emu: DingtalkEmulator, quiet: float = 0.2) -> None:
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
        return [s for s in sent if s.kind == "card"][-1]

    @staticmethod
    def texts(sent: list[Sent]) -> list[str]:
        return [s.text if s.kind != "card" else s.card_text for s in sent]
