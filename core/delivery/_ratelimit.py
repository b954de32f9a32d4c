"""Outbound rate limits, declared by each adapter and enforced by its sender.

A platform states its limits as "at most N messages per T seconds" (Telegram: 30 per second per
bot, 20 per minute per group, about 1 per second per private chat). `Window` enforces exactly
that: a token bucket of N tokens in which each spent token comes back T seconds after it was
spent, so no span of T seconds ever holds more than N sends (a classic bucket that refills
continuously allows up to 2N in some span, which the platform would answer with 429).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from qunzhu.core.model._events import ChatKind, ChatRef

__all__ = ["Limit", "Limits", "RateLimiter", "Window"]


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` sends in any span of `per` seconds."""

    count: int
    per: float

    def scaled(self, factor: float) -> Limit:
        return Limit(self.count, self.per / factor)


@dataclass(frozen=True, slots=True)
class Limits:
    """What an adapter declares: a limit for the whole bot and one per chat of each kind."""

    total: Limit | None = None
    per_chat: dict[ChatKind, Limit] = field(default_factory=dict)

    def scaled(self, factor: float) -> Limits:
        """The same limits `factor` times faster (benchmarks against an emulator)."""
        return Limits(
            self.total.scaled(factor) if self.total else None,
            {k: v.scaled(factor) for k, v in self.per_chat.items()},
        )


#: A token comes back this share of `per` late: what the platform counts is when a message
#: arrives, which is a little after the sender decided to send it.
MARGIN = 0.03


class Window:
    """N tokens; each returns `per` seconds (plus `MARGIN`) after it was spent."""

    __slots__ = ("_per", "_spent", "limit")

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self._per = limit.per * (1 + MARGIN)
        self._spent: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 when one is)."""
        spent = self._spent
        while spent and spent[0] + self._per <= now:
            spent.popleft()
        if len(spent) < self.limit.count:
            return 0.0
        return spent[0] + self._per - now

    def take(self, now: float) -> None:
        self._spent.append(now)

    def shift(self, spent_at: float, used_at: float) -> None:
        """The token taken at `spent_at` was really used at `used_at` (the send started late:
        the event loop was busy). The margin absorbs a usual delay; beyond it, the token comes
        back that much later, so a stall cannot squeeze two windows together. (Adapters whose
        platform counts arrivals strictly pace requests themselves as well: Telegram's does.)"""
        late = used_at - spent_at - self.limit.per * MARGIN
        if late <= 0:
            return
        used_at = spent_at + late
        spent = self._spent
        try:
            spent.remove(spent_at)
        except ValueError:  # already returned
            return
        bisect.insort(spent, used_at)

    def idle(self, now: float) -> bool:
        return not self._spent or self._spent[-1] + self._per <= now


class RateLimiter:
    """The limits of one adapter: a window for the bot and one per active chat, plus the pauses
    a platform asked for (``retry_after``).

    At most `max_chats` chat windows are kept (``outbox.chat_cache``), least recently used
    forgotten first, but only once idle: a window that still holds a send would let the next
    message through too early. Busy windows are those used within the last `per` seconds, so
    beyond the bound there are at most as many as the bot's own limit lets it send in that
    time (Telegram: 30 a second for 60 seconds). Pauses are kept only while they last."""

    def __init__(self, limits: Limits, *, max_chats: int = 100_000) -> None:
        self.limits = limits
        self._total = Window(limits.total) if limits.total else None
        self._chats: OrderedDict[str, Window] = OrderedDict()
        self._paused_until = 0.0
        self._chat_paused: dict[str, float] = {}
        self._max_chats = max_chats

    def wait(self, chat: ChatRef, now: float) -> float:
        """Seconds until a message may go to `chat`."""
        wait = max(self._paused_until - now, self._chat_paused.get(chat.key, 0.0) - now, 0.0)
        if self._total is not None:
            wait = max(wait, self._total.wait(now))
        window = self._chats.get(chat.key)
        if window is not None:
            wait = max(wait, window.wait(now))
        return wait

    def bot_wait(self, now: float) -> float:
        """Seconds until the bot may send anything at all (its own window, or a pause)."""
        wait = max(self._paused_until - now, 0.0)
        if self._total is not None:
            wait = max(wait, self._total.wait(now))
        return wait

    def take(self, chat: ChatRef, now: float) -> None:
        if self._total is not None:
            self._total.take(now)
        limit = self.limits.per_chat.get(chat.kind)
        if limit is None:
            return
        window = self._chats.get(chat.key)
        if window is None:
            window = self._chats[chat.key] = Window(limit)
            self._forget_idle(now)
        else:
            self._chats.move_to_end(chat.key)
        window.take(now)

    def shift(self, chat: ChatRef, spent_at: float, used_at: float) -> None:
        """A message decided at `spent_at` started only at `used_at`: count it from then."""
        if used_at <= spent_at:
            return
        if self._total is not None:
            self._total.shift(spent_at, used_at)
        window = self._chats.get(chat.key)
        if window is not None:
            window.shift(spent_at, used_at)

    def pause(self, seconds: float, now: float, chat: ChatRef | None = None) -> None:
        """The platform said "retry after `seconds`" for the bot, or for one chat."""
        until = now + seconds
        if chat is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._chat_paused[chat.key] = max(self._chat_paused.get(chat.key, 0.0), until)
            if len(self._chat_paused) > self._max_chats:
                self._chat_paused = {k: t for k, t in self._chat_paused.items() if t > now}

    @property
    def chats(self) -> int:
        """How many chat windows are kept."""
        return len(self._chats)

    def _forget_idle(self, now: float) -> None:
        excess = len(self._chats) - self._max_chats
        if excess <= 0:
            return
        idle = []
        for key, window in self._chats.items():  # least recently used first
            if window.idle(now):
                idle.append(key)
                if len(idle) == excess:
                    break
        for key in idle:
            del self._chats[key]
