"""A city has 300,000 people: every in-memory cache the core keeps has a size, forgets the least
recently used first, and what it forgot is read back from the database (issue 19)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from qunzhu.core import Context, Dialog, Step, command, hookimpl
from qunzhu.core._lru import LRU
from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.delivery._ratelimit import Limit, Limits, RateLimiter
from qunzhu.core.dialogs._index import OpenDialogs
from qunzhu.core.dispatch._albums import AlbumGate
from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    Message,
    UserRef,
)
from qunzhu.core.testing import BotHarness


# -- units: each cache never exceeds its bound and keeps the most recently used -------------------
def test_the_lru_keeps_the_most_recently_used_within_its_size() -> None:
    gone: list[str] = []
    lru: LRU[str, int] = LRU(3, on_evict=lambda k, v: gone.append(k))
    for i, key in enumerate("abc"):
        lru.put(key, i)
    assert lru.get("a") == 0  # a is used again: b is now the least recent
    lru.put("d", 3)
    assert len(lru) == 3 and "b" not in lru and gone == ["b"]
    for i in range(100):
        lru.put(f"x{i}", i)
        assert len(lru) <= 3
    assert list(lru) == ["x97", "x98", "x99"] and lru.evicted == 101
    with pytest.raises(ValueError, match="at least one"):
        LRU(0)


async def test_the_people_cache_holds_at_most_its_size_and_the_latest_people(
    bot: BotHarness,
) -> None:
    from qunzhu.core._people_directory import People

    people = People(bot.app.db, bot.clock, cache_size=3)
    first = await people.resolve(UserRef("memory", "p0", "P0"))
    for i in range(1, 10):
        await people.resolve(UserRef("memory", f"p{i}", f"P{i}"))
        assert len(people._cache) <= 3
    await people.resolve(UserRef("memory", "p7", "P7"))  # p7 used again: p8 goes next
    await people.resolve(UserRef("memory", "p10", "P10"))
    assert list(people._cache) == ["memory:p9", "memory:p7", "memory:p10"]
    # a forgotten person is read back, the same person
    again = await people.resolve(UserRef("memory", "p0", "P0"))
    assert again == first and "memory:p0" in people._cache


def test_the_dialog_index_within_its_size_knows_who_has_no_dialog() -> None:
    index = OpenDialogs(3)
    index.load([("m", "c", "a"), ("m", "c", "b")])
    assert index.complete and index.may_be_open(("m", "c", "a"))
    assert not index.may_be_open(("m", "c", "z"))  # complete: not held means none
    index.closed(("m", "c", "a"))
    assert not index.may_be_open(("m", "c", "a")) and len(index) == 1


def test_the_dialog_index_beyond_its_size_asks_about_whom_it_forgot() -> None:
    index = OpenDialogs(3)
    index.load([("m", "c", str(i)) for i in range(5)])  # five open, room for three
    assert len(index) == 3 and not index.complete
    assert index.may_be_open(("m", "c", "0"))  # forgotten: may be open, ask the database
    index.closed(("m", "c", "0"))  # the database said no: held as known closed
    assert not index.may_be_open(("m", "c", "0"))
    for i in range(100):
        index.closed(("m", "x", str(i)))
        assert len(index) <= 3
    assert not index.may_be_open(("m", "x", "99"))  # the most recent answer is kept


def test_the_rate_limiter_forgets_idle_chats_beyond_its_size_never_busy_ones() -> None:
    per_chat = {ChatKind.GROUP: Limit(20, 60.0), ChatKind.DIRECT: Limit(1, 1.0)}
    limiter = RateLimiter(Limits(per_chat=per_chat), max_chats=3)
    busy = ChatRef("t", "busy", ChatKind.GROUP)
    limiter.take(busy, 0.0)  # a group window stays busy for a minute
    for i in range(50):
        limiter.take(ChatRef("t", f"d{i}", ChatKind.DIRECT), 10.0 + i * 2)
        assert limiter.chats <= 4  # the bound, plus the one busy window it may not drop
    assert limiter.wait(busy, 61.0) == 0.0 or limiter.chats <= 3
    for i in range(50):  # pauses the platform asked for are kept only while they last
        limiter.pause(1.0, 200.0 + i * 2, ChatRef("t", f"d{i}", ChatKind.DIRECT))
    assert len(limiter._chat_paused) <= 4


def test_the_album_gate_forgets_albums_it_handed_on_even_of_one_part() -> None:
    now = [0.0]
    gate = AlbumGate(lambda platform: 1.0, lambda: now[0])
    chat = ChatRef("memory", "g", ChatKind.GROUP)
    photo = Attachment(AttachmentKind.PHOTO, "p", "image/jpeg")
    for i in range(100):
        item = Recorded(
            i, Message(str(i), chat, UserRef("memory", "a"), "", (photo,), album=f"a{i}")
        )
        gate.arrived([item])
        now[0] += 2.0  # quiet by the time it is admitted
        assert gate.admit([item]) != []
    assert gate._latest == {}


# -- through the bot: a tiny cache, many people, still the right answers ------------------------
async def _until_done(ctx: Context, answers: dict[str, Any]) -> None:
    await ctx.reply(f"{ctx.person.name} wants {answers['what']}")


class Orders:
    @hookimpl
    def register_dialogs(self) -> Sequence[Dialog]:
        return [Dialog("order", (Step("what", "What would you like?"),), on_done=_until_done)]

    @hookimpl
    def register_commands(self) -> Sequence[Any]:
        @command("order", help="Order something")
        async def order(ctx: Context) -> None:
            await ctx.start_dialog("order")

        @command("audit", help="Supervisors only", role="supervisor")
        async def audit(ctx: Context) -> None:
            await ctx.reply(f"audited by {ctx.person.name}")

        return [order, audit]


@pytest.fixture
def bot_plugins() -> Sequence[object]:
    return [("orders", Orders())]


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return {
        "bot": {"language": "en", "admins": ["memory:boss"]},
        "dispatcher": {"people_cache": 3},
        "dialogs": {"cache_size": 3},
        "people": [{"name": "王书记", "identities": ["memory:wang"], "roles": ["supervisor"]}],
    }


async def test_many_people_through_a_cache_of_three_each_get_their_own_answer(
    bot: BotHarness,
) -> None:
    for i in range(12):
        [reply] = await bot.send("/whoami", user=f"u{i}")
        assert reply.text.startswith(f"You are u{i}.\nIdentities: memory:u{i}\n")
    # a batch of more first contacts than the cache holds, handled together
    events = [
        Message(bot.next_id(), bot.dm(f"v{i}"), bot.user(f"v{i}"), "/whoami") for i in range(10)
    ]
    before = len(bot.adapter.sent)
    await asyncio.gather(*(bot.app.receive(e) for e in events))
    await bot.app.settle()
    texts = {s.chat.chat_id: s.text for s in bot.adapter.sent[before:]}
    assert len(texts) == 10
    for i in range(10):
        assert texts[bot.dm(f"v{i}").chat_id].startswith(f"You are v{i}.\n")
    assert len(bot.app.people._cache) <= 3


async def test_roles_still_apply_after_the_person_was_forgotten(bot: BotHarness) -> None:
    [reply] = await bot.send("/audit", user="wang")
    assert reply.text == "audited by 王书记"
    for i in range(8):  # wang is pushed out of the cache
        await bot.send("hello", user=f"u{i}")
    assert "memory:wang" not in bot.app.people._cache
    [reply] = await bot.send("/audit", user="wang")
    assert reply.text == "audited by 王书记"
    [reply] = await bot.send("/audit", user="u1")
    assert "only for people with the role" in reply.text
    # a role given by command holds for someone forgotten since
    await bot.send("/role add u1 supervisor", user="boss")
    for i in range(8):
        await bot.send("hello", user=f"w{i}")
    [reply] = await bot.send("/audit", user="u1")
    assert reply.text == "audited by u1"


async def test_dialogs_continue_when_more_are_open_than_the_index_holds(bot: BotHarness) -> None:
    people = [f"o{i}" for i in range(7)]
    for who in people:
        [question] = await bot.send("/order", user=who)
        assert question.text == "What would you like?"
    assert len(bot.app.dialogs._index) <= 3
    for i, who in enumerate(people):
        [done] = await bot.send(f"tea {i}", user=who)
        assert done.text == f"{who} wants tea {i}"
    # all answered: the next messages are plain chatter again, and nobody is asked twice
    for who in people:
        assert await bot.send("thanks", user=who) == []


async def test_dialogs_resume_after_a_restart_with_more_open_than_the_index_holds(
    bot: BotHarness,
) -> None:
    people = [f"r{i}" for i in range(5)]
    for who in people:
        await bot.send("/order", user=who)
    await bot.restart()
    for who in reversed(people):
        [done] = await bot.send("coffee", user=who)
        assert done.text == f"{who} wants coffee"
