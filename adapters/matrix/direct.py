"""A person's private chat with the bot, the same for every worker of the account.

The room is kept in the adapter's state (``dm:<user id>``, see `rooms`), where every worker reads
it. A worker that does not sync reads it again each time, with the room's record: the syncing
worker writes there what it learns (the person left, or has not accepted the invitation yet).

To open one, a worker first reserves the record (``?opening <token> <time>``, with
`EventSink.claim_state`: of two workers reserving at once, one gets it), then creates the room
and invites the person, then stores the room in place of its reservation. A worker that finds
another's reservation waits for its room rather than create a second: the person is invited
once. The room cannot be created first and given up when another worker stored one meanwhile:
a private room gives the person the bot's power level (``trusted_private_chat``), so the bot
could not withdraw the invitation (Synapse: ``M_FORBIDDEN You cannot kick user``). A
reservation older than `wait` seconds (its worker died while creating) is taken over.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from nio import AsyncClient, RoomCreateResponse, RoomLeaveResponse, RoomPreset

from qunzhu.core.adapter import AdapterError, ChatKind, ChatRef, Clock, UserRef

from .mapping import PLATFORM
from .rooms import Room, Rooms, is_room

__all__ = ["DirectChats"]

log = logging.getLogger("qunzhu.adapters.matrix")
_RESERVED = "?opening"
_POLL = 0.2


class DirectChats:
    def __init__(
        self, client: AsyncClient, rooms: Rooms, clock: Clock, *, wait: float = 30.0
    ) -> None:
        self.client = client
        self.rooms = rooms
        self.clock = clock
        self.wait = wait

    async def known(self, user: UserRef, *, fresh: bool) -> ChatRef | None:
        """The person's private room, if the bot is in one with them; `fresh`: read again from
        the state (a worker that does not sync)."""
        room_id = await self.rooms.dm_room(user.user_id, fresh=fresh)
        if room_id is None:
            return None
        # read again, not kept: a room the syncing worker has not seen yet (created a moment
        # ago) has no record, and counts as usable; so does one whose invitation it has not
        # seen yet (one member, nobody left)
        room = (await self.rooms.stored(room_id) or Room(room_id)) if fresh else None
        room = room or await self.rooms.get(room_id)
        if room.readable:
            return ChatRef(PLATFORM, room_id, ChatKind.DIRECT, room.title or user.display_name)
        return None

    async def open(self, user: UserRef, *, fresh: bool) -> ChatRef:
        """The one known, or a new room the person is invited to, once for all workers."""
        known = await self.known(user, fresh=fresh)
        if known is None and not fresh:  # another worker may have opened one meanwhile
            known = await self.known(user, fresh=True)
        if known is not None:
            return known
        mine = f"{_RESERVED} {uuid.uuid4().hex[:12]} {self.clock.now().isoformat()}"
        deadline = self.clock.monotonic() + self.wait
        stale = record = await self.rooms.dm_record(user.user_id)  # none, or no longer usable
        while True:
            if record is not None and self._reserved(record, deadline):
                await self.clock.sleep(_POLL)  # another worker is creating it: wait for it
                record = await self.rooms.dm_record(user.user_id)
                continue
            if record is not None and record != stale and is_room(record):
                # stored meanwhile by the worker that created it (or the person chose it):
                # used as it is, even before the sync has seen the person invited
                return ChatRef(PLATFORM, record, ChatKind.DIRECT, user.display_name)
            won = await self.rooms.claim_dm(user.user_id, mine, replacing=record)
            if won == mine:
                break
            record = won
        try:
            room_id = await self._create(user)
        except BaseException:
            released = stale if stale is not None and is_room(stale) else ""
            await self.rooms.claim_dm(user.user_id, released, replacing=mine)
            raise
        kept = await self.rooms.claim_dm(user.user_id, room_id, replacing=mine)
        if not is_room(kept):  # creating took longer than `wait`: another worker took over
            kept = await self.rooms.claim_dm(user.user_id, room_id, replacing=kept)
        if kept != room_id and is_room(kept):  # the person chose one meanwhile (invited the bot)
            log.info("event=matrix_dm_superseded user=%s room=%s", user.user_id, room_id)
            await self._leave(room_id)
            return ChatRef(PLATFORM, kept, ChatKind.DIRECT, user.display_name)
        if not fresh:  # the syncing worker's directory, until the sync brings the room
            room = await self.rooms.get(room_id)
            room.direct, room.joined, room.invited = True, 1, 1
        return ChatRef(PLATFORM, room_id, ChatKind.DIRECT, user.display_name)

    def _reserved(self, record: str, deadline: float) -> bool:
        """Whether `record` is another worker's reservation, to wait for."""
        if not record.startswith(_RESERVED) or self.clock.monotonic() > deadline:
            return False
        try:
            since = datetime.fromisoformat(record.rsplit(" ", 1)[-1])
        except ValueError:
            return False
        return (self.clock.now() - since).total_seconds() < self.wait

    async def _create(self, user: UserRef) -> str:
        try:
            response = await self.client.room_create(
                is_direct=True, invite=[user.user_id], preset=RoomPreset.trusted_private_chat
            )
        except Exception as exc:
            msg = f"matrix: cannot create a room for {user.user_id}: {exc}"
            raise AdapterError(msg) from exc
        if not isinstance(response, RoomCreateResponse):
            msg = f"matrix: cannot create a room for {user.user_id}: {response}"
            raise AdapterError(msg)
        room_id: str = response.room_id
        log.info("event=matrix_dm_created user=%s room=%s", user.user_id, room_id)
        return room_id

    async def _leave(self, room_id: str) -> None:
        try:
            response = await self.client.room_leave(room_id)
        except Exception as exc:
            response = exc
        if not isinstance(response, RoomLeaveResponse):
            log.warning("event=matrix_dm_leave_failed room=%s error=%s", room_id, response)
