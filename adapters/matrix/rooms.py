"""What the bot knows about its rooms, kept so that a restart needs no full sync.

A sync from a stored ``next_batch`` carries only what changed since; what the bot learnt before
(a room's name, how many members it has, whether it is encrypted, who moderates it, whether it is
someone's private chat with the bot) is kept in the adapter's state, one small record per room
(``room:<room id>``), written before the batch's events and cursor, so a crash in between only
applies the same changes again. Display names come with every sync: the adapter asks for the
member events of everyone who speaks in it (lazy-loaded members, redundant ones included), so
they are kept in memory only.

A room is *direct* (a private chat with the bot) when its invitation said so (``is_direct``, what
clients send when someone starts a private chat), or when it has two members, the bot and one
person, and no name: a room someone named ("北部新城工程") is a group even before its other
members have joined.

Each person's private chat is kept in the state too (``dm:<user id>``), where every worker of
the bot reads it. Only the syncing worker writes room records; any worker may create a private
room, reserving the record first and storing the room at once (`claim_dm`, `direct`): two
workers opening one for the same person at the same moment end with one room. What the
sync learns writes over it when the person chose the room (invited the bot to it as a private
chat, or wrote in it), and is kept only when none is stored when it merely looks like one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qunzhu.core.adapter import ChatKind, ChatRef, EventSink

from .keys import state_key
from .mapping import PLATFORM, content_of

__all__ = ["Room", "Rooms", "is_room"]

log = logging.getLogger("qunzhu.adapters.matrix")
_STATE_LIMIT = 1000  # characters of one adapter state value (the column holds 1024)
_MODERATOR = 50
_NAMES_PER_ROOM = 2000


@dataclass(slots=True)
class Room:
    room_id: str
    name: str = ""
    alias: str = ""
    joined: int | None = None
    invited: int | None = None
    #: Said so by the invitation (``is_direct``), or the bot created it for one person.
    direct: bool = False
    encrypted: bool = False
    #: The bot is in the room (False once it left or was removed).
    member: bool = True
    #: The last person whose membership changed (not the bot) left, was banned or declined
    #: the invitation: with one member left, a private chat nobody reads. (Counts alone cannot
    #: tell it from a room the bot has just created, whose invitation the sync has not seen.)
    deserted: bool = False
    #: Power levels: the default, the level needed to post, and who is a moderator or more.
    users_default: int = 0
    send_level: int = 0
    moderators: dict[str, int] = field(default_factory=dict)

    @property
    def members(self) -> int | None:
        if self.joined is None:
            return None
        return self.joined + (self.invited or 0)

    @property
    def kind(self) -> ChatKind:
        members = self.members
        if members is not None and members > 2:
            return ChatKind.GROUP
        if self.direct or (members is not None and not self.name):
            return ChatKind.DIRECT
        return ChatKind.GROUP

    @property
    def readable(self) -> bool:
        """Whether the bot's messages here reach someone: it is in the room, and the room is
        not a private chat its person left."""
        alone = self.deserted and self.members is not None and self.members < 2
        return self.member and not alone

    @property
    def title(self) -> str:
        return self.name or self.alias

    def chat(self) -> ChatRef:
        return ChatRef(PLATFORM, self.room_id, self.kind, self.title)

    def power_level(self, user_id: str) -> int:
        return self.moderators.get(user_id, self.users_default)

    # -- changes -------------------------------------------------------------------------------
    def apply_state(self, event: Mapping[str, Any], bot_user_id: str) -> bool:
        """Take a state event into account; True when something kept changed."""
        kind, content = event.get("type"), content_of(event)
        before = self.dump()
        if kind == "m.room.name":
            self.name = _text(content.get("name"))
        elif kind == "m.room.canonical_alias":
            self.alias = _text(content.get("alias"))
        elif kind == "m.room.encryption":
            self.encrypted = True
        elif kind == "m.room.power_levels":
            self._power(content)
        elif kind == "m.room.member" and event.get("state_key") == bot_user_id:
            self.member = content.get("membership") == "join"
        elif kind == "m.room.member":
            self.deserted = content.get("membership") in ("leave", "ban")
        return self.dump() != before

    def apply_summary(self, joined: int | None, invited: int | None) -> bool:
        changed = False
        if joined is not None and joined != self.joined:
            self.joined, changed = joined, True
        if invited is not None and invited != self.invited:
            self.invited, changed = invited, True
        return changed

    def _power(self, content: Mapping[str, Any]) -> None:
        self.users_default = _int(content.get("users_default"), 0)
        events = content.get("events")
        send = events.get("m.room.message") if isinstance(events, Mapping) else None
        self.send_level = _int(send, _int(content.get("events_default"), 0))
        users = content.get("users")
        users = users if isinstance(users, Mapping) else {}
        strong = sorted(
            ((u, _int(level, 0)) for u, level in users.items() if isinstance(u, str)),
            key=lambda item: -item[1],
        )
        self.moderators = {u: level for u, level in strong if level >= _MODERATOR}

    # -- storage -------------------------------------------------------------------------------
    def dump(self) -> str:
        """The record kept in the adapter's state (cut to fit: moderators first, then names)."""
        data: dict[str, Any] = {
            "n": self.name,
            "a": self.alias,
            "j": self.joined,
            "i": self.invited,
            "d": self.direct,
            "e": self.encrypted,
            "m": self.member,
            "x": self.deserted,
            "u": self.users_default,
            "s": self.send_level,
            "p": self.moderators,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        while len(text) > _STATE_LIMIT and data["p"]:
            data["p"] = dict(list(data["p"].items())[: len(data["p"]) // 2])
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(text) > _STATE_LIMIT:
            data["n"], data["a"] = data["n"][:200], data["a"][:200]
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, room_id: str, text: str) -> Room:
        data = json.loads(text)
        joined, invited = data.get("j"), data.get("i")
        # a record from before "x": one member left meant the person had gone
        alone = joined is not None and joined + (invited or 0) < 2
        return cls(
            room_id,
            name=data.get("n", ""),
            alias=data.get("a", ""),
            joined=joined,
            invited=invited,
            direct=bool(data.get("d")),
            encrypted=bool(data.get("e")),
            member=bool(data.get("m", True)),
            deserted=bool(data.get("x", alone)),
            users_default=int(data.get("u", 0)),
            send_level=int(data.get("s", 0)),
            moderators={str(k): int(v) for k, v in data.get("p", {}).items()},
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


class Rooms:
    """The room directory: records loaded from the adapter's state on first use, changes written
    back with `save`; display names of the people seen; each person's private chat."""

    def __init__(self, sink: EventSink | None, bot_user_id: str) -> None:
        self._sink = sink
        self.bot_user_id = bot_user_id
        self._rooms: dict[str, Room] = {}
        self._saved: dict[str, str] = {}
        self._names: dict[str, OrderedDict[str, str]] = {}
        self._dm: dict[str, str] = {}
        self._fresh: set[str] = set()  # first seen in the sync being converted
        self._expected: dict[str, bool] = {}
        self._dm_dirty: set[str] = set()
        self._dm_guessed: set[str] = set()

    async def get(self, room_id: str) -> Room:
        return (await self.lookup(room_id))[0]

    async def lookup(self, room_id: str) -> tuple[Room, bool]:
        """The room's record, and whether it was known before (in memory or in the state)."""
        room = self._rooms.get(room_id)
        if room is not None:
            return room, room_id not in self._fresh
        stored = await self._sink.state(state_key("room", room_id)) if self._sink else None
        if stored:
            try:
                room = Room.load(room_id, stored)
                self._saved[room_id] = stored
            except (ValueError, TypeError, AttributeError):
                log.warning("event=room_record_unreadable room=%s", room_id)
        known = room is not None
        if room is None:
            room = Room(room_id, direct=self._expected.pop(room_id, False))
            self._fresh.add(room_id)
        self._rooms[room_id] = room
        return room, known

    def expect(self, room_id: str, *, direct: bool) -> None:
        """The bot has joined `room_id` on an invitation (for a private chat, or not): the room
        arrives in a later sync, new to the directory."""
        if room_id not in self._rooms:
            self._expected[room_id] = direct

    def known(self, room_id: str) -> Room | None:
        return self._rooms.get(room_id)

    async def stored(self, room_id: str) -> Room | None:
        """The room's record as the receiving worker last wrote it, read again (not kept)."""
        text = await self._sink.state(state_key("room", room_id)) if self._sink else None
        try:
            return Room.load(room_id, text) if text else None
        except (ValueError, TypeError, AttributeError):
            return None

    def forget(self) -> None:
        """Drop what was read from the state: this worker becomes the one that syncs, and
        another may have written newer records meanwhile (display names are kept)."""
        for kept in (self._rooms, self._saved, self._dm):
            kept.clear()
        for marks in (self._fresh, self._dm_dirty, self._dm_guessed):
            marks.clear()

    async def save(self) -> None:
        """Write the records (and private chats) that changed since they were loaded or last
        written: by the sync loop, before a batch is recorded, never from a handler (which runs
        inside the dispatcher's write transaction)."""
        self._fresh.clear()
        changed = {
            room_id: text
            for room_id, room in self._rooms.items()
            if (text := room.dump()) != self._saved.get(room_id)
        }
        values = {state_key("room", room_id): text for room_id, text in changed.items()}
        values.update({state_key("dm", user): self._dm[user] for user in self._dm_dirty})
        guessed = {user: self._dm[user] for user in self._dm_guessed - self._dm_dirty}
        if self._sink is None or not (values or guessed):
            return
        sink = self._sink
        await asyncio.gather(*(sink.set_state(k, v) for k, v in values.items()))
        for user, room_id in guessed.items():  # what another worker stored first stays
            won = await sink.claim_state(state_key("dm", user), room_id)
            if is_room(won):
                self._dm[user] = won
            else:  # another worker is creating one
                self._dm.pop(user, None)
        self._saved.update(changed)
        self._dm_dirty.clear()
        self._dm_guessed.clear()

    # -- people --------------------------------------------------------------------------------
    def see_member(self, room_id: str, event: Mapping[str, Any]) -> None:
        """Remember the display name an ``m.room.member`` event gives its user."""
        user = event.get("state_key")
        name = content_of(event).get("displayname")
        if not isinstance(user, str):
            return
        names = self._names.setdefault(room_id, OrderedDict())
        if isinstance(name, str) and name:
            names[user] = name
            names.move_to_end(user)
            while len(names) > _NAMES_PER_ROOM:
                names.popitem(last=False)

    def display_name(self, room_id: str, user_id: str) -> str:
        names = self._names.get(room_id)
        if names and user_id in names:
            return names[user_id]
        for other in self._names.values():  # seen in another room
            if user_id in other:
                return other[user_id]
        return ""

    # -- private chats -------------------------------------------------------------------------
    async def dm_room(self, user_id: str, *, fresh: bool = False) -> str | None:
        """The room known as `user_id`'s private chat with the bot, if any; `fresh`: read
        again from the state, where any worker may have stored one since."""
        cached = user_id in self._dm and not fresh
        if not cached and user_id not in self._dm_dirty:
            stored = await self.dm_record(user_id)
            if stored and is_room(stored):
                self._dm[user_id] = stored
        return self._dm.get(user_id)

    async def dm_record(self, user_id: str) -> str | None:
        """What the state holds for `user_id`'s private chat, read again: a room id, or a
        worker's reservation while it creates one (`direct`)."""
        return await self._sink.state(state_key("dm", user_id)) if self._sink else None

    async def claim_dm(self, user_id: str, value: str, *, replacing: str | None) -> str:
        """Store `value` (a room this worker created, or its reservation) as `user_id`'s
        private chat unless another worker stored something else first (other than
        `replacing`): what is stored is returned, durable and seen by every worker."""
        won = value
        if self._sink is not None:
            key = state_key("dm", user_id)
            won = await self._sink.claim_state(key, value, replacing=replacing)
        if is_room(won):
            self._dm[user_id] = won
        self._dm_dirty.discard(user_id)
        self._dm_guessed.discard(user_id)
        return won

    def remember_dm(self, user_id: str, room_id: str) -> None:
        """`room_id` is `user_id`'s private chat with the bot: they invited the bot to it as
        one or wrote in it (written over what is stored, by the next `save`)."""
        if self._dm.get(user_id) != room_id:
            self._dm[user_id] = room_id
            self._dm_dirty.add(user_id)

    def guess_dm(self, user_id: str, room_id: str) -> None:
        """`room_id` looks like `user_id`'s private chat (the bot and them, no name): kept
        when none is known (by the next `save`, unless another worker stored one first)."""
        if user_id not in self._dm:
            self._dm[user_id] = room_id
            self._dm_guessed.add(user_id)


def is_room(value: str) -> bool:
    """Whether a stored private chat is a room id (not a worker's reservation, `direct`)."""
    return value.startswith("!")
