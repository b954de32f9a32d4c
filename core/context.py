"""`Context`: everything a handler gets for one event, as seen by one plugin.

A handler's database work (``ctx.db``) and everything it sends (``ctx.reply``, ``ctx.send``)
form one unit: the replies are delivered after the handler returns and its transaction commits;
if the handler raises, its writes are rolled back and nothing it queued is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.clock import Clock
from qunzhu.core.events import Attachment, ButtonPress, ChatRef, Event, Message, UserRef
from qunzhu.core.i18n import Translator
from qunzhu.core.people import Person
from qunzhu.core.reply import Reply

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["Context", "Outgoing"]

Outgoing = tuple[ChatRef, Reply]


class Context:
    """Given to every handler. Ask for it by naming a parameter ``ctx``."""

    __slots__ = ("_after_commit", "_db", "app", "event", "outgoing", "person", "plugin", "t")

    def __init__(self, app: App, event: Event, plugin: str, person: Person, t: Translator) -> None:
        self.app = app
        self.event = event
        self.plugin = plugin
        self.person = person
        #: The translator for this person's language in the plugin's catalog: ``ctx.t("Hi")``.
        self.t = t
        self.outgoing: list[Outgoing] = []
        self._db: AsyncSession | None = None
        self._after_commit: list[Callable[[], Awaitable[None] | None]] = []

    # -- what happened -------------------------------------------------------------------------
    @property
    def chat(self) -> ChatRef:
        return self.event.chat

    @property
    def sender(self) -> UserRef:
        return self.event.sender

    @property
    def message(self) -> Message | None:
        """The event when it is a `Message`, else None."""
        return self.event if isinstance(self.event, Message) else None

    @property
    def button(self) -> ButtonPress | None:
        return self.event if isinstance(self.event, ButtonPress) else None

    @property
    def lang(self) -> str:
        return self.t.lang

    # -- services ------------------------------------------------------------------------------
    @property
    def config(self) -> Any:
        """This plugin's validated config, with the chat's overrides applied (None if it has
        no config model)."""
        return self.app.settings.plugin_config(self.plugin, self.chat.key)

    @property
    def clock(self) -> Clock:
        return self.app.clock

    def now(self) -> datetime:
        return self.app.clock.now()

    @property
    def db(self) -> AsyncSession:
        """An async session, opened on first use, committed when the handler returns."""
        if self._db is None:
            self._db = self.app.db.session()
        return self._db

    @property
    def uses_db(self) -> bool:
        return self._db is not None

    def after_commit(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        """Run `callback` once the handler's transaction has committed."""
        self._after_commit.append(callback)

    # -- answering -----------------------------------------------------------------------------
    async def reply(self, reply: str | Reply, **kwargs: Any) -> None:
        """Answer in the same chat, as a reply to the event (text or a `Reply`)."""
        out = Reply.of(reply, **kwargs)
        if out.reply_to is None and isinstance(self.event, Message):
            out = _with_reply_to(out, self.event.event_id)
        self.outgoing.append((self.chat, out))

    async def send(self, reply: str | Reply, chat: ChatRef | None = None, **kwargs: Any) -> None:
        """Send to `chat` (default: this chat), not as a reply."""
        self.outgoing.append((chat or self.chat, Reply.of(reply, **kwargs)))

    async def send_direct(self, user: UserRef, reply: str | Reply, **kwargs: Any) -> ChatRef:
        """Send to the private chat with `user`; returns that chat."""
        chat = await self.app.direct_chat(user)
        self.outgoing.append((chat, Reply.of(reply, **kwargs)))
        return chat

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of an attachment, fetched from the platform."""
        return await self.app.adapter_for(self.chat.platform).download(attachment)

    async def start_dialog(
        self,
        name: str,
        *,
        chat: ChatRef | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        """Start the dialog `name` (``plugin.dialog`` or a name this plugin registered) with the
        sender, in `chat` (default: this chat; pass ``await ctx.direct_chat()`` for private)."""
        await self.app.dialogs.start(self, name, chat=chat or self.chat, initial=initial or {})

    async def direct_chat(self) -> ChatRef:
        """The private chat between the bot and the sender."""
        return await self.app.direct_chat(self.sender)

    # -- used by the dispatcher ----------------------------------------------------------------
    async def commit(self) -> None:
        if self._db is not None:
            await self._db.commit()
            await self._db.close()
        for callback in self._after_commit:
            result = callback()
            if result is not None:
                await result

    async def rollback(self) -> None:
        self.outgoing.clear()
        self._after_commit.clear()
        if self._db is not None:
            await self._db.rollback()
            await self._db.close()


def _with_reply_to(reply: Reply, event_id: str) -> Reply:
    return Reply(reply.text, reply.photo, reply.buttons, event_id, reply.silent, reply.mentions)
