"""The WeCom adapter under test: a real qunzhu App (real dispatcher, SQLite, outbox, sender) whose
WeCom adapter talks to the emulator over a loopback WebSocket, and a small plugin that uses
every kind of event (what WeCom and DingTalk share: tests/support/emulated_app.py)."""

from __future__ import annotations

from typing import Any

from qunzhu.adapters.wecom.adapter import WecomAdapter
from qunzhu.core import Context, Text, command
from qunzhu.core.commands import Command
from qunzhu.core.model._reply import Button, Reply
from tests.adapters.wecom.emulator import Sent, WecomEmulator
from tests.support import emulated_app


class WecomTest(emulated_app.EventsPlugin):
    """Commands, a card, and a hook for messages and presses; a photo and eight buttons."""

    platform = "wecom"

    def __init__(self) -> None:
        super().__init__()
        #: The photo `/photo` answers with.
        self.photo = ""

    def more_commands(self) -> list[Command]:
        @command("photo", help="Answer with a photo")
        async def photo(ctx: Context, text: Text) -> None:
            await ctx.reply(Reply(text, photo=self.photo))

        @command("many", help="Eight buttons")
        async def many(ctx: Context) -> None:
            await ctx.reply(
                Reply("类别").with_buttons(*[Button(f"类{i}", data=f"t:c{i}") for i in range(8)])
            )

        return [photo, many]


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


class WecomApp(emulated_app.EmulatedApp[WecomEmulator]):
    """A qunzhu App with the WeCom adapter pointed at `emu`, on a SQLite file in `workdir`."""

    platform = "wecom"

    @property
    def adapter(self) -> WecomAdapter:
        adapter = self.running.adapters["wecom"]
        assert isinstance(adapter, WecomAdapter)
        return adapter

    def section(self) -> dict[str, Any]:
        return wecom_section(self.emu, **self.options)

    async def connected(self) -> None:
        await self.emu.subscribed()


class Watch(emulated_app.Watch[Sent]):
    __doc__ = emulated_app.Watch.__doc__

    @staticmethod
    def card(sent: list[Sent]) -> Sent:
        """The (last) card among `sent`."""
        return [s for s in sent if s.kind == "template_card"][-1]

    @staticmethod
    def texts(sent: list[Sent]) -> list[str]:
        return [s.text for s in sent if s.kind != "template_card"]
