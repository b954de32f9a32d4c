"""An in-memory adapter: events come from test code, replies and reactions are recorded."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from qunzhu.core.adapter import Adapter, AdapterConfig, Capabilities, EventSink
from qunzhu.core.clock import Clock
from qunzhu.core.errors import AdapterError
from qunzhu.core.model._events import Attachment, ChatKind, ChatRef, UserRef
from qunzhu.core.model._reply import Button, Reply

__all__ = ["MemoryAdapter", "Reacted", "Sent"]


@dataclass
class Sent:
    """A message the bot sent (and its later edits)."""

    chat: ChatRef
    reply: Reply
    message_id: str
    edits: list[Reply] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.current.text

    @property
    def current(self) -> Reply:
        return self.edits[-1] if self.edits else self.reply

    @property
    def buttons(self) -> tuple[Button, ...]:
        return self.current.flat_buttons

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    def button(self, which: str | int) -> Button:
        """A button by its label (or a part of it) or by its 1-based number."""
        if isinstance(which, int):
            return self.buttons[which - 1]
        for b in self.buttons:
            if which == b.label or which in b.label:
                return b
        msg = f"no button {which!r} among {self.labels}"
        raise LookupError(msg)


@dataclass(frozen=True)
class Reacted:
    """A reaction the bot put on the message `target` of `chat` (or took back: `removed`)."""

    chat: ChatRef
    target: str
    key: str
    removed: bool = False


class MemoryAdapter(Adapter):
    platform = "memory"
    #: Hears everything and does everything; a test may set other `Capabilities` (a
    #: mention-only platform: ``Capabilities(hearing=Hearing.MENTIONS, mention="@群助手")``).
    capabilities = Capabilities(reactions=True)

    def __init__(
        self, config: AdapterConfig | None = None, *, clock: Clock, platform: str = "memory"
    ) -> None:
        super().__init__(config or AdapterConfig(), clock=clock)
        self.platform = platform  # type: ignore[misc]
        self.sink: EventSink | None = None
        self.sent: list[Sent] = []
        #: Every reaction the bot put (or took back), in order.
        self.reactions: list[Reacted] = []
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        #: Make sends fail: a function of (chat, reply) returning an exception to raise, or None.
        self.failure: Callable[[ChatRef, Reply], Exception | None] | None = None
        self.attempts = 0

    async def start(self, sink: EventSink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        self.sink = None

    async def send(self, chat: ChatRef, reply: Reply) -> str:
        self.attempts += 1
        error = self.failure(chat, reply) if self.failure is not None else None
        if error is not None:
            raise error
        sent = Sent(chat, reply, f"m{next(self._ids)}")
        self.sent.append(sent)
        return sent.message_id

    async def edit(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        for sent in self.sent:
            if sent.message_id == message_id:
                sent.edits.append(reply)
                return
        msg = f"no message {message_id}"
        raise AdapterError(msg)

    async def react(
        self, chat: ChatRef, target_event_id: str, key: str, *, removed: bool = False, txn: str
    ) -> None:
        self.reactions.append(Reacted(chat, target_event_id, key, removed))

    async def download(self, attachment: Attachment) -> bytes:
        try:
            return self.files[attachment.ref]
        except KeyError:
            msg = f"no file {attachment.ref!r}"
            raise AdapterError(msg) from None

    async def direct_chat(self, user: UserRef) -> ChatRef:
        return ChatRef(self.platform, f"dm:{user.user_id}", ChatKind.DIRECT, user.display_name)
