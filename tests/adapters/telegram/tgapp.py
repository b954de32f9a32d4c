"""The Telegram adapter under test: a real qunzhu App (real plugins, dispatcher, SQLite, outbox,
sender) whose Telegram adapter talks to the emulator over aiogram's HTTP client, and a small
plugin that uses every kind of event."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qunzhu.adapters.telegram.adapter import TelegramAdapter
from qunzhu.adapters.telegram.emulator import Chat, TelegramEmulator, User
from qunzhu.core import Context, Text, command, hookimpl
from qunzhu.core.app import App
from qunzhu.core.clock import Clock
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef, MemberChange, Reaction
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.testing import start_app
from tests.platform_app import PlatformApp

TOKEN = "123456:TEST"


class TgTest:
    """Commands, a button, a photo post, and a hook for every kind of event."""

    def __init__(self, photo: Path | None = None) -> None:
        self.photo = str(photo) if photo else None
        self.asked: int | None = None
        self.post_row: int | None = None
        self.targets: list[ChatRef] = []
        self.downloads: list[bytes] = []

    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        @command("echo", help="Say it back")
        async def echo(ctx: Context, text: Text) -> None:
            await ctx.reply(text)

        @command("ask", help="Ask with a button")
        async def ask(ctx: Context) -> None:
            row = await ctx.reply(
                Reply("Pick one").with_buttons(
                    [Button("Yes", data="tgtest:yes"), Button("Docs", url="https://example.org")]
                )
            )
            self.asked = row.id

        @command("post", help="A photo post")
        async def post(ctx: Context) -> None:
            row = await ctx.reply(self.post_reply("鮰鱼 <特价> & 新鲜"))
            self.post_row = row.id

        @command("burst", help="A post to every target")
        async def burst(ctx: Context) -> None:
            for chat in self.targets:
                await ctx.send(self.post_reply("今日特价"), chat=chat, batch="burst")

        @command("notify", help="Send to a chat by id")
        async def notify(ctx: Context, chat_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("telegram", chat_id, ChatKind.GROUP))

        @command("remind", help="Mention people", aliases=["提醒"])
        async def remind(ctx: Context, ids: Text) -> None:
            mentions = tuple(f"telegram:{i}" for i in ids.split())
            await ctx.reply(Reply("请 Ana 提交周报 <今天>", mentions=mentions))

        return [echo, ask, post, burst, notify, remind]

    def post_reply(self, text: str) -> Reply:
        return Reply(text, photo=self.photo).with_buttons(
            [Button("我要订购", data="tgtest:order"), Button("联系卖家", url="https://example.org")]
        )

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        assert msg is not None
        if msg.edited:
            await ctx.reply(f"edited {msg.edit_of}: {msg.text}")
        elif (origin := msg.forwarded_from) is not None:
            who = origin.user.key if origin.user is not None else "-"
            await ctx.reply(f"forwarded by {ctx.sender.name} from {origin.kind} {origin.name} "
                            f"({who}, {len(msg.attachments)} photo): {msg.text}")  # fmt: skip
        elif msg.attachments:
            data = [await ctx.download(a) for a in msg.attachments]
            self.downloads += data
            sizes = sum(len(d) for d in data)
            await ctx.reply(f"{len(data)} {msg.attachments[0].kind} {sizes} bytes: {msg.text}")
        elif msg.location is not None:
            loc = msg.location
            await ctx.reply(f"location {loc.latitude:.4f},{loc.longitude:.4f} {loc.address}")
        elif msg.mentions:
            await ctx.reply("mentions " + " ".join(msg.mentions))
        elif msg.text.startswith("n "):
            await ctx.reply(f"ok {msg.text}")

    @hookimpl
    async def on_button(self, ctx: Context) -> None:
        press = ctx.button
        assert press is not None
        if press.data == "tgtest:yes" and self.asked is not None:
            await ctx.edit(self.asked, "Answered: yes")
        elif press.data == "tgtest:order" and self.post_row is not None:
            await ctx.edit(self.post_row, Reply("已售罄", photo=self.photo))
        await ctx.send(f"pressed {press.data} by {ctx.sender.name} under {press.message_id}")

    @hookimpl
    async def on_reaction(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, Reaction)
        await ctx.send(f"reaction {event.key} on {event.target_id} removed={event.removed}")

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberChange)
        if not event.user.is_bot:  # the bot itself added or removed: nothing to say there
            await ctx.send(f"{event.user.name} {event.change}")


class TelegramApp(PlatformApp):
    """A qunzhu App with the Telegram adapter pointed at `tg`, on a SQLite file in `workdir`."""

    platform = "telegram"

    def __init__(
        self,
        workdir: Path,
        tg: TelegramEmulator,
        plugin: object,
        *,
        adapter: dict[str, Any] | None = None,
        web_port: int | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.workdir = workdir
        self.config = config or {}
        self.tg = tg
        self.plugin = plugin
        self.options = adapter or {}
        self.web_port = web_port
        self.app = None

    @property
    def adapter(self) -> TelegramAdapter:
        adapter = self.running.adapters["telegram"]
        assert isinstance(adapter, TelegramAdapter)
        return adapter

    async def start(self) -> TelegramApp:
        telegram = {
            "token": TOKEN,
            "api_base": self.tg.api_base,
            "poll_timeout": 2,
            "album_wait": 0.3,
            "limits": {"scale": 1000},  # as the emulator's: tests about limits set their own
            **self.options,
        }
        config: dict[str, Any] = {
            "bot": {"language": "en"},
            "database": {"url": f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"},
            "adapters": {"telegram": telegram},
            "logging": {"level": "WARNING"},
            **self.config,
        }
        if self.web_port is not None:
            config["web"] = {"enabled": True, "host": "127.0.0.1", "port": self.web_port}
        self.app = await start_app(self.workdir, config, [("tgtest", self.plugin)])
        return self


async def plugin_app(
    workdir: Path,
    tg: TelegramEmulator,
    plugins: Sequence[tuple[str, object]],
    config: dict[str, Any],
    *,
    clock: Clock | None = None,
    limits: dict[str, Any] | None = None,
) -> App:
    """A started App running the real `plugins` with `config` (the YAML as a dict, without the
    adapter and the database) on Telegram through `tg`; stop it with ``await app.stop()``."""
    telegram = {
        "token": TOKEN,
        "api_base": tg.api_base,
        "poll_timeout": 2,
        "album_wait": 0.3,
        "limits": limits or {"scale": 1000},
    }
    full = {
        "database": {"url": f"sqlite+aiosqlite:///{workdir / 'bot.db'}"},
        "adapters": {"telegram": telegram},
        "logging": {"level": "WARNING"},
        **config,
    }
    return await start_app(workdir, full, plugins, clock=clock)


class Watch:
    """What the bot sent to each chat since the test last looked: ``await watch.new(chat, 2)``
    waits for the next two messages there and returns them."""

    def __init__(self, tg: TelegramEmulator) -> None:
        self.tg = tg
        self.seen: dict[int, int] = {}

    async def new(self, chat: Chat, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        start = self.seen.get(chat.id, 0)
        sent = await self.tg.wait_sent(chat, start + count, timeout=timeout)
        self.seen[chat.id] = start + count
        return sent[start : start + count]

    def unseen(self, chat: Chat) -> list[dict[str, Any]]:
        """The messages sent there that the test has not looked at (yet)."""
        return self.tg.sent(chat)[self.seen.get(chat.id, 0) :]


def labels(message: dict[str, Any]) -> list[list[str]]:
    """The inline keyboard's button texts, row by row."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[b["text"] for b in row] for row in rows]


def press(tg: TelegramEmulator, user: User, message: dict[str, Any], label: str) -> str:
    """`user` presses the button whose text contains `label`; returns the callback query's id."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    button = next(b for row in rows for b in row if label in b["text"])
    return str(tg.press(user, message, button["callback_data"])["id"])
