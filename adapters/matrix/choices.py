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
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from qunzhu.core.adapter import EventSink

from .keys import state_key

__all__ = ["BUTTONS_KEY", "Choices", "Offer", "keycap", "number_of"]

log = logging.getLogger("qunzhu.adapters.matrix")

#: Where a bot message's content lists its buttons' data, in number order.
BUTTONS_KEY = "qunzhu.buttons"
_KEYCAP = "\ufe0f\u20e3"
_TEN = "\U0001f51f"  # 🔟
_STATE_LIMIT = 1000
_REMEMBER = 5000

Fetch = Callable[[str, str], Awaitable[Sequence[str] | None]]


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
    """The buttons a bot message offered (their data, in number order)."""

    message_id: str
    data: tuple[str, ...]

    def pick(self, number: int | None) -> str | None:
        if number is None or not 1 <= number <= len(self.data):
            return None
        return self.data[number - 1]


class Choices:
    def __init__(self, sink: EventSink | None, fetch: Fetch | None = None) -> None:
        self._sink = sink
        self._fetch = fetch
        self._latest: dict[str, Offer | None] = {}
        self._offers: OrderedDict[str, Offer] = OrderedDict()
        self._dirty: set[str] = set()

    # -- the bot's own messages, as the sync hands them back -----------------------------------
    async def bot_message(self, room_id: str, message_id: str, data: Sequence[str]) -> None:
        """The bot posted `message_id` in `room_id` offering `data` (maybe none)."""
        offer = Offer(message_id, tuple(data))
        self._remember(offer)
        await self._set_latest(room_id, offer)

    async def bot_edit(self, room_id: str, target: str, data: Sequence[str]) -> None:
        """The bot edited `target`: its buttons are now `data`."""
        offer = Offer(target, tuple(data))
        self._remember(offer)
        latest = await self._latest_in(room_id)
        if latest is not None and latest.message_id == target:
            await self._set_latest(room_id, offer)

    # -- presses -------------------------------------------------------------------------------
    async def by_number(
        self, room_id: str, text: str, reply_to: str | None
    ) -> tuple[Offer, str] | None:
        """The button a message that is only a number presses, or None."""
        number = number_of(text)
        if number is None:
            return None
        # a reply answers the message it replies to (a number replying to a person's question
        # is an answer, not a press); a plain message answers the bot's latest one
        offer = await self._offer(room_id, reply_to) if reply_to else await self._latest_in(room_id)
        data = offer.pick(number) if offer is not None else None
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

    async def _offer(self, room_id: str, message_id: str) -> Offer | None:
        """What bot message `message_id` offers: remembered, else read from the homeserver."""
        offer = self._offers.get(message_id)
        if offer is not None:
            return offer
        latest = await self._latest_in(room_id)
        if latest is not None and latest.message_id == message_id:
            return latest
        if self._fetch is None:
            return None
        data = await self._fetch(room_id, message_id)
        if not data:
            return None
        offer = Offer(message_id, tuple(data))
        self._remember(offer)
        return offer

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
            message_id, data = json.loads(stored)
        except (ValueError, TypeError):
            return None
        if data is None and self._fetch is not None:  # too long to keep: read it again
            data = await self._fetch(room_id, message_id) or ()
        return Offer(str(message_id), tuple(str(d) for d in data or ()))

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
            value = json.dumps([offer.message_id, list(offer.data)], ensure_ascii=False)
            if len(value) > _STATE_LIMIT:
                value = json.dumps([offer.message_id, None])
            values[state_key("buttons", room_id)] = value
        sink = self._sink
        await asyncio.gather(*(sink.set_state(k, v) for k, v in values.items()))
        self._dirty.clear()
