"""`Backlog`: the sender's picture of one platform's pending outbox, kept in memory.

Messages reach it in two ways: handed over by the transaction that wrote them, once it has
committed (`offer`), or read from the table (`merge`, at start-up, after a backlog too large to
hold, and always when several workers share the database). The table stays the truth: the
backlog only saves the sender from querying it for every message.

The backlog is *complete* when it holds every pending row; only then are hand-overs taken (a
message handed over while older rows of the same chat are still unread would jump the queue).
When it is not complete, the sender reads the table again once the backlog runs dry.

Order: one queue per chat, oldest first. A message is taken off its queue when it starts and
stays *known* until its outcome is committed, so that a read of the table made before that
commit cannot bring it back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from qunzhu.core.delivery._outbox import Outgoing

__all__ = ["Backlog"]


class Backlog:
    def __init__(self) -> None:
        self._queues: dict[str, deque[Outgoing]] = {}
        self._known: set[int] = set()
        #: Ids whose outcome was committed while a read of the table was under way.
        self._released_during_read: set[int] | None = None
        #: Hand-overs that arrived while a read was under way.
        self._offered_during_read: list[Outgoing] | None = None
        #: Monotonic time before which a chat's first message must not start (a retry's delay).
        self.not_before: dict[str, float] = {}
        self.complete = False
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def chats(self) -> Iterator[tuple[str, deque[Outgoing]]]:
        return iter(self._queues.items())

    # -- what comes in -------------------------------------------------------------------------
    def offer(self, messages: Iterable[Outgoing]) -> None:
        """Messages whose transaction has committed."""
        if self._offered_during_read is not None:
            self._offered_during_read.extend(messages)
        elif self.complete:
            for out in messages:
                self._add(out)

    def begin_read(self) -> None:
        self._released_during_read = set()
        self._offered_during_read = []

    def end_read(self, rows: list[Outgoing], *, complete: bool) -> int:
        """Merge what a read of the table found (oldest first) and the hand-overs that arrived
        meanwhile; returns how many messages were new."""
        released = self._released_during_read or set()
        offered = self._offered_during_read or []
        self._released_during_read = None
        self._offered_during_read = None
        added = 0
        for out in rows:
            if out.id not in self._known and out.id not in released:
                self._add(out)
                added += 1
        self.complete = complete
        if complete:
            for out in offered:
                if out.id not in self._known and out.id not in released:
                    self._add(out)
        return added

    def abort_read(self) -> None:
        self._released_during_read = None
        self._offered_during_read = None
        self.complete = False

    def _add(self, out: Outgoing) -> None:
        queue = self._queues.get(out.chat.chat_id)
        if queue is None:
            self._queues[out.chat.chat_id] = deque((out,))
        elif not queue or queue[-1].id < out.id:
            queue.append(out)
        else:  # an older message committed late (or found by a read): keep id order
            queue.append(out)
            ordered = sorted(queue, key=lambda o: o.id)
            queue.clear()
            queue.extend(ordered)
        self._known.add(out.id)
        self.size += 1

    # -- what goes out -------------------------------------------------------------------------
    def take(self, chat_id: str) -> Outgoing:
        """Start the first message of `chat_id` (it stays known until `release`)."""
        queue = self._queues[chat_id]
        out = queue.popleft()
        if not queue:
            del self._queues[chat_id]
        self.size -= 1
        return out

    def put_back(self, out: Outgoing, not_before: float) -> None:
        """A message that will be tried again: first in its chat again, not before then."""
        self._queues.setdefault(out.chat.chat_id, deque()).appendleft(out)
        self.not_before[out.chat.chat_id] = not_before
        self.size += 1

    def release(self, message_id: int) -> None:
        """The outcome of a message that left the backlog is committed."""
        self._known.discard(message_id)
        if self._released_during_read is not None:
            self._released_during_read.add(message_id)

    def drop_chat(self, chat_id: str) -> list[Outgoing]:
        """Everything queued for a chat the bot can no longer post in."""
        queue = self._queues.pop(chat_id, deque())
        self.size -= len(queue)
        self.not_before.pop(chat_id, None)
        for out in queue:
            self.release(out.id)
        return list(queue)
