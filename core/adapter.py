"""The adapter contract: how a platform connects to the core.

An adapter receives platform events, maps them to the core model (`Message`, `ButtonPress`, ...)
and hands them to the `sink` it was started with; it sends `Reply`s, edits them, reacts to
messages, downloads attachments and finds the private chat with a person. Adapters are found by
entry point (group ``qunzhu.adapters``) and configured under ``adapters.<name>`` with their
`Config` model.

This is the adapter author's module: everything an adapter needs from the core is importable from
here (the event and reply types, the clock, the outbound `Limits`, the delivery errors that tell
the outbox what to do, `keep_connected` for a platform connection kept open with backoff,
`find_mentions` for where a text names the people a reply mentions), and an adapter imports
nothing else of ``qunzhu.core`` (``tests/test_import_rules.py`` holds that).
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from importlib import import_module
from typing import TYPE_CHECKING, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from qunzhu.core.clock import Clock
from qunzhu.core.delivery._ratelimit import Limit, Limits
from qunzhu.core.delivery._reconnect import keep_connected
from qunzhu.core.errors import (
    AdapterError,
    DeliveryError,
    PermanentFailure,
    PlatformUnreachable,
    RetryLater,
    TemporaryFailure,
    UsageError,
)
from qunzhu.core.model._capabilities import (
    ButtonStyle,
    Capabilities,
    Capability,
    Feature,
    Hearing,
)
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
from qunzhu.core.model._mentions import MentionSpan, cut_at_mentions, find_mentions
from qunzhu.core.model._reply import Button, Reply

if TYPE_CHECKING:
    from aiohttp.web import RouteDef

    from qunzhu.core.commands import Command

__all__ = [
    "EVENT_HOOKS",
    "Adapter",
    "AdapterConfig",
    "AdapterError",
    "Attachment",
    "AttachmentKind",
    "Button",
    "ButtonPress",
    "ButtonStyle",
    "Capabilities",
    "Capability",
    "ChatKind",
    "ChatRef",
    "Clock",
    "Declared",
    "DeliveryError",
    "Event",
    "EventSink",
    "Feature",
    "ForwardOrigin",
    "Hearing",
    "LazyAdapter",
    "Limit",
    "Limits",
    "Location",
    "MemberChange",
    "MentionSpan",
    "Message",
    "PermanentFailure",
    "PlatformUnreachable",
    "Reaction",
    "Reply",
    "RetryLater",
    "TemporaryFailure",
    "UsageError",
    "UserRef",
    "cut_at_mentions",
    "find_mentions",
    "keep_connected",
]

#: The ``on_*`` hooks that receive platform events.
EVENT_HOOKS: frozenset[str] = frozenset(
    {"on_message", "on_button", "on_reaction", "on_member_change"}
)


class EventSink(Protocol):
    """Where an adapter hands its events (the inbox's intake for that adapter)."""

    async def __call__(self, event: Event) -> None:
        """Record one event; returns once it is durably in the inbox."""

    async def submit(self, events: Sequence[Event], *, cursor: str | None = None) -> int:
        """Record a batch and store the adapter's new platform position in the same commit."""

    async def cursor(self) -> str | None:
        """The platform position stored by the last `submit`."""

    async def state(self, key: str) -> str | None:
        """A small value stored with `set_state` (None if never stored)."""

    async def set_state(self, key: str, value: str) -> None:
        """Store a small value for this adapter, durably (its own key space)."""

    async def claim_state(self, key: str, value: str, *, replacing: str | None = None) -> str:
        """Store `value` under `key` unless a value is stored there already (other than
        `replacing`, a value known to be stale), atomically across workers; returns what is
        stored afterwards: `value`, or the value another worker stored first. Safe to call
        from a handler (on SQLite the write follows the handler's transaction)."""


def _untranslated(command: Command, lang: str) -> str:
    return command.help


@dataclass(frozen=True)
class Declared:
    """What the plugins declared that a platform may need to know: which event hooks have an
    implementation (Telegram subscribes to reactions and member updates only when one does) and
    the commands, with their help in each language (Telegram's command menu). The application
    sets `Adapter.declared` before `Adapter.start`."""

    hooks: frozenset[str] = EVENT_HOOKS
    commands: tuple[Command, ...] = ()
    #: ``bot.language``: the language of the default command menu.
    language: str = "zh_Hans"
    #: A command's help text translated into a language.
    describe: Callable[[Command, str], str] = _untranslated


class AdapterConfig(BaseModel):
    """Base of every adapter's config section."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Adapter(abc.ABC):
    """Base class of platform adapters."""

    platform: ClassVar[str]
    Config: ClassVar[type[AdapterConfig]] = AdapterConfig
    #: The bot's own user name on the platform, so that ``/cmd@otherbot`` is left alone.
    bot_username: str | None = None
    #: The bot's own user id on the platform: a `MemberChange` of this user is the bot being
    #: added to a chat (the outbox may post there again) or removed (it stops at once).
    bot_user_id: str | None = None
    #: The platform's outbound limits; the sender never exceeds them.
    limits: Limits = Limits()
    #: Seconds without a new part after which an album (`Message.album`) is complete.
    album_wait: float = 1.0
    #: What the platform can hear and do (`Capabilities`): every group message or only
    #: @-mentions, buttons or cards or a numbered list, edits, reactions, writing first. The
    #: application names at start-up each plugin feature that cannot run on it.
    capabilities: Capabilities = Capabilities()
    #: Why this platform account cannot be shared by several worker processes (WeCom's AI bot
    #: sends through the one connection that receives); None when it can. ``qunzhu run
    #: --workers N`` and a ``dispatcher.shared`` start refuse such an adapter in one line.
    one_process: ClassVar[str | None] = None

    def __init__(self, config: AdapterConfig, *, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        #: Set when the adapter has nothing more to receive (the console's stdin ended).
        self.finished = asyncio.Event()
        #: Set by the application: waits until every event handed to the sink so far has been
        #: handled (the console uses it to print a script's answers in order).
        self.settle: Callable[[], Awaitable[None]] = _nothing
        #: Set by the application before `start`: what the plugins declared.
        self.declared = Declared()
        #: Set by the application: the names the bot's people go by (``people:``, ``/name``)
        #: for some identities (``telegram:123`` → ``福州市长``). A reply names the people it
        #: mentions by these names, which the platform may not know: the adapter links them.
        self.people_names: Callable[[Sequence[str]], Awaitable[dict[str, str]]] = _no_names
        #: Set by the application: the key paths of the config entries that name a chat key
        #: (``telegram:-42`` → ``["chats.telegram:-42", "org.township.chats[0]"]``), so that an
        #: adapter whose platform gives a chat a new id tells the operator what to update.
        self.named_in_config: Callable[[str], Sequence[str]] = _nowhere

    @property
    def writes_first(self) -> bool:
        """Whether the bot may write first to a person in private: Matrix invites them to a
        private room, the console just writes; Telegram lets a bot write only to people who
        pressed Start (`Context.can_write_privately`). Part of `capabilities`."""
        return self.capabilities.writes_first

    @writes_first.setter
    def writes_first(self, value: bool) -> None:
        self.capabilities = replace(self.capabilities, writes_first=value)

    def routes(self) -> Sequence[RouteDef]:
        """Routes to mount on the bot's web server (a webhook), asked once when the web server
        is built (``web.enabled``), before `start`."""
        return ()

    @abc.abstractmethod
    async def start(self, sink: EventSink) -> None:
        """Connect and begin handing events to `sink`; return once receiving runs (for an adapter
        with a `receiver_key`: once it is ready to, `start_receiving` begins)."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop receiving (the sender may still deliver what is in flight; see `close`)."""

    def receiver_key(self) -> str | None:
        """The platform account whose events this adapter fetches itself (Telegram's
        ``getUpdates``, Matrix's ``/sync``), when only one process may fetch them at a time; None
        (the default) when receiving needs no such care (a webhook, the console) or starts in
        `start`. Called after `start`. With several workers (``dispatcher.shared``) the workers
        elect one receiver per key through the database (`qunzhu.core._election`), and another
        takes over within seconds when it dies; the new one goes on from the cursor stored with
        the inbox, so nothing is lost and nothing is handled twice."""
        return None

    async def start_receiving(self) -> None:  # noqa: B027 - only for adapters with a key
        """Begin fetching events (after `start`): at once with one worker, in the elected worker
        with several. Only called when `receiver_key` is not None."""

    async def stop_receiving(self) -> None:  # noqa: B027 - only for adapters with a key
        """Stop fetching events (the election was lost: the database connection broke); `start`
        and the sender stay as they are."""

    async def close(self) -> None:  # noqa: B027 - optional: most adapters hold nothing to close
        """Release the connections sending needs: called once the sender has stopped."""

    @abc.abstractmethod
    async def send(self, chat: ChatRef, reply: Reply) -> str:
        """Deliver `reply` to `chat`; return the platform's id of the new message."""

    async def send_keyed(self, chat: ChatRef, reply: Reply, key: str) -> str:
        """Like `send`, with a key unique to this outgoing message. Platforms with idempotent
        sends (Matrix transaction ids) use it so that a message retried after a crash arrives
        once; the default ignores it.

        Raise `RetryLater`, `TemporaryFailure` or `PermanentFailure` to tell the outbox what to
        do; any other exception counts as temporary."""
        return await self.send(chat, reply)

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent."""
        msg = f"the {self.platform} adapter cannot edit messages"
        raise AdapterError(msg)

    async def react(
        self, chat: ChatRef, target_event_id: str, key: str, *, removed: bool = False, txn: str
    ) -> None:
        """Put the reaction `key` (an emoji) on the message `target_event_id` of `chat`, or with
        `removed` take the bot's reaction `key` back. `txn` is unique to this outgoing reaction
        (the outbox key, as for `send_keyed`): platforms with idempotent requests use it so that
        a reaction retried after a crash counts once. Taking back a reaction the bot does not
        have is a success. Raise the outbox's exceptions as `send_keyed` does.

        The default fails permanently, once: an adapter that cannot react never retries."""
        msg = f"the {self.platform} adapter cannot react to messages"
        raise PermanentFailure(msg)

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of an attachment a message carried."""
        msg = f"the {self.platform} adapter cannot download attachments"
        raise AdapterError(msg)

    async def direct_chat(self, user: UserRef) -> ChatRef:
        """The private chat between the bot and `user` (created if the platform needs that)."""
        return ChatRef(self.platform, user.user_id, ChatKind.DIRECT, user.display_name)

    async def known_direct_chat(self, user: UserRef) -> ChatRef | None:
        """The private chat with `user` if there is one, without creating it (`direct_chat` may
        create one: a Matrix room the person is invited to). The default: `direct_chat`, for
        platforms where asking creates nothing."""
        return await self.direct_chat(user)


@dataclass(frozen=True)
class LazyAdapter:
    """What an adapter's entry point may name instead of its class.

    ``telegram = "qunzhu.adapters.telegram:ADAPTER"`` with
    ``ADAPTER = LazyAdapter(TelegramConfig, "qunzhu.adapters.telegram.adapter:TelegramAdapter",
    extra="telegram")``: the module that defines ADAPTER must not import the platform library."""

    #: The model of the adapter's section (``adapters.<name>``).
    config: type[BaseModel]
    #: ``module:Class`` of the adapter.
    adapter: str
    #: The ``qunzhu[...]`` extra that installs the platform library, named when it is missing.
    extra: str | None = None

    def load(self, name: str) -> type[Adapter]:
        module, _, attribute = self.adapter.partition(":")
        try:
            found = getattr(import_module(module), attribute)
        except ModuleNotFoundError as exc:
            missing = exc.name or "a library"
            if missing.split(".")[0] == "qunzhu":
                raise
            install = f"qunzhu[{self.extra}]" if self.extra else missing
            message = (
                f"adapters.{name}: the {name} adapter needs {missing}, which is not installed: "
                f"pip install '{install}'"
            )
            raise AdapterError(message) from None
        if not (isinstance(found, type) and issubclass(found, Adapter)):
            message = f"adapters.{name}: {self.adapter} is not an Adapter class"
            raise AdapterError(message)
        return found


async def _nothing() -> None:
    return None


def _nowhere(chat_key: str) -> Sequence[str]:
    return ()


async def _no_names(keys: Sequence[str]) -> dict[str, str]:
    return {}
