"""Albums: photos sent together reach the plugins as ONE message.

A platform may deliver the photos of an album as one message each, sharing a key
(`Message.album`, Telegram's ``media_group_id``), without saying how many there are. The adapter
records every part in the inbox at once, like any event, so nothing waits outside the database
and a crash loses nothing. The dispatcher then holds a chat's events from an album's first part
on until no part of it has arrived for the adapter's ``album_wait`` seconds, and hands the
plugins one `Message` with every attachment and the caption that was written; the parts are
marked handled together.

With one worker the parts are all pushed to it (`AlbumGate` notes when the latest part came);
with several workers on one inbox the parts may have reached different workers, and whoever
claims the chat judges the album by the parts' ``received_at`` in the shared inbox.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.model._events import Message

__all__ = ["AlbumGate", "album_of", "gather", "merge_album"]

_NUMBERED = re.compile(r"\D{0,4}(\d+)")  # "42", Telegram's "s42" in a supergroup

#: An album: (chat key, album key).
AlbumKey = tuple[str, str]


def album_of(item: Recorded) -> AlbumKey | None:
    """The album `item` is a part of, if it is one (an edit of a part is a plain edit)."""
    event = item.event
    if isinstance(event, Message) and event.album is not None and not event.edited:
        return (event.chat.key, event.album)
    return None


def gather(
    items: Sequence[Recorded], quiet: Callable[[AlbumKey], bool]
) -> tuple[list[Recorded], list[Recorded]]:
    """Split `items` (in inbox order) into what may be handled now, each quiet album merged into
    one event at its first part's place, and what must wait: a chat's events from the first part
    of an album that is not `quiet` yet on (so that the chat's order is kept)."""
    ready: list[Recorded] = []
    waiting: list[Recorded] = []
    blocked: set[str] = set()
    parts: dict[AlbumKey, list[Recorded]] = {}
    for item in items:
        chat = item.event.chat.key
        if chat in blocked:
            waiting.append(item)
            continue
        album = album_of(item)
        if album is None:
            ready.append(item)
        elif album in parts:
            parts[album].append(item)
        elif quiet(album):
            parts[album] = [item]
            ready.append(item)  # stands for the whole album, merged below
        else:
            blocked.add(chat)
            waiting.append(item)
    if parts:
        ready = [
            merge_album(parts[album]) if (album := album_of(item)) in parts else item
            for item in ready
        ]
    return ready, waiting


def merge_album(parts: Sequence[Recorded]) -> Recorded:
    """The parts of an album as one event: the first part's id, every attachment in the order
    they were sent, and the caption that was written; it stands for every part's inbox row."""
    ordered = sorted(parts, key=_sent_order)
    first = ordered[0]
    messages = [p.event for p in ordered if isinstance(p.event, Message)]
    head = messages[0]
    worded = next((m for m in messages if m.text), head)
    merged = dataclasses.replace(
        head,
        text=worded.text,
        mentions=worded.mentions,
        attachments=tuple(a for m in messages for a in m.attachments),
        reply_to=next((m.reply_to for m in messages if m.reply_to), None),
        location=next((m.location for m in messages if m.location), None),
    )
    also = tuple(i for p in ordered for i in p.inbox_ids if i != first.inbox_id)
    return Recorded(first.inbox_id, merged, also, first.received_at)


def _sent_order(item: Recorded) -> tuple[float, int]:
    """Platforms number messages in a chat (Telegram's message ids); else the inbox's order."""
    number = _NUMBERED.fullmatch(item.event.event_id)
    return (int(number[1]) if number else math.inf, item.inbox_id)


class AlbumGate:
    """One worker's view: when the latest part of each album was pushed, and the events that
    wait behind an album that is still growing. An album is noted from its first part until
    it is handed on (a one-part album too) or, held by nobody, has been quiet for its wait:
    then noting it or not makes no difference, so memory holds only the albums of the last
    few seconds."""

    def __init__(self, wait_of: Callable[[str], float], monotonic: Callable[[], float]) -> None:
        self._wait_of = wait_of
        self._monotonic = monotonic
        self._latest: dict[AlbumKey, float] = {}
        #: Events held back, in inbox order.
        self.held: list[Recorded] = []

    def __bool__(self) -> bool:
        return bool(self.held)

    def arrived(self, items: Iterable[Recorded]) -> None:
        """Note the album parts among events just recorded."""
        now = None
        for item in items:
            album = album_of(item)
            if album is not None:
                self._latest[album] = now = now or self._monotonic()

    def admit(self, batch: list[Recorded]) -> list[Recorded]:
        """The events of `batch` (after those held before) that may be handled now; the rest
        stays held."""
        if not self.held and not any(album_of(item) for item in batch):
            return batch  # the usual case: no album anywhere
        ready, self.held = gather([*self.held, *batch], self._quiet)
        for item in ready:
            album = album_of(item)
            if album is not None:
                self._latest.pop(album, None)
        if len(self._latest) > len(self.held):  # parts that went past the gate (a redo)
            waiting = {album_of(item) for item in self.held}
            for album in [a for a in self._latest if a not in waiting and self._quiet(a)]:
                del self._latest[album]
        return ready

    def next_release(self) -> float | None:
        """Seconds until the earliest held album may be quiet (None when nothing is held)."""
        if not self.held:
            return None
        now = self._monotonic()
        due = [
            self._latest.get(album, now) + self._wait(album) - now
            for item in self.held
            if (album := album_of(item)) is not None
        ]
        return max(0.0, min(due, default=0.0))

    def _quiet(self, album: AlbumKey) -> bool:
        latest = self._latest.get(album)
        return latest is None or self._monotonic() - latest >= self._wait(album)

    def _wait(self, album: AlbumKey) -> float:
        return self._wait_of(album[0].split(":", 1)[0])


def quiet_in_inbox(
    items: Sequence[Recorded], now: datetime, wait_of: Callable[[str], float]
) -> Callable[[AlbumKey], bool]:
    """Several workers: an album is quiet when its latest part in the shared inbox was recorded
    ``album_wait`` seconds ago (`items` are the chat's unhandled events, read from the inbox)."""
    latest: dict[AlbumKey, datetime] = {}
    for item in items:
        album = album_of(item)
        if album is not None and item.received_at is not None:
            seen = latest.get(album)
            latest[album] = item.received_at if seen is None else max(seen, item.received_at)

    def quiet(album: AlbumKey) -> bool:
        received = latest.get(album)
        wait = wait_of(album[0].split(":", 1)[0])
        return received is None or (now - received).total_seconds() >= wait

    return quiet
