"""From one sync response to the events the core records.

For each room, in this order: its state changes and member counts are applied to the room
directory (`rooms`); the events of a gap (the bot was away longer than one sync's timeline holds)
are fetched and mapped; then the timeline's events are mapped in order. The bot's own messages
are not handed to the core, but their buttons are noted (`choices`); the bot's own joins and
leaves are (the core marks the chat active or inactive). Invitations are answered (`invites`)
before the batch is recorded, so an invitation is never lost to a crash.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qunzhu.core.adapter import ButtonPress, ChatKind, Event, Reaction, UserRef

from .choices import Choices, offer_of
from .mapping import (
    PLATFORM,
    content_of,
    member_event,
    message_event,
    reaction_event,
    relation,
)
from .rooms import Room, Rooms

__all__ = ["Gap", "Receiver", "RoomUpdate"]

log = logging.getLogger("qunzhu.adapters.matrix")
Json = Mapping[str, Any]
#: ``gap(room_id, prev_batch, since) -> events`` oldest first: what a limited timeline left out.
Gap = Callable[[str, str, str], Awaitable[list[Json]]]
_REACTIONS = 10_000


@dataclass(frozen=True, slots=True)
class RoomUpdate:
    """One room's part of a sync response, as JSON."""

    room_id: str
    state: Sequence[Json]
    timeline: Sequence[Json]
    limited: bool = False
    prev_batch: str | None = None
    joined: int | None = None
    invited: int | None = None
    #: Other members the homeserver names the room after (``m.heroes``): in a private chat, the
    #: person.
    heroes: tuple[str, ...] = ()
    left: bool = False


class Receiver:
    def __init__(
        self,
        *,
        bot_user_id: str,
        rooms: Rooms,
        choices: Choices,
        hooks: frozenset[str],
        gap: Gap | None = None,
    ) -> None:
        self.bot_user_id = bot_user_id
        self.rooms = rooms
        self.choices = choices
        self.members = "on_member_change" in hooks
        self.reactions = "on_reaction" in hooks
        self._gap = gap
        self._reactions: OrderedDict[str, Reaction] = OrderedDict()

    async def convert(
        self, updates: Sequence[RoomUpdate], *, since: str | None, history: bool
    ) -> list[Event]:
        """The events of `updates`. Without `since` (the first sync) the timelines are history:
        mapped only when `history` is asked for."""
        out: list[Event] = []
        for update in updates:
            room, known = await self.rooms.lookup(update.room_id)
            was_member = known and room.member
            for event in update.state:
                self._state(room, event)
            room.apply_summary(update.joined, update.invited)
            others = [h for h in update.heroes if h != self.bot_user_id]
            if room.kind is ChatKind.DIRECT and len(others) == 1:
                self.rooms.guess_dm(others[0], room.room_id)
            timeline = list(update.timeline)
            gap = self._gap if since is not None and update.limited and was_member else None
            if gap is not None and update.prev_batch:
                missed = await gap(update.room_id, update.prev_batch, since or "")
                seen = {e.get("event_id") for e in timeline}
                for event in (e for e in missed if e.get("event_id") not in seen):
                    await self._one(room, event, out, apply=False)
            # history is what happened before the bot was there: before its first sync, or in
            # a room it has just joined, before its own join
            history_until = None if since is None else self._own_join(timeline, was_member)
            for index, event in enumerate(timeline):
                before = since is None or (history_until is not None and index < history_until)
                if before and not history:  # its state still counts
                    if "state_key" in event:
                        self._state(room, event)
                    continue
                await self._one(room, event, out, apply=True)
            if update.left:
                room.member = False
        return out

    def _own_join(self, timeline: Sequence[Json], was_member: bool) -> int | None:
        """Where the bot's own join is in `timeline`, when it joined in this sync."""
        if was_member:
            return None
        for index, event in enumerate(timeline):
            if (
                event.get("type") == "m.room.member"
                and event.get("state_key") == self.bot_user_id
                and content_of(event).get("membership") == "join"
            ):
                return index
        return None

    def _state(self, room: Room, event: Json) -> None:
        room.apply_state(event, self.bot_user_id)
        if event.get("type") == "m.room.member":
            self.rooms.see_member(room.room_id, event)

    def user(self, room: Room, user_id: str) -> UserRef:
        name = self.rooms.display_name(room.room_id, user_id)
        return UserRef(PLATFORM, user_id, name, is_bot=user_id == self.bot_user_id)

    async def _one(self, room: Room, event: Json, out: list[Event], *, apply: bool) -> None:
        """Map one timeline event (`apply`: and take its state into account)."""
        try:
            kind, sender = event.get("type"), event.get("sender")
            if not isinstance(sender, str) or not isinstance(event.get("event_id"), str):
                return
            if "state_key" in event:
                if apply:
                    self._state(room, event)
                if kind == "m.room.member":
                    self._member(room, event, out)
                return
            if sender == self.bot_user_id:
                await self._own(room, event)
                return
            if kind == "m.room.message":
                await self._message(room, event, out)
            elif kind == "m.reaction":
                await self._reaction(room, event, out)
            elif kind == "m.room.redaction":
                self._redaction(room, event, out)
            elif kind == "m.room.encrypted":
                log.warning(
                    "event=matrix_undecryptable room=%s event_id=%s hint=%s",
                    room.room_id,
                    event.get("event_id"),
                    "an encrypted room: set encryption: true (needs qunzhu[e2e])",
                )
        except Exception:  # one unreadable event must not stop the bot
            log.exception(
                "event=matrix_event_unreadable room=%s event_id=%s",
                room.room_id,
                event.get("event_id"),
            )

    def _member(self, room: Room, event: Json, out: list[Event]) -> None:
        user_id = event.get("state_key")
        if not isinstance(user_id, str):
            return
        if user_id != self.bot_user_id and not self.members:
            return
        actor = self.user(room, str(event["sender"]))
        if actor.is_bot:
            actor = self._cause(room, event)
        change = member_event(event, room.chat(), actor, self.user(room, user_id))
        if change is not None:
            out.append(change)

    def _cause(self, room: Room, event: Json) -> UserRef:
        """Who made the bot join: the bot sends its own join, but the core (rightly) ignores
        what bots send, so the join is credited to whoever invited it (``prev_sender``), or to
        the account itself as a person when the homeserver does not say."""
        unsigned = event.get("unsigned")
        inviter = unsigned.get("prev_sender") if isinstance(unsigned, Mapping) else None
        if isinstance(inviter, str) and inviter != self.bot_user_id:
            return self.user(room, inviter)
        name = self.rooms.display_name(room.room_id, self.bot_user_id)
        return UserRef(PLATFORM, self.bot_user_id, name)

    async def _own(self, room: Room, event: Json) -> None:
        """The bot's own message coming back: note the buttons it offers."""
        if event.get("type") != "m.room.message":
            return
        content = content_of(event)
        rel = relation(content)
        if rel.get("rel_type") == "m.replace" and isinstance(rel.get("event_id"), str):
            new = content.get("m.new_content")
            offer = offer_of(rel["event_id"], new if isinstance(new, Mapping) else {})
            await self.choices.bot_edit(room.room_id, offer.message_id, offer.data, offer.labels)
        else:
            offer = offer_of(str(event["event_id"]), content)
            await self.choices.bot_message(room.room_id, offer.message_id, offer.data, offer.labels)

    async def _message(self, room: Room, event: Json, out: list[Event]) -> None:
        chat, sender = room.chat(), self.user(room, str(event["sender"]))
        message = message_event(event, chat, sender)
        if message is None:
            return
        if not (message.edited or message.attachments or message.location):
            press = await self.choices.by_text(room.room_id, message.text, message.reply_to)
            if press is not None:
                offer, data = press
                pressed = ButtonPress(
                    message.event_id, chat, sender, offer.message_id, data, message.sent_at
                )
                out.append(pressed)
                return
        if chat.is_direct:
            self.rooms.remember_dm(sender.user_id, room.room_id)
        out.append(message)

    async def _reaction(self, room: Room, event: Json, out: list[Event]) -> None:
        chat, sender = room.chat(), self.user(room, str(event["sender"]))
        reaction = reaction_event(event, chat, sender)
        if reaction is None:
            return
        press = await self.choices.by_reaction(room.room_id, reaction.target_id, reaction.key)
        if press is not None:
            offer, data = press
            out.append(
                ButtonPress(
                    reaction.event_id, chat, sender, offer.message_id, data, reaction.sent_at
                )
            )
            return
        self._reactions[reaction.event_id] = reaction
        while len(self._reactions) > _REACTIONS:
            self._reactions.popitem(last=False)
        if self.reactions:
            out.append(reaction)

    def _redaction(self, room: Room, event: Json, out: list[Event]) -> None:
        """A reaction taken back is the redaction of the reaction event (remembered ones)."""
        redacts = event.get("redacts") or content_of(event).get("redacts")
        reaction = self._reactions.pop(redacts, None) if isinstance(redacts, str) else None
        if reaction is None or not self.reactions:
            return
        out.append(
            Reaction(
                str(event["event_id"]),
                room.chat(),
                self.user(room, str(event["sender"])),
                reaction.target_id,
                reaction.key,
                removed=True,
                sent_at=reaction.sent_at,
            )
        )
