"""Telegram's flood limits for one bot, enforced with exact sliding windows.

Telegram asks bots to stay under 30 messages per second overall, 20 messages per minute in each
group or supergroup, and about one message per second in each private chat. `RateLimiter` holds
every delivered send's time in a window per limit; a send that would push any window over its cap
is refused with ``429 Too Many Requests: retry after N`` (N = whole seconds until it would fit,
at least 1) and recorded as a `Violation`. Time comes from an injected monotonic clock, so tests
move it by hand instead of sleeping.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import too_many_requests

__all__ = ["Limits", "RateLimiter", "Violation"]


@dataclass(frozen=True)
class Limits:
    """The caps. `scale` multiplies every count (scale=10: 300/s, 200/min, 10/s) while the windows
    keep their length, so a benchmark can push ten times the traffic in the same time."""

    per_second: int = 30
    """Sends per second across all chats."""
    per_group_minute: int = 20
    """Sends per minute in one group or supergroup."""
    per_private_second: int = 1
    """Sends per second in one private chat."""
    scale: float = 1.0
    count_edits: bool = True
    """Whether editMessageText/Caption/ReplyMarkup count as sends (Telegram counts them)."""
    enabled: bool = True

    def cap(self, base: int) -> int:
        """`base` scaled, at least 1."""
        return max(1, round(base * self.scale))


@dataclass(frozen=True)
class Violation:
    """A send the emulator refused with 429: which `limit` it would have broken, at clock time
    `at`, and the `retry_after` it answered."""

    method: str
    chat_id: int
    at: float
    limit: str
    retry_after: int


@dataclass
class _Window:
    name: str
    cap: int
    width: float
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float, count: int) -> float:
        """Seconds until `count` more sends fit (0 when they fit now). A request bigger than
        the whole window (an album in a private chat) fits once the window is empty."""
        while self.times and self.times[0] <= now - self.width:
            self.times.popleft()
        excess = len(self.times) + count - self.cap
        if excess <= 0 or not self.times:
            return 0.0
        drop = min(excess, len(self.times))
        return self.times[drop - 1] + self.width - now


class RateLimiter:
    """Admits or refuses sends; keeps the violations and the delivered counts."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.violations: list[Violation] = []
        self.delivered: Counter[int] = Counter()
        self._windows: dict[tuple[str, int], _Window] = {}

    @property
    def total(self) -> int:
        """Sends delivered in all chats."""
        return sum(self.delivered.values())

    def reset(self) -> None:
        """Forget all windows, violations and counts."""
        self.violations.clear()
        self.delivered.clear()
        self._windows.clear()

    def admit(self, method: str, chat_id: int, private: bool, count: int = 1) -> None:
        """Count `count` sends to `chat_id`, or raise the 429 ApiError without counting them."""
        if self.limits.enabled:
            now = self.clock()
            windows = [self._window("global", 0, self.limits.per_second, 1.0)]
            if private:
                windows.append(
                    self._window("private", chat_id, self.limits.per_private_second, 1.0)
                )
            else:
                windows.append(self._window("group", chat_id, self.limits.per_group_minute, 60.0))
            waits = [(w.wait(now, count), w.name) for w in windows]
            wait, name = max(waits, key=lambda item: item[0])
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                self.violations.append(Violation(method, chat_id, now, name, retry_after))
                raise too_many_requests(retry_after)
            for window in windows:
                window.times.extend([now] * count)
        self.delivered[chat_id] += count

    def _window(self, kind: str, chat_id: int, base: int, width: float) -> _Window:
        key = (kind, chat_id)
        if key not in self._windows:
            cap = self.limits.cap(base)
            unit = "s" if width == 1.0 else "min"
            self._windows[key] = _Window(f"{kind} {cap}/{unit}", cap, width)
        return self._windows[key]
