"""The dispatcher: takes recorded events from the inbox and runs commands, dialogs and hooks.

Events are handled in inbox order, so the order within a chat is kept, and a burst in one chat
never delays another chat's earlier events. Work is done in batches: up to
``dispatcher.batch_size`` events share one transaction (their handlers' writes, their outbox
rows and the inbox's "handled" marks), which is what makes durability cheap. If any handler in
a batch fails, the batch is rolled back and its events are run again one at a time, each handler
in a savepoint of its own: a failing handler's writes and messages are undone, the others' are
kept, the traceback is logged with the plugin's name, and the person gets a short apology in
their language. Handlers may therefore run twice; their database work and messages count once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import difflib
import inspect
import logging
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.commands import ArgumentError, Command, split_command
from qunzhu.core.context import Context
from qunzhu.core.delivery._claims import claim, lock_unhandled
from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.dialogs._service import DIALOG_PREFIX
from qunzhu.core.dispatch._albums import AlbumGate, album_of, gather, quiet_in_inbox
from qunzhu.core.dispatch._watchdog import Watchdog
from qunzhu.core.errors import UsageError
from qunzhu.core.i18n._catalogs import normalize_language
from qunzhu.core.model._events import ButtonPress, Event, MemberChange, Message, Reaction, UserRef
from qunzhu.core.people import Person
from qunzhu.core.plugins import domain_of
from qunzhu.core.storage._database import QueuedWrites, sqlite_time
from qunzhu.core.storage._tables import ChatRow, InboxRow

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["Dispatcher"]

log = logging.getLogger("qunzhu.dispatcher")
_HOOK_FOR = {
    Message: "on_message",
    ButtonPress: "on_button",
    Reaction: "on_reaction",
    MemberChange: "on_member_change",
}
_QUIET_ERRORS_SECONDS = 300.0  # a passive hook failing in a group is reported at most this often


class _BatchFailed(Exception):
    pass


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        settings = app.settings.dispatcher
        self._timeout = settings.handler_timeout
        self.watchdog = Watchdog(settings.handler_timeout)
        self._max_text = settings.max_text_length
        self._batch_size = settings.batch_size
        #: Several workers share one PostgreSQL database (``dispatcher.shared``).
        self.shared = settings.shared
        self._impls = {hook: app.plugins.impls(hook) for hook in _HOOK_FOR.values()}
        self._pending: deque[Recorded] = deque()
        self._albums = AlbumGate(self._album_wait, app.clock.monotonic)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._last_error_notice: dict[str, float] = {}
        self.handled = 0
        self.batches = 0
        self.retried_batches = 0

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.watchdog.start()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.watchdog.stop()

    def push(self, recorded: list[Recorded]) -> None:
        """Events the inbox has just committed."""
        if not self.shared:  # with several workers, whoever claims them first handles them
            self._pending.extend(recorded)
            self._albums.arrived(recorded)
        self._idle.clear()
        self._wake.set()

    async def join(self) -> None:
        """Wait until every event pushed so far has been handled (at once when stopped)."""
        if self._task is None or self._task.done():
            return
        await self._idle.wait()

    @property
    def idle(self) -> bool:
        return self._idle.is_set()

    async def _loop(self) -> None:
        if self.shared:
            await self._shared_loop()
            return
        while True:
            if not self._pending:
                release = self._albums.next_release()
                if release is None:
                    self._idle.set()
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if release > 0:
                    await self._nap(release)
                    continue
            size = min(self._batch_size, len(self._pending))
            batch = self._albums.admit([self._pending.popleft() for _ in range(size)])
            if not batch:
                continue
            try:
                await self._run_batch(batch)
            except Exception:  # the database is unreachable: keep the events, try again
                log.exception("event=batch_failed events=%d", len(batch))
                self._pending.extendleft(reversed(batch))
                await self._app.clock.sleep(1.0)

    async def _nap(self, seconds: float) -> None:
        """Wait `seconds` for an album to be complete, or less if more events are pushed.
        Meanwhile the dispatcher counts as idle: nothing can be done before then."""
        self._wake.clear()
        self._idle.set()
        timer = self._app.clock.timer(seconds)
        timer.add_done_callback(self._album_due)
        woken = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait((timer, woken), return_when=asyncio.FIRST_COMPLETED)
        woken.cancel()
        timer.cancel()

    def _album_due(self, timer: asyncio.Future[None]) -> None:
        if not timer.cancelled():  # work again (a cancelled timer: woken by a push, busy anyway)
            self._idle.clear()

    def _album_wait(self, platform: str) -> float:
        adapter = self._app.adapters.get(platform)
        return adapter.album_wait if adapter is not None else 1.0

    async def _run_batch(self, batch: list[Recorded]) -> None:
        self.batches += 1
        await self._app.people.resolve_many(_people_in(batch))
        timed_out: set[tuple[int, str]] = set()
        # even a single event goes the batch way first: no savepoints, and on SQLite a commit
        # on the direct connection; only when a handler fails is it redone in isolation
        async with self._app.db.writing(), self._app.db.session() as session:
            if await self._process(session, batch, timed_out, isolated=False):
                return
        self.retried_batches += 1
        await self._redo(batch, timed_out)

    async def _process(
        self,
        session: AsyncSession,
        batch: list[Recorded],
        timed_out: set[tuple[int, str]],
        *,
        isolated: bool,
    ) -> bool:
        """Handle `batch` in `session`'s transaction and commit it; False (rolled back) when a
        handler failed and the batch must be redone event by event."""
        contexts: list[Context] = []
        try:
            for item in batch:
                await self._handle(item, session, contexts, timed_out, isolated=isolated)
            ids = [i for item in batch for i in item.inbox_ids]
            if self._app.db.direct() is not None and _untouched(session):
                self._commit_direct(session, ids)
            else:
                await session.execute(
                    update(InboxRow)
                    .where(InboxRow.id.in_(ids))
                    .values(handled_at=self._app.clock.now())
                )
                await session.commit()
        except _BatchFailed:
            await session.rollback()
            for ctx in reversed(contexts):
                ctx.rolled_back()
            return False
        except BaseException:
            await session.rollback()
            for ctx in reversed(contexts):
                ctx.rolled_back()
            raise
        for ctx in contexts:
            ctx.committed()
        self.handled += len(batch)
        return True

    def _commit_direct(self, session: AsyncSession, ids: list[int]) -> None:
        """SQLite, when no handler of the batch used the session itself (the common case:
        replies and ``ctx.insert`` rows are queued): write the queued rows and the handled marks
        on the direct connection, one short transaction on the event loop's thread."""
        db = self._app.db
        marks = ", ".join("?" * len(ids))
        with db.direct_transaction() as conn:
            QueuedWrites.of(session.sync_session).write_direct(conn, db.engine.dialect)
            conn.execute(
                f"UPDATE core_inbox SET handled_at = ? WHERE id IN ({marks})",  # noqa: S608
                [sqlite_time(self._app.clock.now()), *ids],
            )

    # -- several workers on one PostgreSQL ----------------------------------------------------
    async def _shared_loop(self) -> None:
        """Claim work from the shared inbox: the oldest unhandled event of each chat, locked with
        FOR UPDATE SKIP LOCKED, plus the later events of those chats. Another worker cannot take
        a chat whose oldest event is locked, so each chat is handled by one worker at a time, in
        order, and no event twice."""
        interval = self._app.settings.dispatcher.poll_interval
        while True:
            self._wake.clear()
            timed_out: set[tuple[int, str]] = set()
            try:
                async with self._app.db.session() as session:
                    batch = await claim(session, self._batch_size)
                    if any(album_of(item) for item in batch):
                        quiet = quiet_in_inbox(batch, self._app.clock.now(), self._album_wait)
                        batch, _ = gather(batch, quiet)  # a growing album waits, unclaimed
                    if batch:
                        await self._app.people.resolve_many(_people_in(batch))
                        self.batches += 1
                        if await self._process(session, batch, timed_out, isolated=False):
                            continue
                    else:
                        await session.rollback()
                if batch:
                    self.retried_batches += 1
                    await self._redo(batch, timed_out)
                    continue
            except Exception:
                log.exception("event=shared_batch_failed")
                await asyncio.sleep(1.0)
                continue
            self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def _redo(self, batch: list[Recorded], timed_out: set[tuple[int, str]]) -> None:
        """Handle a failed batch again, one event per transaction (handlers that timed out in
        the batch are not waited for a second time)."""
        for item in batch:
            async with self._app.db.writing(), self._app.db.session() as session:
                if self.shared and not await lock_unhandled(session, item):
                    continue  # another worker handled it meanwhile
                await self._process(session, [item], timed_out, isolated=True)

    # -- routing -------------------------------------------------------------------------------
    async def _handle(
        self,
        item: Recorded,
        session: AsyncSession,
        contexts: list[Context],
        timed_out: set[tuple[int, str]],
        *,
        isolated: bool,
    ) -> None:
        event = item.event
        if event.sender.is_bot:
            return
        event = self._sanitize(event)
        person = await self._app.people.resolve(event.sender)
        lang = self.language_for(person, event)
        run = _Runner(
            self,
            item.inbox_id,
            session=session,
            contexts=contexts,
            timed_out=timed_out,
            isolated=isolated,
            person=person,
            lang=lang,
        )
        if isinstance(event, MemberChange) and self._is_the_bot(event):
            await self._bot_membership(event, run)
        await self._route(event, run)

    def _is_the_bot(self, event: MemberChange) -> bool:
        adapter = self._app.adapters.get(event.chat.platform)
        return adapter is not None and event.user.user_id == adapter.bot_user_id

    async def _bot_membership(self, event: MemberChange, run: _Runner) -> None:
        """The bot was added to a chat (it may post there again) or removed (stop at once)."""
        active = event.change == "joined"
        ctx = run.context(event, "core")
        await run.session.merge(
            ChatRow(
                platform=event.chat.platform,
                chat_id=event.chat.chat_id,
                kind=event.chat.kind.value,
                active=active,
                reason=None if active else "the bot was removed from the chat",
                changed_at=self._app.clock.now(),
            )
        )
        sender = self._app.senders.get(event.chat.platform)
        if sender is not None:
            ctx.after_commit(lambda: sender.set_active(event.chat.chat_id, active=active))
        log.info(
            "event=bot_membership platform=%s chat=%s active=%s",
            event.chat.platform,
            event.chat.chat_id,
            active,
        )

    async def _route(self, event: Event, run: _Runner) -> None:
        dialogs = self._app.dialogs
        if isinstance(event, Message):
            parsed = split_command(event.text)
            if parsed is not None:
                if not event.edited:
                    await self._command(event, run, parsed)
                return
            if dialogs.is_open(event) and not event.edited and await self._dialog(event, run):
                return
        elif isinstance(event, ButtonPress) and event.data.startswith(DIALOG_PREFIX):
            if dialogs.is_open(event) and await self._dialog(event, run):
                return
            ctx = run.context(event, "core")
            await ctx.reply(ctx.t("This conversation has already ended."))
            return
        hook = _HOOK_FOR[type(event)]
        user_facing = not isinstance(event, Message) or event.chat.is_direct
        for plugin, fn, argnames in self._impls[hook]:
            ctx = run.context(event, plugin)
            await run.call(
                ctx, fn, {name: ctx for name in argnames}, f"{plugin}.{hook}", user_facing
            )

    async def _command(self, event: Message, run: _Runner, parsed: tuple[str, str, str]) -> None:
        name, args, addressee = parsed
        bot_name = self._app.adapter_for(event.chat.platform).bot_username
        if addressee and bot_name and addressee.lower() != bot_name.lower():
            return  # "/start@otherbot" in a group: not ours
        cmd = self._app.plugins.commands.get(name)
        ctx = run.context(event, cmd.plugin if cmd else "core")
        core = ctx.t.core
        if cmd is None:
            await ctx.reply(self._unknown_command(name, run.person, core))
        elif cmd.role and not run.person.has_role(cmd.role):
            await ctx.reply(
                core(
                    "Sorry, /{name} is only for people with the role “{role}”.",
                    name=name,
                    role=core(cmd.role),
                )
            )
        else:
            try:
                values = cmd.parse(args)
            except ArgumentError as exc:
                await ctx.reply(self._usage(cmd, exc, ctx))
            else:
                values.update(_inject(ctx, cmd))
                await run.call(ctx, cmd.handler, values, f"{cmd.plugin}:/{cmd.name}", True)

    async def _dialog(self, event: Event, run: _Runner) -> bool:
        row = await self._app.dialogs.load(run.session, event)
        if row is None:
            return False
        ctx = run.context(event, row.plugin)
        await run.call(
            ctx, self._app.dialogs.answer, {"ctx": ctx, "row": row}, f"{row.plugin}.dialog", True
        )
        return True

    # -- helpers -------------------------------------------------------------------------------
    def should_notify(self, chat_key: str, user_facing: bool) -> bool:
        if user_facing:
            return True
        now = self._app.clock.monotonic()
        last = self._last_error_notice.get(chat_key)
        if last is not None and now - last < _QUIET_ERRORS_SECONDS:
            return False
        self._last_error_notice[chat_key] = now
        return True

    def language_for(self, person: Person, event: Event) -> str:
        """The person's choice, else the chat's configured language, else the platform's
        language for the person, else the bot's default."""
        settings = self._app.settings
        return (
            person.lang
            or settings.chat_language(event.chat.key)
            or normalize_language(event.sender.lang)
            or settings.bot.language
        )

    def _sanitize(self, event: Event) -> Event:
        if not isinstance(event, Message):
            return event
        text = event.text
        if "\x00" in text:
            text = text.replace("\x00", "")
        if len(text) > self._max_text:
            log.warning("event=text_truncated chat=%s length=%d", event.chat.key, len(text))
            text = text[: self._max_text]
        return event if text is event.text else dataclasses.replace(event, text=text)

    def _unknown_command(self, name: str, person: Person, core: Callable[..., str]) -> str:
        usable = [
            n
            for n, c in self._app.plugins.commands.items()
            if not c.hidden and (not c.role or person.has_role(c.role))
        ]
        close = difflib.get_close_matches(name, usable, n=1, cutoff=0.5)
        if close:
            return core(
                "Unknown command /{name}. Did you mean /{close}? Send /help to see all.",
                name=name,
                close=close[0],
            )
        return core("Unknown command /{name}. Send /help to see what you can use.", name=name)

    def _usage(self, cmd: Command, exc: ArgumentError, ctx: Context) -> str:
        core = ctx.t.core
        if exc.problem == "missing":
            why = core("“{param}” is missing.", param=exc.param)
        elif exc.problem == "type":
            why = core("“{value}” is not a valid {kind}.", value=exc.raw, kind=core(exc.kind))
        else:
            why = core("There are more words after the command than it takes.")
        lines = [why, core("Usage: {usage}", usage=cmd.usage())]
        if cmd.help:
            lines.append(ctx.app.catalogs.translator(ctx.lang, domain_of(cmd.plugin))(cmd.help))
        return "\n".join(lines)


def _people_in(batch: list[Recorded]) -> Iterator[UserRef]:
    """Who the batch's handlers may ask for as a Person: the senders, and whoever a member
    change is about (added or removed by someone else). They are created before the batch's
    transaction: a handler creating one would wait for the write lock its own batch holds."""
    for item in batch:
        event = item.event
        if not event.sender.is_bot:
            yield event.sender
        if isinstance(event, MemberChange) and not event.user.is_bot:
            yield event.user


def _untouched(session: AsyncSession) -> bool:
    """No statement ran in the session and no ORM object waits to be written."""
    sync = session.sync_session
    return not (sync.in_transaction() or sync.new or sync.dirty or sync.deleted)


class _Runner:
    """Runs the handlers of one event inside a batch: builds contexts, enforces the timeout,
    and in isolated mode gives each handler a savepoint."""

    __slots__ = (
        "contexts",
        "dispatcher",
        "inbox_id",
        "isolated",
        "lang",
        "person",
        "session",
        "timed_out",
    )

    def __init__(
        self,
        dispatcher: Dispatcher,
        inbox_id: int,
        *,
        session: AsyncSession,
        contexts: list[Context],
        timed_out: set[tuple[int, str]],
        isolated: bool,
        person: Person,
        lang: str,
    ) -> None:
        self.dispatcher = dispatcher
        self.inbox_id = inbox_id
        self.session = session
        self.contexts = contexts
        self.timed_out = timed_out
        self.isolated = isolated
        self.person = person
        self.lang = lang

    def context(self, event: Event, plugin: str) -> Context:
        app = self.dispatcher._app
        t = app.catalogs.translator(self.lang, domain_of(plugin))
        ctx = Context(app, event, plugin, self.person, t=t, db=self.session)
        self.contexts.append(ctx)
        return ctx

    async def call(
        self,
        ctx: Context,
        fn: Callable[..., Any],
        kwargs: dict[str, Any],
        what: str,
        user_facing: bool,
    ) -> None:
        key = (self.inbox_id, what)
        if not self.isolated:
            try:
                await self._invoke(fn, kwargs)
            except TimeoutError:
                self.timed_out.add(key)
                raise _BatchFailed from None
            except Exception as exc:
                raise _BatchFailed from exc
            return
        disp = self.dispatcher
        nested = await self.session.begin_nested()
        try:
            if key in self.timed_out:
                raise TimeoutError
            await self._invoke(fn, kwargs)
            await self.session.flush()
            await nested.commit()
            return
        except UsageError as exc:
            await nested.rollback()
            ctx.rolled_back()
            await ctx.reply(str(exc))
        except TimeoutError:
            await nested.rollback()
            ctx.rolled_back()
            log.error(
                "event=handler_timeout handler=%s chat=%s seconds=%s",
                what,
                ctx.chat.key,
                disp._timeout,
            )
            if disp.should_notify(ctx.chat.key, user_facing):
                await ctx.reply(ctx.t.core("Sorry, that took too long. Please try again later."))
        except Exception:
            await nested.rollback()
            ctx.rolled_back()
            log.exception("event=handler_failed handler=%s chat=%s", what, ctx.chat.key)
            if disp.should_notify(ctx.chat.key, user_facing):
                await ctx.reply(
                    ctx.t.core(
                        "Sorry, something went wrong while handling that. It has been logged."
                    )
                )

    async def _invoke(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        result = fn(**kwargs)
        if inspect.isawaitable(result):
            await self.dispatcher.watchdog.run(result)


def _inject(ctx: Context, cmd: Command) -> dict[str, Any]:
    return {name: ctx if name == "ctx" else getattr(ctx, name) for name in cmd.inject}
