"""Invitations: joined when they come from an allowed person or homeserver, declined otherwise.

A bot that joins every room it is invited to can be pulled into anyone's room and made to work
for them; `InviteRules` (``adapters.matrix.invites``) name who may invite it. An invitation is
answered while its sync is converted, before the batch's cursor is recorded: a crash in between
shows the same invitation again, and joining twice is harmless. A join or a decline the
homeserver refuses (the room is gone, the invitation was withdrawn) is logged and dropped; a
network error fails the whole sync round, which is then retried.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .config import InviteRules
from .mapping import content_of
from .rooms import Rooms

__all__ = ["Invitation", "Invites", "invitation"]

log = logging.getLogger("qunzhu.adapters.matrix")


class Membership(Protocol):
    """What invitations need of the client: ``join`` and ``leave`` (True when done)."""

    async def join(self, room_id: str) -> bool: ...

    async def leave(self, room_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Invitation:
    room_id: str
    inviter: str
    direct: bool
    name: str = ""


def invitation(
    room_id: str, stripped_state: Sequence[Mapping[str, Any]], bot_user_id: str
) -> Invitation | None:
    """The invitation in an invited room's stripped state: who sent it, whether it is for a
    private chat (``is_direct``)."""
    inviter, direct, name = None, False, ""
    for event in stripped_state:
        content = content_of(event)
        if (
            event.get("type") == "m.room.member"
            and event.get("state_key") == bot_user_id
            and content.get("membership") == "invite"
        ):
            inviter = event.get("sender")
            direct = bool(content.get("is_direct"))
        elif event.get("type") == "m.room.name" and isinstance(content.get("name"), str):
            name = content["name"]
    if not isinstance(inviter, str):
        return None
    return Invitation(room_id, inviter, direct, name)


class Invites:
    def __init__(self, client: Membership, rules: InviteRules, rooms: Rooms) -> None:
        self.client = client
        self.rules = rules
        self.rooms = rooms
        self.joined: list[str] = []
        self.declined: list[str] = []

    async def answer(self, invitations: Sequence[Invitation]) -> None:
        for invited in invitations:
            if self.rules.allows(invited.inviter):
                if await self.client.join(invited.room_id):
                    self.rooms.expect(invited.room_id, direct=invited.direct)
                    if invited.direct:
                        self.rooms.remember_dm(invited.inviter, invited.room_id)
                    self.joined.append(invited.room_id)
                    log.info(
                        "event=matrix_invite_accepted room=%s inviter=%s direct=%s",
                        invited.room_id,
                        invited.inviter,
                        invited.direct,
                    )
            elif self.rules.decline_others:
                if await self.client.leave(invited.room_id):
                    self.declined.append(invited.room_id)
                log.warning(
                    "event=matrix_invite_declined room=%s inviter=%s hint=%s",
                    invited.room_id,
                    invited.inviter,
                    "not in adapters.matrix.invites allow_users/allow_servers",
                )
            else:
                log.info(
                    "event=matrix_invite_ignored room=%s inviter=%s",
                    invited.room_id,
                    invited.inviter,
                )
