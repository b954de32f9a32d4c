"""Buttons on Matrix, which has none: a numbered list, and a number (or a reaction) pressing one.

The bot's message lists its buttons as ``1. Yes`` / ``2. No`` (`render`), numbered as the console
numbers them (`qunzhu.adapters.console.render.pressable`: buttons with data, in order), and
carries their data in its content (``qunzhu.buttons``). The receiver sees the bot's own messages
come back in the sync, in timeline order, and keeps which buttons each room's latest bot message
offered (in the adapter's state, ``buttons:<room>``, so a restart keeps it). Then:

* a message that is only a number (``2``, ``２``), answered in that room while that message is
  the bot's latest there, is a `ButtonPress` of that button; the same number sent as a Matrix
  reply to an older bot message presses that message's button (as a reply to anything else, it
  is an ordinary message);
* a reaction with a number key (``2️⃣``, ``2``) on a bot message with buttons presses its button.

A number out of range, or after a bot message without buttons, is an ordinary message.

A message that asks for a typed answer (`Reply.typed_answer`: "how many kilos?") also lists its
buttons' labels in its content (``qunzhu.labels``) and shows them without numbers. Under it, a
message that is only a number is the answer, an ordinary message; a message that is exactly one
of the labels (`find_label`: letter case, spaces and full-width forms aside) presses that
button, under the same rules as a number (the room's latest bot message, or a reply to it).
Reactions press its buttons as on any other message, in the order they are listed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qunzhu.adapters.console.render import find_label
from qunzhu.core.adapter import EventSink

from .keys import state_key

__all__ = ["BUTTONS_KEY", "LABELS_KEY", "Choices", "Offer", "keycap", "number_of", "offer_of"]

log = logging.getLogger("qunzhu.adapters.matrix")

#: Where a bot message's content lists its buttons' data, in number order.
BUTTONS_KEY = "qunzhu.buttons"
#: Where a bot message that asks for a typed answer lists its buttons' labels, in the same order.
LABELS_KEY = "qunzhu.labels"
_KEYCAP = "\ufe0f\u20e3"
_TEN = "\U0001f51f"  # 🔟
_STATE_LIMIT = 1000
_REMEMBER = 5000
_LABEL_LIMIT = 100  # a longer message is never a button's label: no need to look one up


def number_of(text: str) -> int | None:
    """The number a message that is only a number means (ASCII or full-width digits)."""
    text = text.strip()
    if not text or len(text) > 3 or not text.isdecimal():
        return None
    return int(text)  # int() reads any Unicode decimal digits: "２" is 2


def keycap(number: int) -> str:
    """The reaction key of button `number`: 1️⃣ … 9️⃣, 🔟; beyond ten, the number itself."""
    if 0 <= number <= 9:
        return f"{number}{_KEYCAP}"
    return _TEN if number == 10 else str(number)


def _key_number(key: str) -> int | None:
    if key == _TEN:
        return 10
    bare = key.replace("\ufe0f", "").replace("\u20e3", "")
    return number_of(bare)


@dataclass(frozen=True, slots=True)
class Offer:
    """The buttons a bot message offered (their data, in number order); `labels` only when the
    message asks for a typed answer."""

    message_id: str
    data: tuple[str, ...]
    labels: tuple[str, ...] = ()

    @property
    def typed_answer(self) -> bool:
        return bool(self.labels)

    def pick(self, number: int | None) -> str | None:
        if number is None or not 1 <= number <= len(self.data):
            return None
        return self.data[number - 1]

    def pressed_by(self, text: str) -> str | None:
        """The button the message `text` presses: a number, or under a question that wants a
        typed answer, a label (and then a number is the answer: None)."""
        number = number_of(text)
        if not self.typed_answer:
            return self.pick(number)
        if number is not None or len(self.labels) != len(self.data):
            return None
        found = find_label(self.labels, text)
        return None if found is None else self.data[found]


def offer_of(message_id: str, content: Mapping[str, Any]) -> Offer:
    """What the bot message `message_id` with `content` offers (maybe nothing)."""
    return Offer(message_id, _strings(content.get(BUTTONS_KEY)), _strings(content.get(LABELS_KEY)))


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


Fetch = Callable[[str, str], Awaitable[Offer | None]]


class Choices:
    def __init__(self, sink: EventSink | None, fetch: Fetch | None = None) -> None:
        self._sink = sink
        self._fetch = fetch
        self._latest: dict[str, Offer | None] = {}
        self._offers: OrderedDict[str, Offer] = OrderedDict()
        self._dirty: set[str] = set()

    # -- the bot's own messages, as the sync hands them back -----------------------------------
    async def bot_message(
        self, room_id: str, message_id: str, data: Sequence[str], labels: Sequence[str] = ()
    ) -> None:
        """The bot posted `message_id` in `room_id` offering `data` (maybe none); `labels` when
        it asks for a typed answer."""
        offer = Offer(message_id, tuple(data), tuple(labels))
        self._remember(offer)
        await self._set_latest(room_id, offer)

    async def bot_edit(
        self, room_id: str, target: str, data: Sequence[str], labels: Sequence[str] = ()
    ) -> None:
        """The bot edited `target`: its buttons are now `data` (and `labels`)."""
        offer = Offer(target, tuple(data), tuple(labels))
        self._remember(offer)
        latest = await self._latest_in(room_id)
        if latest is not None and latest.message_id == target:
            await self._set_latest(room_id, offer)

    # -- presses -------------------------------------------------------------------------------
    async def by_text(
        self, room_id: str, text: str, reply_to: str | None
    ) -> tuple[Offer, str] | None:
        """The button a message presses (a number, or a label under a question that wants a
        typed answer), or None: it is an ordinary message."""
        number = number_of(text)
        if number is None and (len(text) > _LABEL_LIMIT or "\n" in text.strip()):
            return None
        # a reply answers the message it replies to (a number replying to a person's question
        # is an answer, not a press); a plain message answers the bot's latest one. A reply
        # that is not a number (maybe a label) is looked up among the messages remembered,
        # never fetched: most replies are to people.
        if reply_to:
            offer = await self._offer(room_id, reply_to, fetch=number is not None)
        else:
            offer = await self._latest_in(room_id)
        data = offer.pressed_by(text) if offer is not None else None
        return (offer, data) if offer is not None and data is not None else None

    async def by_reaction(self, room_id: str, target: str, key: str) -> tuple[Offer, str] | None:
        """The button a number reaction on the bot message `target` presses, or None."""
        number = _key_number(key)
        if number is None:
            return None
        offer = await self._offer(room_id, target)
        data = offer.pick(number) if offer is not None else None
        return (offer, data) if offer is not None and data is not None else None

    # -- memory --------------------------------------------------------------------------------
    def _remember(self, offer: Offer) -> None:
        if not offer.data:
            self._offers.pop(offer.message_id, None)
            return
        self._offers[offer.message_id] = offer
        self._offers.move_to_end(offer.message_id)
        while len(self._offers) > _REMEMBER:
            self._offers.popitem(last=False)

    async def _offer(self, room_id: str, message_id: str, *, fetch: bool = True) -> Offer | None:
        """What bot message `message_id` offers: remembered, else read from the homeserver."""
        offer = self._offers.get(message_id)
        if offer is not None:
            return offer
        latest = await self._latest_in(room_id)
        if latest is not None and latest.message_id == message_id:
            return latest
        if self._fetch is None or not fetch:
            return None
        offer = await self._fetch(room_id, message_id)
        if offer is None or not offer.data:
            return None
        self._remember(offer)
        return offer

    def forget(self) -> None:
        """Drop what was read from the state: this worker becomes the one that syncs again,
        and the one that synced meanwhile may have recorded later bot messages."""
        self._latest.clear()
        self._offers.clear()
        self._dirty.clear()

    async def _latest_in(self, room_id: str) -> Offer | None:
        if room_id not in self._latest:
            loaded = self._latest[room_id] = await self._load(room_id)
            if loaded is not None and loaded.message_id not in self._offers:
                self._remember(loaded)
        return self._latest[room_id]

    async def _load(self, room_id: str) -> Offer | None:
        stored = await self._sink.state(state_key("buttons", room_id)) if self._sink else None
        if not stored:
            return None
        try:
            message_id, data, *labels = json.loads(stored)  # labels: for a typed answer
        except (ValueError, TypeError):
            return None
        if data is None:  # too long to keep: read it again
            fetched = await self._fetch(room_id, message_id) if self._fetch is not None else None
            return fetched or Offer(str(message_id), ())
        kept = tuple(str(d) for d in data)
        return Offer(str(message_id), kept, _strings(labels[0]) if labels else ())

    async def _set_latest(self, room_id: str, offer: Offer) -> None:
        if room_id not in self._latest or self._latest[room_id] != offer:
            self._latest[room_id] = offer
            self._dirty.add(room_id)

    async def save(self) -> None:
        """Write the rooms whose latest bot message changed (before the batch is recorded)."""
        if not self._dirty or self._sink is None:
            self._dirty.clear()
            return
        values = {}
        for room_id in self._dirty:
            offer = self._latest.get(room_id)
            if offer is None:
                continue
            kept = [offer.message_id, list(offer.data)]
            if offer.labels:
                kept.append(list(offer.labels))
            value = json.dumps(kept, ensure_ascii=False)
            if len(value) > _STATE_LIMIT:
                value = json.dumps([offer.message_id, None])
            values[state_key("buttons", room_id)] = value
        sink = self._sink
        await asyncio.gather(*(sink.set_state(k, v) for k, v in values.items()))
        self._dirty.clear()
