"""The room directory of several workers on one database (`Rooms` over one state): a private room
one worker created is what the others find, a race keeps the first stored, and what the syncing
worker merely guesses never writes over it (issue 19 leftover: a worker that did not sync kept
the room it created in its memory only, so another worker invited the person to a second one)."""

from __future__ import annotations

import asyncio
from typing import Any

from nio import RoomCreateResponse

from qunzhu.adapters.matrix.choices import Choices
from qunzhu.adapters.matrix.direct import DirectChats
from qunzhu.adapters.matrix.rooms import Room, Rooms
from qunzhu.core.clock import FakeClock
from qunzhu.core.model._events import ChatRef, UserRef
from tests.adapters.matrix.memory_state import MemoryState

BOT = "@bot:hs"
ANA = "@ana:hs"


def _workers(state: MemoryState, count: int = 2) -> list[Rooms]:
    return [Rooms(state, BOT) for _ in range(count)]  # type: ignore[arg-type]


async def test_a_private_room_one_worker_created_is_the_one_another_finds() -> None:
    state = MemoryState()
    sender, syncer = _workers(state)
    assert await syncer.dm_room(ANA) is None
    assert await sender.claim_dm(ANA, "!sender", replacing=None) == "!sender"
    assert state.values["dm:@ana:hs"] == "!sender"  # stored at once, not at the next sync
    assert await syncer.dm_room(ANA) == "!sender"
    # after a restart too
    assert await Rooms(state, BOT).dm_room(ANA) == "!sender"  # type: ignore[arg-type]


async def test_two_workers_creating_one_at_once_both_keep_the_first_stored() -> None:
    state = MemoryState()
    first, second = _workers(state)
    assert await first.claim_dm(ANA, "!first", replacing=None) == "!first"
    assert await second.claim_dm(ANA, "!second", replacing=None) == "!first"
    assert await second.dm_room(ANA) == "!first"
    # a room known to be unusable (the person left it) is replaced, once
    assert await second.claim_dm(ANA, "!new", replacing="!first") == "!new"
    assert await first.claim_dm(ANA, "!other", replacing="!first") == "!new"


async def test_a_worker_reading_fresh_sees_the_room_another_stored_since() -> None:
    state = MemoryState()
    sender, syncer = _workers(state)
    await syncer.claim_dm(ANA, "!old", replacing=None)
    assert await sender.dm_room(ANA) == "!old"  # now cached
    await syncer.claim_dm(ANA, "!new", replacing="!old")
    assert await sender.dm_room(ANA) == "!old"
    assert await sender.dm_room(ANA, fresh=True) == "!new"


async def test_what_the_sync_guesses_never_writes_over_a_stored_private_room() -> None:
    state = MemoryState()
    sender, syncer = _workers(state)
    await sender.claim_dm(ANA, "!kept", replacing=None)
    # the syncing worker saw the room a racing worker gave up before it left it: two members,
    # no name, looks private
    syncer.guess_dm(ANA, "!dropped")
    await syncer.save()
    assert state.values["dm:@ana:hs"] == "!kept"
    assert await syncer.dm_room(ANA) == "!kept"
    # a guess is kept when nothing is stored
    syncer.guess_dm("@bo:hs", "!bo")
    await syncer.save()
    assert state.values["dm:@bo:hs"] == "!bo"
    # the person's own choice (invited the bot to a private chat, wrote in one) writes over
    syncer.remember_dm(ANA, "!chosen")
    await syncer.save()
    assert state.values["dm:@ana:hs"] == "!chosen"


async def test_a_worker_that_starts_syncing_reads_the_records_again() -> None:
    state = MemoryState()
    worker, old_syncer = _workers(state)
    room = await worker.get("!r")  # read while another worker synced: nothing there yet
    assert room.joined is None
    assert await worker.dm_room(ANA) is None
    synced = await old_syncer.get("!r")
    synced.joined, synced.invited = 1, 0  # the person refused the invitation
    old_syncer.remember_dm(ANA, "!r")
    await old_syncer.save()
    stored = await worker.stored("!r")
    assert stored is not None and stored.members == 1
    assert worker.known("!r") is room  # `stored` reads without replacing what is kept
    worker.forget()  # it becomes the one that syncs
    assert (await worker.get("!r")).members == 1
    assert await worker.dm_room(ANA) == "!r"
    assert isinstance(worker.known("!r"), Room)


# -- opening one (`DirectChats`), with a homeserver that only creates rooms ---------------------
class _Homeserver:
    def __init__(self) -> None:
        self.created: list[str] = []

    async def room_create(self, **request: Any) -> RoomCreateResponse:
        await asyncio.sleep(0)
        room_id = f"!made{len(self.created)}:hs"
        self.created.append(room_id)
        return RoomCreateResponse(room_id)


def _direct(state: MemoryState, clock: FakeClock) -> tuple[DirectChats, _Homeserver]:
    server = _Homeserver()
    rooms = Rooms(state, BOT)  # type: ignore[arg-type]
    return DirectChats(server, rooms, clock), server  # type: ignore[arg-type]


async def _run_until(task: asyncio.Task[ChatRef], clock: FakeClock, limit: int = 400) -> ChatRef:
    for _ in range(limit):
        if task.done():
            break
        await clock.advance(0.2)
    return task.result()


async def test_a_worker_waits_for_the_room_another_is_creating_and_invites_nobody() -> None:
    state, clock = MemoryState(), FakeClock()
    direct, server = _direct(state, clock)
    reservation = f"?opening other {clock.now().isoformat()}"
    state.values["dm:@ana:hs"] = reservation  # another worker is creating it
    task = asyncio.create_task(direct.open(UserRef("matrix", ANA), fresh=True))
    await clock.advance(1.0)
    assert not task.done()
    state.values["dm:@ana:hs"] = "!theirs:hs"  # their room, stored
    chat = await _run_until(task, clock)
    assert chat.chat_id == "!theirs:hs" and chat.is_direct
    assert server.created == []


async def test_a_reservation_whose_worker_died_is_taken_over_once() -> None:
    state, clock = MemoryState(), FakeClock()
    direct, server = _direct(state, clock)
    state.values["dm:@ana:hs"] = f"?opening dead {clock.now().isoformat()}"
    chat = await _run_until(
        asyncio.create_task(direct.open(UserRef("matrix", ANA), fresh=True)), clock
    )
    assert server.created == [chat.chat_id] == [state.values["dm:@ana:hs"]]


async def test_a_room_the_person_left_is_replaced_and_the_new_one_kept() -> None:
    state, clock = MemoryState(), FakeClock()
    direct, server = _direct(state, clock)
    state.values["dm:@ana:hs"] = "!left:hs"
    left = Room("!left:hs", joined=1, invited=0, direct=True, deserted=True)
    state.values["room:!left:hs"] = left.dump()
    ana = UserRef("matrix", ANA)
    first = await direct.open(ana, fresh=True)
    assert first.chat_id == "!made0:hs" == state.values["dm:@ana:hs"]
    again = await direct.open(ana, fresh=True)  # not seen by the sync yet: used as it is
    assert again.chat_id == "!made0:hs" and server.created == ["!made0:hs"]


async def test_two_workers_opening_at_once_create_one_room() -> None:
    state, clock = MemoryState(), FakeClock()
    (one, server_one), (two, server_two) = _direct(state, clock), _direct(state, clock)
    ana = UserRef("matrix", ANA)
    tasks = [asyncio.create_task(d.open(ana, fresh=True)) for d in (one, two)]
    chats = [await _run_until(t, clock) for t in tasks]
    assert chats[0].chat_id == chats[1].chat_id
    assert len(server_one.created + server_two.created) == 1


async def test_a_worker_that_syncs_again_presses_the_buttons_another_recorded_meanwhile() -> None:
    """Regression: a worker that synced, lost the election and won it back kept the latest bot
    message of each room it had read, so ``2`` pressed the older question's button."""
    state = MemoryState()
    worker, meanwhile = Choices(state), Choices(state)  # type: ignore[arg-type]
    await worker.bot_message("!r", "$first", ["first:yes", "first:no"])
    await worker.save()
    await meanwhile.bot_message("!r", "$second", ["second:yes", "second:no"])
    await meanwhile.save()
    worker.forget()  # it syncs again
    pressed = await worker.by_text("!r", "2", None)
    assert pressed is not None and pressed[1] == "second:no"


async def test_a_room_whose_invitation_the_sync_has_not_seen_yet_is_not_replaced() -> None:
    """Regression: the syncing worker saw the bot's new room before its invitation (the bot
    alone in it) and recorded one member; another worker took that for a room the person had
    left and invited them to a second one."""
    state, clock = MemoryState(), FakeClock()
    direct, server = _direct(state, clock)
    state.values["dm:@ana:hs"] = "!new:hs"
    state.values["room:!new:hs"] = Room("!new:hs", joined=1, invited=0, direct=True).dump()
    chat = await direct.open(UserRef("matrix", ANA), fresh=True)
    assert chat.chat_id == "!new:hs" and server.created == []


def test_the_person_leaving_a_private_room_leaves_it_unread() -> None:
    room = Room("!d:hs", joined=2, invited=0, direct=True)
    assert room.readable
    left = {"type": "m.room.member", "state_key": ANA, "content": {"membership": "leave"}}
    assert room.apply_state(left, BOT)
    room.apply_summary(1, 0)
    assert not room.readable
    assert not Room.load("!d:hs", room.dump()).readable
    back = {"type": "m.room.member", "state_key": ANA, "content": {"membership": "invite"}}
    room.apply_state(back, BOT)
    room.apply_summary(1, 1)
    assert room.readable
    # a record written before the flag: one member meant the person had gone
    old = '{"n":"","a":"","j":1,"i":0,"d":true,"e":false,"m":true,"u":0,"s":0,"p":{}}'
    assert not Room.load("!d:hs", old).readable
    assert Room.load("!d:hs", old.replace('"i":0', '"i":1')).readable
