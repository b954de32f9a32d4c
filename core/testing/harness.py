"""`BotHarness`: a real App (real plugins, dispatcher, database) driven from test code.

async def test_hello(bot):
    replies = await bot.send("/help", user="ana", chat="village-3")
    assert "Commands you can use" in replies[0].text
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from qunzhu.core.app import App
from qunzhu.core.clock import FakeClock
from qunzhu.core.config import Settings, load_config
from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ButtonPress,
    ChatKind,
    ChatRef,
    Event,
    ForwardOrigin,
    Location,
    MemberChange,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.testing.memory import MemoryAdapter, Reacted, Sent

if TYPE_CHECKING:
    from qunzhu.core.testing.web import WebBrowser

__all__ = ["BotHarness"]


class BotHarness:
    """Build with `BotHarness.create`; close with `await bot.close()` (the fixture does)."""

    def __init__(
        self,
        *,
        workdir: Path,
        config: dict[str, Any],
        plugins: Sequence[object],
        clock: FakeClock,
        entry_points: bool = False,
    ) -> None:
        self.workdir = workdir
        self.config = config
        self.plugin_objects = list(plugins)
        self.clock = clock
        self.entry_points = entry_points
        self._event_ids = itertools.count(1)
        #: The latest event handed to the bot (its ``event_id`` names the message to react to).
        self.last_event: Event | None = None
        self._browsers: list[WebBrowser] = []
        self.app: App
        self.adapter: MemoryAdapter

    @classmethod
    async def create(
        cls,
        *,
        workdir: Path,
        config: dict[str, Any] | None = None,
        plugins: Sequence[object] = (),
        clock: FakeClock | None = None,
        entry_points: bool = False,
    ) -> BotHarness:
        bot = cls(
            workdir=workdir,
            config=config or {},
            plugins=plugins,
            clock=clock or FakeClock(),
            entry_points=entry_points,
        )
        await bot._boot(create_tables=True)
        return bot

    async def _boot(self, *, create_tables: bool) -> None:
        pm = load_plugins(
            self.plugin_objects,
            entry_points_enabled=self.entry_points,
            disabled=self.config.get("disabled_plugins", ()),
        )
        plugins = PluginSet.collect(pm)
        settings = self._settings(plugins)
        previous = getattr(self, "adapter", None)
        self.adapter = MemoryAdapter(clock=self.clock)
        if previous is not None:  # what the platform showed before a restart is still there
            self.adapter.sent, self.adapter._ids = previous.sent, previous._ids
            self.adapter.reactions = previous.reactions
            self.adapter.files = previous.files
        self.app = App.build(settings, plugins, clock=self.clock, adapters={"memory": self.adapter})
        await self.app.start(create_tables=create_tables)
        self.clock.settle = self.app.settle
        await self.app.settle()  # every timer armed before the test moves the clock

    def _settings(self, plugins: PluginSet) -> Settings:
        raw = {k: v for k, v in self.config.items() if k != "disabled_plugins"}
        raw.setdefault("database", {}).setdefault(
            "url", f"sqlite+aiosqlite:///{self.workdir / 'bot.db'}"
        )
        raw["adapters"] = {}
        path = self.workdir / "qunzhu.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return load_config(path, plugin_models=plugins.section_models(), adapter_models={})

    async def restart(self, *, downtime: timedelta | None = None) -> None:
        """Stop the bot and start a new one on the same database; with `downtime`, the clock
        moves on while the bot is down (jobs missed meanwhile follow their misfire rule)."""
        await self.app.stop()
        if downtime is not None:
            self.clock.set(self.clock.now() + downtime)
        await self._boot(create_tables=True)  # creates only what is missing

    async def web_link(self, user: str) -> str:
        """The link the bot gives `user` for ``/web`` in their private chat."""
        [sent] = await self.send("/web", user=user)
        urls = [b.url for b in sent.reply.flat_buttons if b.url]
        if not urls:
            msg = f"/web gave {user} no link: {sent.text}"
            raise AssertionError(msg)
        return urls[0]

    async def open_console(self, user: str) -> WebBrowser:
        """A browser in which `user` opened their ``/web`` link (closed with the bot)."""
        from qunzhu.core.testing.web import WebBrowser

        browser = WebBrowser(self)
        self._browsers.append(browser)
        await browser.open_link(await self.web_link(user))
        return browser

    async def close(self) -> None:
        for browser in self._browsers:
            await browser.close()
        await self.app.stop()

    # -- people and chats ----------------------------------------------------------------------
    def user(self, name: str, *, lang: str | None = None) -> UserRef:
        return UserRef("memory", name, name, lang)

    def group(self, name: str) -> ChatRef:
        return ChatRef("memory", name, ChatKind.GROUP, name)

    def dm(self, name: str) -> ChatRef:
        return ChatRef("memory", f"dm:{name}", ChatKind.DIRECT, name)

    def _who(self, user: str | UserRef, lang: str | None) -> UserRef:
        return user if isinstance(user, UserRef) else self.user(user, lang=lang)

    def _where(self, chat: str | ChatRef | None, user: UserRef) -> ChatRef:
        if isinstance(chat, ChatRef):
            return chat
        return self.dm(user.user_id) if chat is None else self.group(chat)

    # -- talking -------------------------------------------------------------------------------
    async def feed(self, event: Event) -> list[Sent]:
        """Hand any event to the bot, wait until it is handled, return what the bot sent."""
        before = len(self.adapter.sent)
        self.last_event = event
        await self.app.receive(event)
        await self.app.settle()
        return self.adapter.sent[before:]

    def next_id(self) -> str:
        return f"e{next(self._event_ids)}"

    async def send(
        self,
        text: str = "",
        *,
        user: str | UserRef = "ana",
        chat: str | ChatRef | None = None,
        lang: str | None = None,
        photos: Sequence[str] = (),
        location: tuple[float, float] | Location | None = None,
        reply_to: str | None = None,
        mentions: Sequence[str] = (),
        edit_of: str | None = None,
        album: str | None = None,
        forwarded_from: ForwardOrigin | None = None,
    ) -> list[Sent]:
        """A message from `user` in `chat` (a group name; None = the user's private chat); with
        `edit_of`, an edit of the message with that event id. Parts of an `album` wait for the
        rest: ``await bot.advance(1)`` hands them over. `forwarded_from`: `user` forwards it
        (see `origin`)."""
        who = self._who(user, lang)
        loc = Location(*location) if isinstance(location, tuple) else location
        atts = tuple(
            Attachment(AttachmentKind.PHOTO, ref, "image/jpeg", caption=text) for ref in photos
        )
        msg = Message(
            self.next_id(),  # an edit is an event of its own, as adapters deliver it
            self._where(chat, who),
            who,
            text,
            atts,
            loc,
            reply_to,
            tuple(mentions),
            self.clock.now(),
            None,
            edit_of is not None,
            edit_of,
            album,
            forwarded_from,
        )
        return await self.feed(msg)

    def origin(self, user: str | None = None, *, name: str = "") -> ForwardOrigin:
        """The origin of a message forwarded from `user` (a user id, shown as `name`), or,
        without `user`, from a person who hides their account and shows only `name`."""
        if user is None:
            return ForwardOrigin(name, None, "hidden")
        who = UserRef("memory", user, name or user)
        return ForwardOrigin(who.name, who, "user")

    async def press(
        self, sent: Sent, button: str | int, *, user: str | UserRef = "ana", lang: str | None = None
    ) -> list[Sent]:
        who = self._who(user, lang)
        data = sent.button(button).data
        return await self.feed(
            ButtonPress(self.next_id(), sent.chat, who, sent.message_id, data, self.clock.now())
        )

    async def react(
        self,
        target: str,
        key: str = "👍",
        *,
        user: str | UserRef = "ana",
        chat: str | ChatRef | None = None,
        removed: bool = False,
    ) -> list[Sent]:
        who = self._who(user, None)
        return await self.feed(
            Reaction(
                self.next_id(), self._where(chat, who), who, target, key, removed, self.clock.now()
            )
        )

    async def join(self, user: str, chat: str, *, left: bool = False) -> list[Sent]:
        who = self.user(user)
        return await self.feed(
            MemberChange(
                self.next_id(),
                self.group(chat),
                who,
                who,
                "left" if left else "joined",
                self.clock.now(),
            )
        )

    async def advance(self, delta: timedelta | float) -> list[Sent]:
        """Move the clock; returns what the bot sent meanwhile (retries, jobs)."""
        before = len(self.adapter.sent)
        await self.clock.advance(delta)
        await self.app.settle()
        return self.adapter.sent[before:]

    # -- looking -------------------------------------------------------------------------------
    @property
    def sent(self) -> list[Sent]:
        return self.adapter.sent

    def sent_to(self, chat: str | ChatRef) -> list[Sent]:
        key = chat.chat_id if isinstance(chat, ChatRef) else chat
        return [s for s in self.adapter.sent if s.chat.chat_id == key]

    @property
    def reactions(self) -> list[Reacted]:
        """Every reaction the bot put or took back, in order."""
        return self.adapter.reactions

    def reactions_on(self, target: str | Event | None = None) -> list[str]:
        """The bot's reactions now on a message (an event id, or an event; default: the latest
        event handed to the bot), in the order they were put."""
        if target is None:
            target = self.last_event
        if target is None:
            msg = "no event was handed to the bot yet"
            raise LookupError(msg)
        where = target if isinstance(target, str) else target.event_id
        keys: list[str] = []
        for r in self.adapter.reactions:
            if r.target != where:
                continue
            if r.removed:
                if r.key in keys:
                    keys.remove(r.key)
            elif r.key not in keys:
                keys.append(r.key)
        return keys
