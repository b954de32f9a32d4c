"""The DingTalk adapter under test: a real qunzhu App (real dispatcher, SQLite, outbox, sender)
whose DingTalk adapter talks to the emulator over loopback (HTTP and a WebSocket), and a small
plugin that uses every kind of event (what WeCom and DingTalk share:
tests/support/emulated_app.py)."""

from __future__ import annotations

from typing import Any

from qunzhu.adapters.dingtalk.adapter import DingtalkAdapter
from qunzhu.core import Context, Text, command
from qunzhu.core.commands import Command
from qunzhu.core.model._events import ChatKind, ChatRef
from tests.adapters.dingtalk.emulator import DingtalkEmulator, Sent
from tests.support import emulated_app


class DingtalkTest(emulated_app.EventsPlugin):
    """Commands, a card, and a hook for messages and presses; a message to a person by id."""

    platform = "dingtalk"

    def more_commands(self) -> list[Command]:
        @command("tell", help="Send to a person by id")
        async def tell(ctx: Context, user_id: str, text: Text) -> None:
            await ctx.send(text, chat=ChatRef("dingtalk", user_id, ChatKind.DIRECT))

        return [tell]


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


class DingtalkApp(emulated_app.EmulatedApp[DingtalkEmulator]):
    """A qunzhu App with the DingTalk adapter pointed at `emu`, on a SQLite file in `workdir`."""

    platform = "dingtalk"

    @property
    def adapter(self) -> DingtalkAdapter:
        adapter = self.running.adapters["dingtalk"]
        assert isinstance(adapter, DingtalkAdapter)
        return adapter

    def section(self) -> dict[str, Any]:
        return dingtalk_section(self.emu, **self.options)

    async def connected(self) -> None:
        await self.emu.connected()


class Watch(emulated_app.Watch[Sent]):
    __doc__ = emulated_app.Watch.__doc__

    @staticmethod
    def card(sent: list[Sent]) -> Sent:
        """The (last) card among `sent`."""
        return [s for s in sent if s.kind == "card"][-1]

    @staticmethod
    def texts(sent: list[Sent]) -> list[str]:
        return [s.text if s.kind != "card" else s.card_text for s in sent]
