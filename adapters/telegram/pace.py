"""Telegram's limits for every single Bot API call that posts, counted the way Telegram counts.

Telegram counts a message when its request arrives, some time after the bot decided to send it:
while a photo uploads, while the event loop is busy, while the packet travels. The core's sender
decides under the same limits (with a 3 % margin), but a burst whose first second arrived late
would let the second second arrive less than a second after it, and Telegram answers that with
429. So each request here holds a place in every window it counts against from before it leaves
until its answer comes back, and the place stays taken for `per` seconds *from the answer*. The
answer comes after Telegram counted the request, so no `per` seconds ever hold more than `count`
requests as Telegram sees them, whatever the latency; the cost is one round trip per window.

It also counts what the sender cannot see: the second and later messages of a `Reply` that takes
several (a photo and a long text), and the edits.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncIterator

from qunzhu.core.adapter import ChatRef, Clock, Limit, Limits

__all__ = ["Pace"]


class _Window:
    __slots__ = ("busy", "count", "done", "per")

    def __init__(self, limit: Limit) -> None:
        self.count = limit.count
        self.per = limit.per
        self.done: deque[float] = deque()  # when the answers came
        self.busy = 0  # requests not answered yet

    def wait(self, now: float) -> float:
        while self.done and self.done[0] + self.per <= now:
            self.done.popleft()
        if len(self.done) + self.busy < self.count:
            return 0.0
        if not self.done:  # every place is in flight: none frees sooner than `per` from now
            return self.per
        return self.done[0] + self.per - now

    def idle(self, now: float) -> bool:
        return not self.busy and (not self.done or self.done[-1] + self.per <= now)


class Pace:
    def __init__(self, limits: Limits, clock: Clock, *, max_chats: int = 10_000) -> None:
        self._limits = limits
        self._clock = clock
        self._total = _Window(limits.total) if limits.total else None
        self._chats: dict[str, _Window] = {}
        self._max_chats = max_chats

    @contextlib.asynccontextmanager
    async def __call__(self, chat: ChatRef) -> AsyncIterator[None]:
        """Wait for a place in `chat`'s window and the bot's; hold it while the request runs."""
        windows = self._windows(chat)
        while (wait := max((w.wait(self._clock.monotonic()) for w in windows), default=0)) > 0:
            await self._clock.sleep(wait)
        for window in windows:
            window.busy += 1
        try:
            yield
        finally:
            now = self._clock.monotonic()
            for window in windows:
                window.busy -= 1
                window.done.append(now)

    def _windows(self, chat: ChatRef) -> list[_Window]:
        windows = [self._total] if self._total is not None else []
        limit = self._limits.per_chat.get(chat.kind)
        if limit is not None:
            window = self._chats.get(chat.key)
            if window is None:
                if len(self._chats) >= self._max_chats:
                    self._forget_idle()
                window = self._chats[chat.key] = _Window(limit)
            windows.append(window)
        return windows

    def _forget_idle(self) -> None:
        now = self._clock.monotonic()
        for key in [k for k, w in self._chats.items() if w.idle(now)]:
            del self._chats[key]
