"""The homeserver down for a while, and rate limits: through a loopback proxy in front of Synapse
that the test cuts (connections refused, requests in flight dropped) or makes answer 429
``M_LIMIT_EXCEEDED``. The bot backs off (no request storm), recovers, loses nothing and does
nothing twice; a 429 is waited out as long as the homeserver asks, by the outbox, not by
matrix-nio's endless retries."""

from __future__ import annotations

import asyncio
import logging

import pytest

from qunzhu.core.errors import TemporaryFailure
from qunzhu.core.model._events import ChatKind, ChatRef, Message, UserRef
from qunzhu.core.model._reply import Reply
from tests.adapters.matrix.conftest import FIGURES, MakeApp, MakePerson, png
from tests.adapters.matrix.mxapp import MatrixApp, MxTest
from tests.adapters.matrix.person import Person, wait_for
from tests.adapters.matrix.proxy import Proxy
from tests.adapters.matrix.synapse import Account
from tests.adapters.matrix.test_messages import group
from tests.adapters.matrix.test_restart import oks


async def through(make_app: MakeApp, proxy: Proxy, ana: Person) -> MatrixApp:
    return await make_app(
        homeserver=proxy.url,
        adapter={"invites": {"allow_users": [ana.user_id]}, "backoff": 0.2, "backoff_max": 1.0},
    )


async def test_the_homeserver_down_for_a_while(
    make_app: MakeApp,
    person: MakePerson,
    plugin: MxTest,
    proxy: Proxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "qunzhu.adapters.matrix")
    ana, bo = await person("ana"), await person("bo")
    app = await through(make_app, proxy, ana)
    bot = app.adapter.config.user_id
    room = await group(ana, bot, bo)
    await ana.say(room, "n 0")
    await oks(ana, room, bot, 1)
    syncer = app.adapter.syncer
    assert syncer is not None

    await proxy.cut()
    down = asyncio.get_running_loop().time()
    for i in range(1, 4):
        await ana.say(room, f"n {i}")  # people go on writing; the bot cannot see it
    chat = ChatRef("matrix", room, ChatKind.GROUP)
    with pytest.raises(TemporaryFailure):  # a send fails at once: nio does not retry by itself
        await asyncio.wait_for(app.adapter.send_keyed(chat, Reply("x"), "qz-down"), 5)
    # a reply queued while the homeserver is away (an event recorded by another way)
    await app.running.receive(
        Message("$offline", chat, UserRef("matrix", ana.user_id, "Ana"), "/echo 停电时也要送到")
    )
    await asyncio.sleep(3.0)
    failed = syncer.failed_rounds
    await proxy.restore()
    said = await oks(ana, room, bot, 4)
    up = asyncio.get_running_loop().time()
    assert said == [f"ok n {i}" for i in range(4)]
    assert plugin.handled == [f"n {i}" for i in range(4)]
    later = [e["content"]["body"] for e in await ana.from_bot(room, bot)]
    assert "停电时也要送到" in later
    # backing off: 0.2 s doubling to 1 s (with jitter) is a handful of tries in 3 s, not a storm
    assert 2 <= failed <= 12, failed
    logged = [r.getMessage() for r in caplog.records]
    assert any("event=matrix_sync_failed stage=sync attempt=1" in m for m in logged)
    assert any("event=matrix_sync_recovered" in m for m in logged)
    FIGURES["Homeserver cut for 3 s"] = (
        f"{failed} failed sync rounds while down (backoff 0.2-1.0 s), "
        f"caught up {up - down:.1f} s after the cut"
    )


async def test_m_limit_exceeded_is_waited_out_by_the_outbox(
    make_app: MakeApp, person: MakePerson, bot_account: Account, proxy: Proxy
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await through(make_app, proxy, ana)
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    since = await ana.position()
    proxy.limit("send", 2, retry_after_ms=700)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await ana.say(room, "/echo 限流")
    answer, since = await ana.next_from(room, bot, since)
    took = loop.time() - began
    assert answer["content"]["body"] == "限流"
    limited = [at for kind, at in proxy.limited if kind == "send"]
    assert len(limited) == 2
    assert limited[1] - limited[0] >= 0.65  # retry_after_ms honoured (less a little timer slack)
    assert took >= 1.35
    rows = [r for r in await app.outbox() if r[0] == room]
    assert rows[-1][1:3] == ("sent", 0)  # waiting as asked is not a failed attempt
    assert rows[-1][3] is not None and "M_LIMIT_EXCEEDED" in rows[-1][3]
    FIGURES["429 M_LIMIT_EXCEEDED twice (retry_after_ms 700)"] = f"reply seen after {took:.2f} s"


async def test_a_limited_sync_waits_as_asked(
    make_app: MakeApp, person: MakePerson, bot_account: Account, proxy: Proxy
) -> None:
    ana, bo = await person("ana"), await person("bo")
    await through(make_app, proxy, ana)
    bot = bot_account.user_id
    room = await group(ana, bot, bo)
    proxy.limit("sync", 2, retry_after_ms=300)
    await ana.say(room, "n 1")  # answered by the sync in flight; the next two are refused
    await ana.say(room, "n 2")
    assert await oks(ana, room, bot, 2) == ["ok n 1", "ok n 2"]

    async def refused() -> list[float]:
        return [at for kind, at in proxy.limited if kind == "sync"]

    limited = await wait_for(refused, lambda found: len(found) == 2)
    assert limited[1] - limited[0] >= 0.25
    await ana.say(room, "n 3")  # and syncing goes on after them
    assert (await oks(ana, room, bot, 3))[-1] == "ok n 3"


async def test_a_restart_while_the_homeserver_is_down(
    make_app: MakeApp, person: MakePerson, plugin: MxTest, proxy: Proxy
) -> None:
    ana, bo = await person("ana"), await person("bo")
    app = await through(make_app, proxy, ana)
    bot = app.adapter.config.user_id
    room = await group(ana, bot, bo)
    await ana.say(room, "n 0")
    await oks(ana, room, bot, 1)
    await app.stop()
    await proxy.cut()
    await app.start()  # the stored session: no need to reach the homeserver to start
    await ana.say(room, "n 1")
    await asyncio.sleep(1.0)
    await proxy.restore()
    assert await oks(ana, room, bot, 2) == ["ok n 0", "ok n 1"]
    assert plugin.handled == ["n 0", "n 1"]


async def test_a_homeserver_without_authenticated_media(
    make_app: MakeApp, person: MakePerson, plugin: MxTest, proxy: Proxy
) -> None:
    """Before Matrix 1.11 there is no /_matrix/client/v1/media: downloads use the legacy API."""
    proxy.old_media = True
    ana, bo = await person("ana"), await person("bo")
    app = await through(make_app, proxy, ana)
    bot = app.adapter.config.user_id
    room = await group(ana, bot, bo)
    since = await ana.position()
    image = png(3, 3)
    await ana.send_image(room, image, caption="旧服务器")
    answer, since = await ana.next_from(room, bot, since)
    assert answer["content"]["body"] == f"1 photo {len(image)} bytes: 旧服务器"
    assert plugin.downloads == [image]
