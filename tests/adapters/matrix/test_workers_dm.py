"""Two workers of one Matrix account on one PostgreSQL (``dispatcher.shared``) and a real Synapse:
the worker that does not sync opens a person's private chat, and the worker that syncs writes to
the same person there; two workers opening one at the same moment end with one room too. The
person gets one invitation (issue 19 leftover: the room a worker created was kept in that
worker's memory only, and the other invited the person to a second private room)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from qunzhu.core import Context
from qunzhu.core.model._events import UserRef
from tests.adapters.matrix.conftest import MakeApp, MakePerson
from tests.adapters.matrix.mxapp import MatrixApp
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.synapse import Account

pytestmark = pytest.mark.postgres


async def _two_workers(make_app: MakeApp, pg_url: str) -> tuple[MatrixApp, MatrixApp]:
    """(the worker that syncs, the one that does not), as the election made them. The test
    asks for `pg_url` before `make_app`, so that the workers stop before it is dropped."""
    shared = {
        "database": {"url": pg_url},
        "dispatcher": {"shared": True, "poll_interval": 0.05},
    }
    apps = [await make_app(config=shared) for _ in range(2)]

    async def rounds() -> list[int]:
        return [a.adapter.syncer.rounds if a.adapter.syncer else 0 for a in apps]

    await wait_for(rounds, any)
    syncing = [a for a in apps if a.adapter.syncer and a.adapter.syncer.rounds]
    assert len(syncing) == 1
    other = apps[1] if syncing[0] is apps[0] else apps[0]
    return syncing[0], other


def _hold_sync(app: MatrixApp) -> asyncio.Event:
    """Hold the worker's sync rounds before they are converted, until the event is set."""
    assert app.adapter.syncer is not None
    receiver = app.adapter.syncer.receiver
    convert, held = receiver.convert, asyncio.Event()

    async def late(*args: Any, **kwargs: Any) -> Any:
        await held.wait()
        return await convert(*args, **kwargs)

    receiver.convert = late  # type: ignore[method-assign]
    return held


def _write_privately(user: UserRef, text: str) -> Callable[[Context], Awaitable[object]]:
    async def work(ctx: Context) -> object:  # as a handler would, in its transaction
        return await ctx.send_direct(user, text)

    return work


async def _one_invitation(person: Person) -> str:
    await wait_for(person.invited_rooms, bool)
    await asyncio.sleep(1.0)  # a second invitation would have arrived by now
    invited = await person.invited_rooms()
    assert len(invited) == 1, f"invited to {len(invited)} private rooms"
    return str(invited[0])


async def _bodies(person: Person, room: str, bot: str, count: int) -> list[str]:
    """The bot's first `count` messages in `room` but the test plugin's "… joined"."""

    async def said() -> list[str]:
        events = await person.from_bot(room, bot)
        return [e["content"]["body"] for e in events if "joined" not in e["content"]["body"]]

    return sorted(await wait_for(said, lambda bodies: len(bodies) >= count))


async def test_a_private_chat_one_worker_opened_is_the_one_the_other_writes_to(
    pg_url: str, make_app: MakeApp, person: MakePerson, bot_account: Account
) -> None:
    syncing, other = await _two_workers(make_app, pg_url)
    bo = await person("bo")
    user = UserRef("matrix", bo.user_id, "薄")
    behind = _hold_sync(syncing)  # it has not seen the new room yet (a backlog, a slow round)
    await other.running.as_plugin("mxtest", _write_privately(user, "一、由不同步的进程发出"))
    await syncing.running.as_plugin("mxtest", _write_privately(user, "二、由同步的进程发出"))
    behind.set()
    dm = await _one_invitation(bo)
    await bo.join(dm)
    assert await _bodies(bo, dm, bot_account.user_id, 2) == [
        "一、由不同步的进程发出",
        "二、由同步的进程发出",
    ]
    for app in (syncing, other):
        known = await app.adapter.known_direct_chat(user)
        assert known is not None and known.chat_id == dm
    await other.restart()  # and after a restart of the worker that created it
    again = await other.adapter.known_direct_chat(user)
    assert again is not None and again.chat_id == dm


async def test_two_workers_opening_a_private_chat_at_once_keep_one_room(
    pg_url: str, make_app: MakeApp, person: MakePerson
) -> None:
    syncing, other = await _two_workers(make_app, pg_url)
    bo = await person("bo")
    user = UserRef("matrix", bo.user_id, "薄")
    chats = await asyncio.gather(syncing.adapter.direct_chat(user), other.adapter.direct_chat(user))
    assert chats[0].chat_id == chats[1].chat_id
    dm = await _one_invitation(bo)  # the second waited for the first one's room
    assert dm == chats[0].chat_id
    await bo.join(dm)
    await other.running.as_plugin("mxtest", _write_privately(user, "只有一个私聊"))
    assert await _bodies(bo, dm, syncing.user_id, 1) == ["只有一个私聊"]


async def test_a_declined_private_chat_is_opened_again_once(
    pg_url: str, make_app: MakeApp, person: MakePerson
) -> None:
    syncing, other = await _two_workers(make_app, pg_url)
    bo = await person("bo")
    user = UserRef("matrix", bo.user_id, "薄")
    await other.running.as_plugin("mxtest", _write_privately(user, "第一次"))
    declined = await _one_invitation(bo)
    await bo.leave(declined)  # 拒绝邀请
    # the syncing worker records it; every worker then knows the room is no use
    await wait_for(lambda: other.adapter.known_direct_chat(user), lambda chat: chat is None)
    await other.running.as_plugin("mxtest", _write_privately(user, "第二次"))
    await syncing.running.as_plugin("mxtest", _write_privately(user, "第三次"))
    dm = await _one_invitation(bo)
    assert dm != declined
    await bo.join(dm)
    assert await _bodies(bo, dm, syncing.user_id, 2) == ["第三次", "第二次"]
