"""`LRU`: a mapping that holds at most `size` entries and forgets the least recently used.

The core keeps a few things in memory that grow with the people, chats and dialogs a bot meets
(people by identity, which dialogs are open); a city has 300,000 people, so each is bounded.
Reading an entry (`get`) or writing it marks it used; when a write makes the map too large, the
entry unused for longest goes, so the hot set (who is talking now) stays. Nothing may depend on
an entry being there: a miss is always answered from the database.

An ``OrderedDict`` does the bookkeeping (``move_to_end``, ``popitem(last=False)``: both O(1)),
as `functools.lru_cache` does in C; a dependency (cachetools) would add nothing we use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["LRU"]

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `size` entries; `on_evict(key, value)` is told of each one pushed out."""

    __slots__ = ("_data", "_on_evict", "evicted", "size")

    def __init__(self, size: int, on_evict: Callable[[K, V], None] | None = None) -> None:
        if size < 1:
            msg = f"an LRU holds at least one entry (size={size})"
            raise ValueError(msg)
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._on_evict = on_evict
        #: How many entries were pushed out so far (for logs and benchmarks).
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is held (does not mark it used)."""
        return key in self._data

    def __iter__(self) -> Iterator[K]:
        """The keys, least recently used first."""
        return iter(list(self._data))

    def get(self, key: K) -> V | None:
        """The value of `key` (marked used), or None."""
        data = self._data
        value = data.get(key)
        if value is not None:
            data.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The value of `key` without marking it used."""
        return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        """Hold `value` under `key` (marked used), pushing out the least recently used entry
        when there is no room."""
        data = self._data
        data[key] = value
        data.move_to_end(key)
        while len(data) > self.size:
            old_key, old_value = data.popitem(last=False)
            self.evicted += 1
            if self._on_evict is not None:
                self._on_evict(old_key, old_value)

    def pop(self, key: K) -> V | None:
        """Forget `key`; its value, or None."""
        return self._data.pop(key, None)

    def items(self) -> list[tuple[K, V]]:
        """A copy of the entries, least recently used first."""
        return list(self._data.items())

    def clear(self) -> None:
        self._data.clear()
