"""The Matrix adapter under test: a real qunzhu App (real plugins, dispatcher, SQLite, outbox,
sender) whose Matrix adapter talks to a real Synapse, and a plugin with the shapes of scenario
1.2 (a private report: text, then a photo, a location, a numbered choice, and a confirmation),
of scenario 3.4 (an order: how many kilos, typed), plus a hook for every kind of event."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from qunzhu.adapters.matrix.adapter import MatrixAdapter
from qunzhu.core import Choice, Context, Dialog, Expect, Location, Step, Text, command, hookimpl
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef, MemberChange, Reaction
from qunzhu.core.model._reply import Button, Reply
from qunzhu.core.storage._tables import InboxRow
from qunzhu.core.testing import start_app
from tests.platform_app import PlatformApp

CATEGORIES = [Choice("垃圾", "garbage"), Choice("道路", "roads"), Choice("其他", "other")]
ANONYMOUS = [Choice("实名", "named"), Choice("匿名", "anonymous")]


class MxTest:
    """Scenario 1.2's shapes as a test plugin, and a hook for every kind of event."""

    def __init__(self, photo: Path | None = None) -> None:
        self.photo = str(photo) if photo else None
        self.handled: list[str] = []
        self.tickets: list[dict[str, Any]] = []
        self.downloads: list[bytes] = []
        self.asked: int | None = None
        self.post_row: int | None = None

    # -- the report dialog (scenario 1.2) ------------------------------------------------------
    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        return [
            Dialog(
                "report",
                (
                    Step("photo", "请发一张现场照片。", Expect.PHOTO, optional=True),
                    Step(
                        "location",
                        "在哪里？请发送位置或输入地址。",
                        Expect.LOCATION,
                        allow_address=True,
                    ),  # fmt: skip
                    Step("category", "属于哪一类？", Expect.CHOICE, choices=CATEGORIES),
                    Step("anonymous", "是否匿名？", Expect.CHOICE, choices=ANONYMOUS),
                ),
                self._filed,
            ),
            Dialog(
                "order",
                (
                    Step("kilos", "要订购多少斤？", Expect.NUMBER),
                    Step("note", "备注？", optional=True),
                ),
                self._ordered,
            ),
        ]

    async def _ordered(self, ctx: Context, answers: dict[str, Any]) -> None:
        await ctx.send(f"订购 {answers['kilos']} 斤，备注：{answers['note']}")

    async def _filed(self, ctx: Context, answers: dict[str, Any]) -> None:
        number = f"Q-2026-{len(self.tickets) + 1:04d}"
        photos = answers.get("photo") or ()
        data = [await ctx.download(p) for p in photos]
        self.downloads += data
        where = answers["location"]
        place = (
            f"{where.latitude:.4f},{where.longitude:.4f} {where.address}".strip()
            if isinstance(where, Location)
            else str(where)
        )
        self.tickets.append({"number": number, "photo_bytes": sum(map(len, data)), **answers})
        await ctx.reply(
            f"已登记 {number}：{answers['description']} / {answers['category']} / "
            f"{answers['anonymous']} / {place} / {len(photos)} 张照片 {sum(map(len, data))} 字节"
        )

    # -- commands ------------------------------------------------------------------------------
    @hookimpl
    def register_commands(self) -> Sequence[Command]:
        @command("echo", help="Say it back")
        async def echo(ctx: Context, text: Text) -> None:
            await ctx.reply(text)

        @command("ask", help="Ask with buttons")
        async def ask(ctx: Context) -> None:
            row = await ctx.reply(
                Reply("Pick one").with_buttons(
                    [Button("Yes", data="mx:yes"), Button("No", data="mx:no")],
                    [Button("Docs", url="https://example.org/?a=1&b=<2>")],
                )
            )
            self.asked = row.id

        @command("post", help="A photo post")
        async def post(ctx: Context) -> None:
            reply = Reply("鮰鱼 <特价> & 新鲜", photo=self.photo).with_buttons(
                Button("我要订购", data="mx:order")
            )
            row = await ctx.reply(reply)
            self.post_row = row.id

        @command("remind", help="Mention people")
        async def remind(ctx: Context, ids: Text) -> None:
            mentions = tuple(f"matrix:{i}" for i in ids.split())
            await ctx.reply(Reply("请 <b>提交</b> 周报", mentions=mentions))

        @command("order", help="Order (a dialog with a number question)")
        async def order(ctx: Context) -> None:
            await ctx.start_dialog("order")

        @command("dm", help="Write to me privately")
        async def dm(ctx: Context) -> None:
            await ctx.send_direct(ctx.sender, "你好，这是私聊。")

        @command("tell", help="Send to a room by id")
        async def tell(ctx: Context, room_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("matrix", room_id, ChatKind.GROUP))

        return [echo, ask, post, remind, order, dm, tell]

    # -- events --------------------------------------------------------------------------------
    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        msg = ctx.message
        assert msg is not None
        self.handled.append(msg.text)
        if msg.edited:
            await ctx.reply(f"edited {msg.edit_of}: {msg.text}")
        elif msg.chat.is_direct and not msg.attachments and not msg.location:
            await ctx.start_dialog("report", initial={"description": msg.text})
        elif msg.reply_to:
            await ctx.reply(f"reply to {msg.reply_to}: {msg.text}")
        elif msg.attachments:
            data = [await ctx.download(a) for a in msg.attachments]
            self.downloads += data
            size = sum(len(d) for d in data)
            kind = msg.attachments[0].kind
            await ctx.reply(f"{len(data)} {kind} {size} bytes: {msg.text}")
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
        self.handled.append(f"button {press.data}")
        if press.data == "mx:yes" and self.asked is not None:
            await ctx.edit(self.asked, "Answered: yes")
        elif press.data == "mx:order" and self.post_row is not None:
            await ctx.edit(self.post_row, Reply("已售罄", photo=self.photo))
        await ctx.send(f"pressed {press.data} by {ctx.sender.name} under {press.message_id}")

    @hookimpl
    async def on_reaction(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, Reaction)
        self.handled.append(f"reaction {event.key}")
        await ctx.send(f"reaction {event.key} on {event.target_id} removed={event.removed}")

    @hookimpl
    async def on_member_change(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberChange)
        if not event.user.is_bot:
            await ctx.send(f"{event.user.name} {event.change}")


class MatrixApp(PlatformApp):
    """A qunzhu App with the Matrix adapter logged in at `homeserver` as `user_id`; `adapter`
    options go into its section, `config` over the whole config."""

    platform = "matrix"

    def __init__(
        self,
        workdir: Path,
        plugin: object,
        *,
        homeserver: str,
        user_id: str,
        password: str,
        adapter: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self.workdir = workdir
        self.config = config or {}
        self.plugin = plugin
        self.homeserver = homeserver
        self.user_id = user_id
        self.password = password
        self.options = adapter or {}
        self.app = None

    @property
    def adapter(self) -> MatrixAdapter:
        adapter = self.running.adapters["matrix"]
        assert isinstance(adapter, MatrixAdapter)
        return adapter

    async def start(self) -> MatrixApp:
        matrix = {
            "homeserver": self.homeserver,
            "user_id": self.user_id,
            "password": self.password,
            "device_name": "qunzhu-test",
            "sync_timeout": 10,
            "backoff": 0.1,
            "backoff_max": 1.0,
            "limits": {"messages": 1000, "per_seconds": 1},
            "store_path": str(self.workdir / "matrix-store"),
            **self.options,
        }
        config: dict[str, Any] = {
            "bot": {"language": "zh_Hans"},
            "database": {"url": f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"},
            "adapters": {"matrix": matrix},
            "outbox": {"backoff": 0.1, "backoff_max": 1.0},
            "logging": {"level": "WARNING"},
            **self.config,
        }
        self.app = await start_app(self.workdir, config, [("mxtest", self.plugin)])
        return self

    async def synced(self) -> None:
        """Wait until the adapter has finished at least one more sync round."""
        syncer = self.adapter.syncer
        assert syncer is not None
        from tests.adapters.matrix.person import wait_for

        target = syncer.rounds + 1

        async def rounds() -> int:
            return syncer.rounds

        await wait_for(rounds, lambda n: n >= target)

    async def payload(self, event_id: str) -> dict[str, Any]:
        """What the inbox recorded for the event `event_id`."""
        async with self.running.db.session() as s:
            row = await s.scalar(select(InboxRow).where(InboxRow.event_id == event_id))
            assert row is not None, f"{event_id} was not recorded"
            return dict(row.payload)
