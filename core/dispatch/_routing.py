"""`Router`: where one recorded event goes: a command, an open dialog, or the ``on_*`` hooks.

Before routing, the event is cleaned (NUL bytes out, text cut to ``dispatcher.max_text_length``),
its sender resolved to a `Person` and the language of the answer chosen. Bots' own events are
dropped; the bot being added to or removed from a chat marks the chat active or not. Unknown
commands get a "did you mean", wrong arguments the command's usage, both in the person's language.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core.commands import ArgumentError, Command, split_command
from qunzhu.core.context import Context
from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.dialogs._answers import DIALOG_PREFIX
from qunzhu.core.dispatch._runner import Runner, inject
from qunzhu.core.dispatch._watchdog import Watchdog
from qunzhu.core.i18n._catalogs import normalize_language
from qunzhu.core.model._events import ButtonPress, Event, MemberChange, Message, Reaction, UserRef
from qunzhu.core.people import Person
from qunzhu.core.plugins import domain_of
from qunzhu.core.storage._tables import ChatRow

if TYPE_CHECKING:
    from qunzhu.core.app import App

__all__ = ["Router", "people_in"]

log = logging.getLogger("qunzhu.dispatcher")
_HOOK_FOR = {
    Message: "on_message",
    ButtonPress: "on_button",
    Reaction: "on_reaction",
    MemberChange: "on_member_change",
}
_QUIET_ERRORS_SECONDS = 300.0  # a passive hook failing in a group is reported at most this often


class Router:
    """Routes events to handlers; one per dispatcher (it holds the handler watchdog)."""

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings.dispatcher
        self.watchdog = Watchdog(settings.handler_timeout)
        self._max_text = settings.max_text_length
        self._impls = {hook: app.plugins.impls(hook) for hook in _HOOK_FOR.values()}
        self._last_error_notice: dict[str, float] = {}

    async def handle(
        self,
        item: Recorded,
        session: AsyncSession,
        contexts: list[Context],
        timed_out: set[tuple[int, str]],
        *,
        isolated: bool,
    ) -> None:
        """Run the handlers of one event in `session`; their contexts are added to `contexts`."""
        event = item.event
        if event.sender.is_bot:
            return
        event = self._sanitize(event)
        person = await self.app.people.resolve(event.sender)
        lang = self.language_for(person, event)
        run = Runner(
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
        adapter = self.app.adapters.get(event.chat.platform)
        return adapter is not None and event.user.user_id == adapter.bot_user_id

    async def _bot_membership(self, event: MemberChange, run: Runner) -> None:
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
                changed_at=self.app.clock.now(),
            )
        )
        sender = self.app.senders.get(event.chat.platform)
        if sender is not None:
            ctx.after_commit(lambda: sender.set_active(event.chat.chat_id, active=active))
        log.info(
            "event=bot_membership platform=%s chat=%s active=%s",
            event.chat.platform,
            event.chat.chat_id,
            active,
        )

    async def _route(self, event: Event, run: Runner) -> None:
        dialogs = self.app.dialogs
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
            # a plugin may implement a hook twice (``specname=``: an answer first, an offer last)
            what = f"{plugin}.{hook}" if fn.__name__ == hook else f"{plugin}.{fn.__name__}"
            await run.call(ctx, fn, {name: ctx for name in argnames}, what, user_facing)

    async def _command(self, event: Message, run: Runner, parsed: tuple[str, str, str]) -> None:
        name, args, addressee = parsed
        bot_name = self.app.adapter_for(event.chat.platform).bot_username
        if addressee and bot_name and addressee.lower() != bot_name.lower():
            return  # "/start@otherbot" in a group: not ours
        cmd = self.app.plugins.commands.get(name)
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
                values.update(inject(ctx, cmd))
                await run.call(ctx, cmd.handler, values, f"{cmd.plugin}:/{cmd.name}", True)

    async def _dialog(self, event: Event, run: Runner) -> bool:
        row = await self.app.dialogs.load(run.session, event)
        if row is None:
            return False
        ctx = run.context(event, row.plugin)
        ctx.claim()  # an answer to an open dialog is its plugin's
        await run.call(
            ctx, self.app.dialogs.answer, {"ctx": ctx, "row": row}, f"{row.plugin}.dialog", True
        )
        return True

    # -- helpers -------------------------------------------------------------------------------
    def should_notify(self, chat_key: str, user_facing: bool) -> bool:
        """Whether to apologise in the chat for a failed handler (passive hooks: rarely)."""
        if user_facing:
            return True
        now = self.app.clock.monotonic()
        last = self._last_error_notice.get(chat_key)
        if last is not None and now - last < _QUIET_ERRORS_SECONDS:
            return False
        self._last_error_notice[chat_key] = now
        return True

    def language_for(self, person: Person, event: Event) -> str:
        """The person's choice, else the chat's configured language, else the platform's
        language for the person, else the bot's default."""
        settings = self.app.settings
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
            for n, c in self.app.plugins.commands.items()
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


def people_in(batch: list[Recorded]) -> Iterator[UserRef]:
    """Who the batch's handlers may ask for as a Person: the senders, and whoever a member
    change is about (added or removed by someone else). They are created before the batch's
    transaction: a handler creating one would wait for the write lock its own batch holds."""
    for item in batch:
        event = item.event
        if not event.sender.is_bot:
            yield event.sender
        if isinstance(event, MemberChange) and not event.user.is_bot:
            yield event.user
