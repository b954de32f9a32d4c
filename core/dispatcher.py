"""The dispatcher: routes each event to commands, open dialogs and ``on_*`` hooks.

Order is kept within a chat (one event at a time per chat) while chats run concurrently: each
chat with pending events has one draining task, created when its queue fills and ended when it
empties, so there is no task and no thread hop per message. Each plugin's handler runs with its
own `Context` under ``dispatcher.handler_timeout``; one that raises is logged with its traceback,
its writes are rolled back, the others still run, and the person gets a short polite answer in
their language.
"""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import inspect
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qunzhu.core.commands import ArgumentError, Command, split_command
from qunzhu.core.context import Context
from qunzhu.core.dialog_service import DIALOG_PREFIX
from qunzhu.core.errors import UsageError
from qunzhu.core.events import ButtonPress, Event, MemberChange, Message, Reaction
from qunzhu.core.i18n import normalize_language
from qunzhu.core.people import Person
from qunzhu.core.plugins import domain_of

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


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        self._timeout = app.settings.dispatcher.handler_timeout
        self._max_text = app.settings.dispatcher.max_text_length
        self._impls = {hook: app.plugins.impls(hook) for hook in _HOOK_FOR.values()}
        self._queues: dict[str, deque[Event]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._last_error_notice: dict[str, float] = {}
        self.handled = 0

    # -- queueing ------------------------------------------------------------------------------
    async def feed(self, event: Event) -> None:
        """Queue `event` behind the earlier events of its chat; returns at once."""
        key = event.chat.key
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            self._idle.clear()
            asyncio.get_running_loop().create_task(self._drain(key, queue), name=f"chat:{key}")
        queue.append(event)

    async def join(self) -> None:
        """Wait until every queued event has been handled."""
        await self._idle.wait()

    async def _drain(self, key: str, queue: deque[Event]) -> None:
        try:
            while queue:
                await self.handle(queue.popleft())
                await asyncio.sleep(0)  # let other chats take a turn: no chat hogs the loop
        finally:
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    # -- routing -------------------------------------------------------------------------------
    async def handle(self, event: Event) -> None:
        """Handle one event now (use `feed` to keep per-chat order)."""
        if event.sender.is_bot:
            return
        try:
            event = self._sanitize(event)
            person = await self._app.people.resolve(event.sender)
            lang = self.language_for(person, event)
            await self._route(event, person, lang)
        except Exception:
            log.exception(
                "event=dispatch_failed chat=%s event=%s",
                event.chat.key,
                getattr(event, "event_id", "?"),
            )
        self.handled += 1

    async def _route(self, event: Event, person: Person, lang: str) -> None:
        dialogs = self._app.dialogs
        if isinstance(event, Message):
            parsed = split_command(event.text)
            if parsed is not None:
                if not event.edited:
                    await self._command(event, person, lang, parsed)
                return
            if (
                dialogs.is_open(event)
                and not event.edited
                and await self._dialog(event, person, lang)
            ):
                return
        elif isinstance(event, ButtonPress) and event.data.startswith(DIALOG_PREFIX):
            if dialogs.is_open(event) and await self._dialog(event, person, lang):
                return
            ctx = self._context(event, "core", person, lang)
            await ctx.reply(ctx.t("This conversation has already ended."))
            await self._deliver(ctx)
            return
        await self._notify(_HOOK_FOR[type(event)], event, person, lang)

    async def _notify(self, hook: str, event: Event, person: Person, lang: str) -> None:
        for plugin, fn, argnames in self._impls[hook]:
            ctx = self._context(event, plugin, person, lang)
            await self._run(
                ctx,
                fn,
                {name: ctx for name in argnames},
                f"{plugin}.{hook}",
                user_facing=not isinstance(event, Message) or event.chat.is_direct,
            )

    async def _command(
        self, event: Message, person: Person, lang: str, parsed: tuple[str, str, str]
    ) -> None:
        name, args, addressee = parsed
        bot_name = self._app.adapter_for(event.chat.platform).bot_username
        if addressee and bot_name and addressee.lower() != bot_name.lower():
            return  # "/start@otherbot" in a group: not ours
        cmd = self._app.plugins.commands.get(name)
        ctx = self._context(event, cmd.plugin if cmd else "core", person, lang)
        core = ctx.t.core
        if cmd is None:
            await ctx.reply(self._unknown_command(name, person, core))
        elif cmd.role and not person.has_role(cmd.role):
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
                await self._run(
                    ctx, cmd.handler, values, f"{cmd.plugin}:/{cmd.name}", user_facing=True
                )
                return
        await self._deliver(ctx)

    async def _dialog(self, event: Event, person: Person, lang: str) -> bool:
        claimed = await self._app.dialogs.claim(event)
        if claimed is None:
            return False
        row, session = claimed
        ctx = self._context(event, row.plugin, person, lang)
        ctx._db = session  # the dialog's row and the plugin's writes share one transaction
        await self._run(
            ctx,
            self._app.dialogs.answer,
            {"ctx": ctx, "row": row},
            f"{row.plugin}.dialog",
            user_facing=True,
        )
        return True

    # -- running one handler -------------------------------------------------------------------
    async def _run(
        self,
        ctx: Context,
        fn: Callable[..., Any],
        kwargs: dict[str, Any],
        what: str,
        *,
        user_facing: bool,
    ) -> None:
        started = self._app.clock.monotonic()
        try:
            async with asyncio.timeout(self._timeout):
                result = fn(**kwargs)
                if inspect.isawaitable(result):
                    await result
            await ctx.commit()
        except UsageError as exc:
            await ctx.rollback()
            await ctx.reply(str(exc))
        except TimeoutError:
            await ctx.rollback()
            log.error(
                "event=handler_timeout handler=%s chat=%s seconds=%s",
                what,
                ctx.chat.key,
                self._timeout,
            )
            if self._should_notify(ctx, user_facing):
                await ctx.reply(ctx.t.core("Sorry, that took too long. Please try again later."))
        except Exception:
            await ctx.rollback()
            log.exception("event=handler_failed handler=%s chat=%s", what, ctx.chat.key)
            if self._should_notify(ctx, user_facing):
                await ctx.reply(
                    ctx.t.core(
                        "Sorry, something went wrong while handling that. It has been logged."
                    )
                )
        await self._deliver(ctx)
        log.debug(
            "event=dispatch handler=%s chat=%s ms=%.2f",
            what,
            ctx.chat.key,
            (self._app.clock.monotonic() - started) * 1000,
        )

    async def _deliver(self, ctx: Context) -> None:
        for chat, reply in ctx.outgoing:
            await self._app.deliver(chat, reply)
        ctx.outgoing.clear()

    def _should_notify(self, ctx: Context, user_facing: bool) -> bool:
        if user_facing:
            return True
        now = self._app.clock.monotonic()
        last = self._last_error_notice.get(ctx.chat.key)
        if last is not None and now - last < _QUIET_ERRORS_SECONDS:
            return False
        self._last_error_notice[ctx.chat.key] = now
        return True

    # -- helpers -------------------------------------------------------------------------------
    def _context(self, event: Event, plugin: str, person: Person, lang: str) -> Context:
        t = self._app.catalogs.translator(lang, domain_of(plugin))
        return Context(self._app, event, plugin, person, t)

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


def _inject(ctx: Context, cmd: Command) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in cmd.inject:
        values[name] = ctx if name == "ctx" else getattr(ctx, name)
    return values
