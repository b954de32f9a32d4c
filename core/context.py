"""`Context`: everything a handler gets for one event, as seen by one plugin.

A handler's database work (``ctx.db``) and everything it sends (``ctx.reply``, ``ctx.send``,
``ctx.edit``, ``ctx.react``: rows in the outbox) are one transaction: they exist together or not
at all. If the handler raises, its writes and its messages are rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.clock import Clock
from qunzhu.core.delivery import _lookups as lookups
from qunzhu.core.delivery._outbox import Outgoing, edit_row, react_row, send_row
from qunzhu.core.dispatch._digest import DigestSection, gather_chat_sections, gather_sections
from qunzhu.core.i18n._catalogs import Translator
from qunzhu.core.model._events import (
    Attachment,
    ButtonPress,
    ChatRef,
    Event,
    JobTick,
    Message,
    Reaction,
    UserRef,
)
from qunzhu.core.model._reply import Reply
from qunzhu.core.org import Org
from qunzhu.core.people import Person, Role, parse_role
from qunzhu.core.plugins import domain_of
from qunzhu.core.scheduling._workdays import WorkCalendar
from qunzhu.core.storage._database import QueuedWrites
from qunzhu.core.storage._inserts import queue_insert

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["Context", "EventClaim"]


class Context:
    """Given to every handler. Ask for it by naming a parameter ``ctx``."""

    __slots__ = (
        "_after_commit",
        "_claim",
        "_inserted",
        "_on_rollback",
        "app",
        "db",
        "event",
        "person",
        "plugin",
        "sent",
        "t",
    )

    def __init__(
        self,
        app: App,
        event: Event | JobTick,
        plugin: str,
        person: Person,
        *,
        t: Translator,
        db: AsyncSession,
        claim: EventClaim | None = None,
    ) -> None:
        self.app = app
        self.event = event
        self.plugin = plugin
        self.person = person
        #: The translator for this person's language in the plugin's catalog: ``ctx.t("Hi")``.
        self.t = t
        #: The database session of this event: committed with the outbox and the inbox mark.
        self.db = db
        #: The messages this handler queued, in order.
        self.sent: list[Outgoing] = []
        self._inserted: list[tuple[Any, dict[str, Any]]] = []
        self._after_commit: list[Callable[[], Any]] = []
        self._on_rollback: list[Callable[[], Any]] = []
        #: Shared by the contexts of every handler of this event (`claim`, `handled_by`).
        self._claim = claim if claim is not None else EventClaim()

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

    # -- one message, one owner ----------------------------------------------------------------
    @property
    def handled_by(self) -> str | None:
        """The plugin that said this event is its own (`claim`), or None: a handler that acts
        on any message (detection, an offer) leaves alone one another plugin took. An answer
        to an open dialog is its plugin's before any ``on_*`` hook runs."""
        return self._claim.by

    def claim(self) -> bool:
        """Say that this event is this plugin's (a report it recorded, an answer to its own
        question), so that the plugins called after it (``handled_by``) leave it alone.
        Whether it is now this plugin's: False when another plugin claimed it first (the
        first claim stands). Undone with the handler's work if the handler fails."""
        if self._claim.by is None:
            self._claim.by = self.plugin
            self.on_rollback(self._unclaim)
        return self._claim.by == self.plugin

    def _unclaim(self) -> None:
        if self._claim.by == self.plugin:
            self._claim.by = None

    # -- services ------------------------------------------------------------------------------
    @property
    def config(self) -> Any:
        """This plugin's validated config, with the chat's overrides applied (None if it has
        no config model)."""
        return self.app.settings.plugin_config(self.plugin, self.chat.key)

    @property
    def org(self) -> Org:
        """The organisation (``org:``): find a unit by key, name or alias, its chain of parents,
        the unit of a chat, the units of a person. The same for every plugin and chat."""
        return self.app.org

    @property
    def clock(self) -> Clock:
        return self.app.clock

    @property
    def calendar(self) -> WorkCalendar:
        """Working days and hours (``calendar:``): deadlines in working time, holidays."""
        return self.app.calendar

    def now(self) -> datetime:
        return self.app.clock.now()

    def insert(self, model: Any, **values: Any) -> dict[str, Any]:
        """Append a row to `model`'s table without making an ORM object: for tables written on
        every message. Written with this handler's transaction, all such rows of a table in one
        statement; returns the row's values, Python-side defaults (``id``) filled in. For a row
        you will change or navigate later, use ``ctx.db.add(Model(...))``."""
        writer, row = queue_insert(self.db, model, values)
        self._inserted.append((writer, row))
        return row

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run `callback` once this event's transaction has committed."""
        self._after_commit.append(callback)

    def on_rollback(self, callback: Callable[[], Any]) -> None:
        """Run `callback` if this handler's work is rolled back (undo in-memory changes)."""
        self._on_rollback.append(callback)

    # -- answering -----------------------------------------------------------------------------
    async def reply(self, reply: str | Reply, **kwargs: Any) -> Outgoing:
        """Answer in the same chat, as a reply to the event (text or a `Reply`)."""
        out = Reply.of(reply, **kwargs)
        if out.reply_to is None and isinstance(self.event, Message):
            out = _with_reply_to(out, self.event.event_id)
        return self._queue(self.chat, out, None)

    async def send(
        self,
        reply: str | Reply,
        chat: ChatRef | None = None,
        *,
        batch: str | None = None,
        **kwargs: Any,
    ) -> Outgoing:
        """Send to `chat` (default: this chat). Returns the `Outgoing` message: its ``id`` lets
        you edit the message later (keep it in your own table); `batch` tags a broadcast."""
        return self._queue(chat or self.chat, Reply.of(reply, **kwargs), batch)

    async def send_direct(self, user: UserRef, reply: str | Reply, **kwargs: Any) -> Outgoing:
        """Send to the private chat with `user`."""
        chat = await self.app.direct_chat(user)
        return self._queue(chat, Reply.of(reply, **kwargs), None)

    async def edit(self, target: Outgoing | int, reply: str | Reply, **kwargs: Any) -> None:
        """Change a message the bot sent or is about to send (the `Outgoing` that ``ctx.send``
        returned, or its id). The edit is delivered after the message itself."""
        edit = await edit_row(self.db, target, Reply.of(reply, **kwargs), plugin=self.plugin)
        if edit is not None:
            self._add(edit)

    async def react(
        self, key: str = "👍", target: str | None = None, *, removed: bool = False
    ) -> Outgoing:
        """React with `key` (an emoji) to the event's message, or to `target` (the event id of a
        message in this chat); `removed` takes the bot's reaction back. Queued like a message:
        after what this handler sent before it, in this handler's transaction.

        The event's message is the message itself (the original, for an edit), the bot's
        message whose button was pressed, or the message a person reacted to. Telegram allows
        only some emoji and one reaction of the bot per message (see docs/telegram.md)."""
        if not key:
            msg = "ctx.react needs an emoji"
            raise ValueError(msg)
        where = target if target is not None else _message_of(self.event)
        return self._add(react_row(self.chat, where, key, removed=removed, plugin=self.plugin))

    def _queue(self, chat: ChatRef, reply: Reply, batch: str | None) -> Outgoing:
        return self._add(send_row(chat, reply, plugin=self.plugin, batch=batch))

    def _add(self, out: Outgoing) -> Outgoing:
        out.queue(self.db, self.app.clock.now())
        self.sent.append(out)
        return out

    async def schedule(
        self,
        job: str,
        *,
        at: datetime | None = None,
        cron: str | None = None,
        every: float | None = None,
        key: str = "",
        chat: ChatRef | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Any:
        """Schedule this plugin's job `job` (declared with ``@job``) once `at` a time or on a
        `cron`/`every` schedule, for `chat` (its ``ctx.chat`` then) and with `payload` (its
        ``ctx.event.payload``). Part of this handler's transaction."""
        return await self.app.scheduler.schedule(
            self, job, at=at, cron=cron, every=every, key=key, chat=chat, payload=payload
        )

    async def unschedule(self, job: str, key: str = "") -> bool:
        """Remove a schedule made with `schedule` (same job and key)."""
        return await self.app.scheduler.cancel(self, job, key)

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of an attachment, fetched from the platform."""
        return await self.app.adapter_for(self.chat.platform).download(attachment)

    # -- what the bot has seen and sent ---------------------------------------------------------
    async def recorded(self, event_id: str, chat: ChatRef | None = None) -> Event | None:
        """An event recorded in `chat` (default: this chat) by its event id, e.g. the message
        ``ctx.message.reply_to`` names; None if the bot never received it."""
        return await lookups.recorded(self.db, chat or self.chat, event_id)

    async def outgoing_for(self, message_id: str, chat: ChatRef | None = None) -> int | None:
        """The id (as ``ctx.send`` returned it) of the bot's message that the platform calls
        `message_id` in `chat` (default: this chat): is this a reply to the bot's prompt?"""
        return await lookups.outgoing_for(self.db, chat or self.chat, message_id)

    async def heard_in_private(self, user: UserRef) -> bool:
        """Whether `user` ever wrote to the bot in private (on Telegram the bot cannot write
        first to someone who never did). Opens no private chat to find out."""
        adapter = self.app.adapters.get(user.platform)
        chat = await adapter.known_direct_chat(user) if adapter is not None else None
        return chat is not None and await lookups.heard_in_private(self.db, chat)

    async def chat_active(self, chat: ChatRef | None = None) -> bool:
        """Whether the bot may still post to `chat` (default: this chat): False once it was
        removed from it or the platform said the chat is gone (see `inactive_chats`)."""
        return await lookups.chat_active(self.db, chat or self.chat)

    async def with_role(self, role: str | Role) -> list[Person]:
        """Everyone holding `role`: ``"supervisor"`` in any scope, ``"member:housing"`` in
        that one. Admins are not implied."""
        wanted = parse_role(role) if isinstance(role, str) else role
        return await self.app.people.with_role(wanted.name, wanted.scope or None)

    async def roles_in_use(self) -> list[Role]:
        """Every role someone holds, with its scope, each once, sorted (to offer as choices)."""
        return await lookups.roles_in_use(self.db)

    async def digest_sections(
        self, people: Sequence[Person], since: datetime
    ) -> dict[int, list[DigestSection]]:
        """What the other plugins add to the digest this plugin sends `people` (their
        ``digest_sections`` hooks; `since`: the previous digest): each person's non-empty
        sections by person id, in plugin order; a person with none is left out."""
        return await gather_sections(self, people, since)

    async def digest_chat_sections(
        self, chats: Sequence[str], since: datetime
    ) -> dict[str, list[DigestSection]]:
        """What the other plugins add to the digest this plugin sends the group `chats` (chat
        keys; their ``digest_chat_sections`` hooks): each chat's non-empty sections by chat
        key, in plugin order; a chat with none is left out."""
        return await gather_chat_sections(self, chats, since)

    def translator(self, lang: str) -> Translator:
        """This plugin's translator in language `lang` (``ctx.t`` is the person's language):
        to write to a group or a person in theirs."""
        return self.app.catalogs.translator(lang, domain_of(self.plugin))

    async def person_of(self, user: UserRef) -> Person:
        """The `Person` behind `user` (the author of a message replied to, a member who joined),
        created on first contact within this handler's transaction. Use it instead of
        ``ctx.app.people.resolve``, which would wait for the write lock this handler's batch
        holds."""
        person, created = await self.app.people.resolve_in(self.db, user)
        if created:
            self.after_commit(lambda: self.app.people.remember(person))
        return person

    async def can_write_privately(self, user: UserRef) -> bool:
        """Whether the bot can write to `user` in private now: always where a bot may write
        first (Matrix, the console); on Telegram only once they have written to it (pressed
        Start). A button that answers in private checks it and, when False, says in the group
        how to start the private chat, instead of a message nobody will receive."""
        adapter = self.app.adapters.get(user.platform)
        if adapter is None:
            return False
        return adapter.writes_first or await self.heard_in_private(user)

    async def start_dialog(
        self, name: str, *, chat: ChatRef | None = None, initial: dict[str, Any] | None = None
    ) -> None:
        """Start the dialog `name` (``plugin.dialog`` or a name this plugin registered) with the
        sender, in `chat` (default: this chat; pass ``await ctx.direct_chat()`` for private)."""
        await self.app.dialogs.start(self, name, chat=chat or self.chat, initial=initial or {})

    async def direct_chat(self) -> ChatRef:
        """The private chat between the bot and the sender."""
        return await self.app.direct_chat(self.sender)

    # -- used by the dispatcher ----------------------------------------------------------------
    def committed(self) -> None:
        if self.sent:
            self.app.outbox_committed(self.sent)
        for callback in self._after_commit:
            callback()

    def rolled_back(self) -> None:
        for callback in reversed(self._on_rollback):
            callback()
        for out in self.sent:
            out.unqueue(self.db)
        if self._inserted:
            queued = QueuedWrites.of(self.db.sync_session)
            for writer, row in self._inserted:
                queued.discard(writer, row)
            self._inserted.clear()
        self._after_commit.clear()
        self._on_rollback.clear()
        self.sent.clear()


class EventClaim:
    """Which plugin took one event (`Context.claim`): one per event, shared by the contexts
    the dispatcher makes for its handlers."""

    __slots__ = ("by",)

    def __init__(self) -> None:
        self.by: str | None = None


def _message_of(event: Event | JobTick) -> str:
    """The event id of the message an event is about (what ``ctx.react`` reacts to)."""
    if isinstance(event, Message):
        return event.edit_of if event.edited and event.edit_of else event.event_id
    if isinstance(event, ButtonPress):
        return event.message_id
    if isinstance(event, Reaction):
        return event.target_id
    msg = f"ctx.react needs target= here: a {type(event).__name__} is about no message"
    raise ValueError(msg)


def _with_reply_to(reply: Reply, event_id: str) -> Reply:
    return replace(reply, reply_to=event_id)
