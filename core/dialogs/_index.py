"""`OpenDialogs`: which (platform, chat, user) keys have an open dialog, as far as memory holds.

A message from someone without an open dialog should cost no database round trip, so the index
is loaded at start-up and kept as dialogs open and close. It holds at most `size` keys (a city's
people could leave that many dialogs half answered), least recently used forgotten first:

* While no open dialog was ever pushed out, the index is *complete*: a key it does not hold has
  no open dialog, and only open keys are held.
* Once an open key is pushed out (more open dialogs than `size`), it is not: a key it does not
  hold *may* have an open dialog, so the router asks the database (`DialogService.load`), and
  the answer, open or not, is held, so that the people talking now are asked about only once.
  Start-up loads the index afresh (complete again if it fits).

So the index decides only how often the database is asked, never what the answer is.
"""

from __future__ import annotations

from collections.abc import Iterable

from qunzhu.core._lru import LRU

__all__ = ["Key", "OpenDialogs"]

#: (platform, chat id, user id)
Key = tuple[str, str, str]


class OpenDialogs:
    def __init__(self, size: int) -> None:
        self._keys: LRU[Key, bool] = LRU(size, on_evict=self._evicted)
        #: Every open dialog is held (a key not held has none).
        self.complete = True

    def __len__(self) -> int:
        return len(self._keys)

    def load(self, open_keys: Iterable[Key]) -> None:
        """Start afresh from every open dialog in the database."""
        self._keys.clear()
        self.complete = True
        for key in open_keys:
            self._keys.put(key, True)

    def may_be_open(self, key: Key) -> bool:
        """False only when `key` surely has no open dialog."""
        known = self._keys.get(key)
        if known is not None:
            return known
        return not self.complete

    def state(self, key: Key) -> bool | None:
        """What is held for `key` (None: nothing), to `restore` it after a rollback."""
        return self._keys.peek(key)

    def opened(self, key: Key) -> None:
        self._keys.put(key, True)

    def closed(self, key: Key) -> None:
        if self.complete:
            self._keys.pop(key)  # complete: not held means closed
        else:
            self._keys.put(key, False)

    def restore(self, key: Key, state: bool | None) -> None:
        """Put back what `state` says was held (None: nothing; when the index became incomplete
        meanwhile, "nothing" then means "ask the database", which is always safe)."""
        if state is None:
            self._keys.pop(key)
        else:
            self._keys.put(key, state)

    def _evicted(self, key: Key, is_open: bool) -> None:
        if is_open:
            self.complete = False
