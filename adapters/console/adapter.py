"""The console adapter: a terminal chat in which one person plays several people in several chats.

Lines come from stdin (a terminal, or a piped script for demos and tests), one at a time: each is
parsed (`script.parse_line`), turned into a core event, handed to the sink, and then the adapter
waits for the bot to settle, so that a script's transcript shows every answer right after the
line that caused it. The bot's messages are printed by `send`, its reactions by `react`
(`render.Renderer`).

Input is read by `reader.read_lines`: one daemon thread for a real stdin, directly for an
`io.StringIO`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
import os
import sys
from typing import ClassVar, TextIO

from qunzhu.core.adapter import (
    Adapter,
    AdapterConfig,
    AdapterError,
    Attachment,
    ButtonPress,
    Capabilities,
    ChatRef,
    Clock,
    Event,
    EventSink,
    Location,
    MemberChange,
    Message,
    Reaction,
    Reply,
    UsageError,
    UserRef,
)

from . import script
from .config import ConsoleConfig
from .media import attachment_for, read_attachment
from .reader import isatty, read_lines
from .render import HELP, Renderer, chat_label
from .session import PLATFORM, Session, direct_chat, group_chat

__all__ = ["ConsoleAdapter"]

log = logging.getLogger("qunzhu.adapters.console")


class ConsoleAdapter(Adapter):
    """Chat with the bot from a terminal or a script. See ``docs/console.md``."""

    platform: ClassVar[str] = PLATFORM
    Config: ClassVar[type[AdapterConfig]] = ConsoleConfig
    bot_username = "qunzhu"
    #: ``/join qunzhu`` in a group is the bot added to it (``/leave qunzhu``: removed).
    bot_user_id = "qunzhu"
    #: Hears everything, numbered buttons, edits and reactions shown as lines.
    capabilities = Capabilities(reactions=True)
    #: What it learns stays in this process: a reply is printed on the terminal of the process
    #: that sends it, a number presses a button among those printed here, and message ids
    #: (``b1``, ``#1``) are counted here.
    one_process: ClassVar[str | None] = (
        "the bot's answers are printed on the terminal of the process that sends them, and "
        "buttons are pressed among those printed there"
    )
    config: ConsoleConfig

    def __init__(
        self,
        config: ConsoleConfig,
        *,
        clock: Clock,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        super().__init__(config, clock=clock)
        self._in: TextIO = stdin if stdin is not None else (sys.stdin or io.StringIO())
        self._out: TextIO = stdout if stdout is not None else (sys.stdout or io.StringIO())
        self.interactive = isatty(self._in)
        self.echo = config.echo if config.echo is not None else not self.interactive
        color = config.color
        if color is None:
            color = isatty(self._out) and not os.environ.get("NO_COLOR")
        self.render = Renderer(color=color, bot_name=self.bot_username)
        self.session = Session(config.user, config.chat, config.lang)
        self._last_event = 0
        self._bot_ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._prompting = False  # a prompt is on screen, waiting for the next line
        self._out_broken = False

    # -- the Adapter contract ------------------------------------------------------------------
    async def start(self, sink: EventSink) -> None:
        if self._task is not None:
            msg = "the console adapter is already running"
            raise AdapterError(msg)
        if self.interactive:
            who, where = self.session.user.name, chat_label(self.session.chat)
            self._emit(
                self.render.info(
                    f"qunzhu console: you are {who} in [{where}]. "
                    "/console lists what you can do, /quit ends."
                )
            )
        self._task = asyncio.get_running_loop().create_task(self._run(sink), name="console")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._prompting = False

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        message_id = f"b{next(self._bot_ids)}"
        self.session.remember(chat, message_id, reply)
        self._emit(self.render.message(chat, message_id, reply))
        return message_id

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        self.session.remember(chat, message_id, reply)
        self._emit(self.render.message(chat, message_id, reply, edited=True))

    async def react(
        self, chat: ChatRef, target_event_id: str, key: str, *, removed: bool = False, txn: str
    ) -> None:
        self._emit(self.render.reaction(chat, target_event_id, key, removed=removed))

    async def download(self, attachment: Attachment) -> bytes:
        return await read_attachment(attachment)

    async def direct_chat(self, user: UserRef) -> ChatRef:
        return direct_chat(user)

    # -- reading -------------------------------------------------------------------------------
    async def _run(self, sink: EventSink) -> None:
        try:
            # Event numbers go on from the last run's, which the inbox stored as this adapter's
            # cursor: a new "#1" would otherwise be taken for a duplicate of the old one.
            stored = await sink.cursor() if hasattr(sink, "cursor") else None
            if stored is not None and stored.isdigit():
                self._last_event = int(stored)
            async with contextlib.aclosing(read_lines(self._in)) as lines:
                self._prompt()
                async for line in lines:
                    self._prompting = False
                    if not await self._handle(line, sink):
                        break
                    self._prompt()
            self._prompting = False
            await self._settle()
        except Exception:
            log.exception("event=console_failed")
        finally:
            self._prompting = False
            self.finished.set()

    async def _handle(self, raw: str, sink: EventSink) -> bool:
        """Act on one input line; False when it was ``/quit``."""
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        line = line.encode("utf-8", "replace").decode("utf-8")  # lone surrogates → "?"
        try:
            action = script.parse_line(line)
            if action is None:
                return True
            if isinstance(action, script.ConsoleOnly):
                self._echo(line.strip(), None)
                return self._console(action)
            event = self._event_for(action)
        except UsageError as exc:
            self._echo(line.strip(), None)
            self._emit(self.render.error(str(exc)))
            return True
        except Exception:  # a bug in the console: say so, and read on
            log.exception("event=console_line_failed")
            self._echo(line.strip(), None)
            self._emit(self.render.error("the console could not read that line (see the log)"))
            return True
        self._echo(line.strip(), event.event_id)
        self.session.mark_input()
        try:
            if hasattr(sink, "submit"):
                await sink.submit([event], cursor=event.event_id)
            else:
                await sink(event)
        except Exception:
            log.exception(
                "event=console_sink_failed event=%s chat=%s", event.event_id, event.chat.key
            )
            self._emit(self.render.error(f"the bot could not take #{event.event_id} (see the log)"))
        await self._settle()
        return True

    def _console(self, action: script.ConsoleOnly) -> bool:
        session = self.session
        match action:
            case script.SwitchUser(name, lang):
                session.switch_user(name, lang)
            case script.SwitchChat(chat):
                session.chat = group_chat(chat)
            case script.SwitchDirect():
                session.chat = direct_chat(session.user)
            case script.ShowHelp():
                self._emit(HELP)
            case script.Quit():
                return False
        return True

    def _event_for(self, action: script.EventAction) -> Event:  # noqa: PLR0911 (one per action)
        """The event `action` stands for; `UsageError` (and no event number used) when it
        cannot be sent."""
        user, chat, now = self.session.user, self.session.chat, self.clock.now()
        match action:
            case script.Say(text, literal):
                hit = None if literal else self.session.typed_press(text)
                if hit is not None:
                    sent, button = hit
                    return ButtonPress(
                        self._next_id(), chat, user, sent.message_id, button.data, now
                    )
                return self._message(text)
            case script.SendFile(kind, path, caption):
                attachment = attachment_for(kind, path, caption)
                return self._message(caption, attachments=(attachment,))
            case script.ShareLocation(latitude, longitude, address):
                return self._message("", location=Location(latitude, longitude, address))
            case script.ReplyTo(target, text):
                return self._message(text, reply_to=target)
            case script.React(target, key, removed):
                return Reaction(self._next_id(), chat, user, target, key, removed, now)
            case script.Member(name, change):
                if chat.is_direct:
                    msg = "/join and /leave work in a group chat: go to one with /in CHAT"
                    raise UsageError(msg)
                member = self.session.person(name)
                return MemberChange(self._next_id(), chat, user, member, change, now)
            case script.Press(number, message_id):
                sent, button = self.session.press(number, message_id)
                return ButtonPress(self._next_id(), chat, user, sent.message_id, button.data, now)
        msg = f"unexpected console action {action!r}"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover

    def _message(
        self,
        text: str,
        *,
        attachments: tuple[Attachment, ...] = (),
        location: Location | None = None,
        reply_to: str | None = None,
    ) -> Message:
        mentions = tuple(f"{PLATFORM}:{name}" for name in script.find_mentions(text))
        return Message(
            self._next_id(),
            self.session.chat,
            self.session.user,
            text,
            attachments=attachments,
            location=location,
            reply_to=reply_to,
            mentions=mentions,
            sent_at=self.clock.now(),
        )

    def _next_id(self) -> str:
        self._last_event += 1
        return str(self._last_event)

    async def _settle(self) -> None:
        try:
            await self.settle()
        except Exception:
            log.exception("event=console_settle_failed")

    # -- writing -------------------------------------------------------------------------------
    def _echo(self, line: str, event_id: str | None) -> None:
        if self.echo:
            self._emit(self.render.echo(self.session.chat, self.session.user.name, event_id, line))

    def _prompt(self) -> None:
        if self.interactive and not self._prompting:
            self._write(
                self.render.prompt(
                    self.session.chat, self.session.user.name, str(self._last_event + 1)
                )
            )
            self._prompting = True

    def _emit(self, text: str) -> None:
        """Print `text` as whole lines, keeping a waiting prompt below it."""
        if self._prompting:
            self._write("\n")
            self._prompting = False
            self._write(text + "\n")
            self._prompt()
        else:
            self._write(text + "\n")

    def _write(self, text: str) -> None:
        if self._out_broken:
            return
        try:
            try:
                self._out.write(text)
            except UnicodeEncodeError:
                encoding = getattr(self._out, "encoding", None) or "ascii"
                self._out.write(text.encode(encoding, "replace").decode(encoding))
            self._out.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nobody is reading any more
            self._out_broken = True
            log.warning("event=console_output_lost", exc_info=True)
