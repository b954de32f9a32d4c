"""`Tally`: what happened since start, counted where it happens, read by ``GET /metrics``.

A counter is a name and a few labels (``platform``); counting is a dictionary update, cheap enough
for the hot paths (the inbox's write, a batch handled). The tally is the application's (one per
`App`, no module-level registry), and it knows nothing of Prometheus: `qunzhu.core._metrics`
renders it with the rest at scrape time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

__all__ = ["Tally"]

Labels = tuple[tuple[str, str], ...]


class Tally:
    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, Labels], float] = defaultdict(float)

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        """Add `amount` to the counter `name` with these labels."""
        self._counts[(name, tuple(sorted(labels.items())))] += amount

    def count_platforms(self, name: str, platforms: Iterable[str]) -> None:
        """Add one to `name` per item of `platforms`, by platform: one update per platform for a
        batch of events, not one per event."""
        for platform, amount in Counter(platforms).items():
            self.inc(name, amount, platform=platform)

    def get(self, name: str, **labels: str) -> float:
        return self._counts.get((name, tuple(sorted(labels.items()))), 0.0)

    def items(self) -> Iterator[tuple[str, Labels, float]]:
        """Every counter as (name, labels, value), sorted."""
        for (name, labels), value in sorted(self._counts.items()):
            yield name, labels, value
