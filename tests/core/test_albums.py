"""Albums: parts recorded one by one reach the plugins as ONE message, after the album has been
quiet for the adapter's album_wait, in the chat's order, across restarts and across workers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from qunzhu.core import App, Context, SystemClock, hookimpl
from qunzhu.core.config import load_config
from qunzhu.core.delivery._inbox import Recorded
from qunzhu.core.dispatch._albums import AlbumGate, gather, merge_album
from qunzhu.core.model._events import (
    Attachment,
    AttachmentKind,
    ChatKind,
    ChatRef,
    Location,
    Message,
    UserRef,
)
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage._tables import InboxRow
from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import MemoryAdapter
from tests.conftest import create_pg_database, drop_pg_database

GROUP = ChatRef("memory", "works", ChatKind.GROUP, "Works")
OTHER = ChatRef("memory", "other", ChatKind.GROUP, "Other")
ANA = UserRef("memory", "ana", "Ana")


def part(inbox_id: int, event_id: str, album: str | None = "g", text: str = "", chat=GROUP):  # type: ignore[no-untyped-def]
    photo = Attachment(AttachmentKind.PHOTO, f"p{event_id}", "image/jpeg")
    return Recorded(inbox_id, Message(event_id, chat, ANA, text, (photo,), album=album))


def text(inbox_id: int, words: str, chat: ChatRef = GROUP) -> Recorded:
    return Recorded(inbox_id, Message(f"t{inbox_id}", chat, ANA, words))


# -- units ---------------------------------------------------------------------------------------
def test_a_quiet_album_is_merged_at_its_first_part_and_later_events_follow() -> None:
    items = [part(1, "11"), text(2, "between"), part(3, "10", text="说明"), text(4, "after")]
    ready, waiting = gather(items, lambda album: True)
    assert waiting == []
    album, between, after = ready
    assert isinstance(album.event, Message)
    assert [a.ref for a in album.event.attachments] == ["p10", "p11"]  # sent order, not arrival
    assert album.event.text == "说明" and album.event.event_id == "10"
    assert sorted(album.inbox_ids) == [1, 3]
    assert [between.inbox_id, after.inbox_id] == [2, 4]


def test_a_growing_album_holds_its_chat_from_its_first_part_on_but_not_other_chats() -> None:
    items = [text(1, "before"), part(2, "20"), text(3, "elsewhere", OTHER), text(4, "after")]
    ready, waiting = gather(items, lambda album: False)
    assert [r.inbox_id for r in ready] == [1, 3]
    assert [w.inbox_id for w in waiting] == [2, 4]


def test_an_edit_of_a_part_is_a_plain_edit() -> None:
    edit = Recorded(5, Message("10:99", GROUP, ANA, "new", album="g", edited=True, edit_of="10"))
    ready, waiting = gather([edit], lambda album: False)
    assert ready == [edit] and waiting == []


def test_merge_keeps_a_location_and_a_reply_from_any_part() -> None:
    first = part(1, "1")
    second = Recorded(
        2,
        Message("2", GROUP, ANA, "", location=Location(26.6, 119.5), reply_to="x", album="g"),
    )
    merged = merge_album([second, first]).event
    assert isinstance(merged, Message)
    assert merged.location == Location(26.6, 119.5) and merged.reply_to == "x"


def test_the_gate_waits_album_wait_after_the_latest_part() -> None:
    now = [0.0]
    gate = AlbumGate(lambda platform: 1.0, lambda: now[0])
    first = [part(1, "1")]
    gate.arrived(first)
    assert gate.admit(first) == [] and gate.next_release() == 1.0
    now[0] = 0.8
    second = [part(2, "2"), text(3, "after")]
    gate.arrived(second)
    assert gate.admit(second) == []
    assert gate.next_release() == pytest.approx(1.0)
    now[0] = 1.7
    assert gate.admit([]) == []
    now[0] = 1.8
    album, after = gate.admit([])
    assert album.inbox_ids == (1, 2) and after.inbox_id == 3
    assert not gate and gate.next_release() is None


# -- through the dispatcher ----------------------------------------------------------------------
class Seen:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    @hookimpl
    async def on_message(self, ctx: Context) -> None:
        assert ctx.message is not None
        self.messages.append(ctx.message)
        await ctx.reply(f"{len(ctx.message.attachments)} photo: {ctx.message.text}")


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def bot(tmp_path: Path, seen: Seen) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.create(
        workdir=tmp_path, config={"bot": {"language": "en"}}, plugins=[("seen", seen)]
    )
    yield harness
    await harness.close()


async def test_plugins_get_one_message_with_every_photo_then_what_followed(
    bot: BotHarness, seen: Seen
) -> None:
    assert await bot.send("三张照片", chat="works", photos=["a"], album="g1") == []
    assert await bot.send(chat="works", photos=["b"], album="g1") == []
    assert await bot.send("after", chat="works") == []  # waits behind the album
    await bot.advance(0.5)
    assert await bot.send(chat="works", photos=["c"], album="g1") == []
    assert await bot.send("elsewhere", chat="other") != []  # another chat is not held
    sent = await bot.advance(1.0)
    assert [s.text for s in sent] == ["3 photo: 三张照片", "0 photo: after"]
    assert [m.text for m in seen.messages] == ["elsewhere", "三张照片", "after"]
    assert [a.ref for a in seen.messages[1].attachments] == ["a", "b", "c"]
    async with bot.app.db.session() as s:
        unhandled = await s.scalar(
            select(func.count()).select_from(InboxRow).where(InboxRow.handled_at.is_(None))
        )
    assert unhandled == 0


async def test_an_album_recorded_before_a_restart_is_one_message_after_it(
    bot: BotHarness, seen: Seen
) -> None:
    await bot.send("before", chat="works", photos=["a"], album="g2")
    await bot.send(chat="works", photos=["b"], album="g2")
    await bot.restart()
    assert seen.messages == []
    sent = await bot.advance(1.0)
    assert [s.text for s in sent] == ["2 photo: before"]
    await bot.advance(5.0)
    assert len(seen.messages) == 1


async def start_worker(workdir: Path, url: str, seen: Seen) -> App:
    """A worker of a shared deployment (real clock, the memory adapter, album_wait 1 s)."""
    workdir.mkdir()
    path = workdir / "qunzhu.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database": {"url": url},
                # a batch of 2 cuts the album: the claim reads the rest of the chat
                "dispatcher": {"shared": True, "poll_interval": 0.02, "batch_size": 2},
                "logging": {"level": "WARNING"},
            }
        ),
        encoding="utf-8",
    )
    plugins = PluginSet.collect(load_plugins([("seen", seen)], entry_points_enabled=False))
    settings = load_config(path, plugin_models=plugins.section_models(), adapter_models={})
    clock = SystemClock()
    app = App.build(settings, plugins, clock=clock, adapters={"memory": MemoryAdapter(clock=clock)})
    await app.start(create_tables=True)
    return app


@pytest.mark.postgres
async def test_parts_that_reached_two_workers_are_one_message(tmp_path: Path, seen: Seen) -> None:
    url = await create_pg_database()
    workers: list[App] = []
    try:
        workers.append(await start_worker(tmp_path / "a", url, seen))
        workers.append(await start_worker(tmp_path / "b", url, seen))
        a, b = workers
        chat = ChatRef("memory", "works", ChatKind.GROUP, "Works")
        for worker, ref, words in ((a, "1", "三张"), (b, "2", ""), (a, "3", "")):
            photo = Attachment(AttachmentKind.PHOTO, f"p{ref}", "image/jpeg")
            await worker.receive(Message(ref, chat, ANA, words, (photo,), album="g3"))
            await asyncio.sleep(0.3)  # both workers look at the chat: the album is not quiet
        assert seen.messages == []
        for _ in range(150):
            if seen.messages:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # a second message would come now
        (album,) = seen.messages
        assert [x.ref for x in album.attachments] == ["p1", "p2", "p3"] and album.text == "三张"
        async with a.db.session() as s:
            handled = await s.scalar(
                select(func.count()).select_from(InboxRow).where(InboxRow.handled_at.is_not(None))
            )
        assert handled == 3
    finally:
        for worker in workers:
            await worker.stop()
        await drop_pg_database(url)
