"""Webhook mode: the emulator posts updates to the core's web server, with the secret header."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from qunzhu.adapters.telegram.emulator import TelegramEmulator
from qunzhu.core.errors import AdapterError
from tests.adapters.telegram.conftest import jpeg
from tests.adapters.telegram.tgapp import TelegramApp, TgTest
from tests.support.eventually import eventually

MakeApp = Callable[..., Awaitable[TelegramApp]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def webhook_app(make_app: MakeApp, **adapter: object) -> TelegramApp:
    port = free_port()
    options = {"mode": "webhook", "public_url": f"http://127.0.0.1:{port}", **adapter}
    return await make_app(adapter=options, web_port=port)


async def test_updates_arrive_by_webhook_and_presses_are_answered_in_the_response(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Residents", members=[ana])
    bot = await webhook_app(make_app)
    hook = tg.world.webhook
    assert hook.url == f"http://127.0.0.1:{bot.running.web.port}/telegram/webhook"
    assert hook.secret_token and len(hook.secret_token) == 64
    tg.say(ana, group, "/ask")
    (question,) = await tg.wait_sent(group)
    query = tg.press(ana, question, "tgtest:yes")
    await tg.wait_sent(group, count=2)
    await eventually(lambda: tg.callback_answer(query["id"]) is not None)
    assert not [c for c in tg.calls if c.method == "answerCallbackQuery" and c.status != 200]
    assert tg.world.webhook.last_error_message is None
    assert len(await bot.inbox()) == 2


async def test_a_post_without_the_secret_is_refused_and_not_recorded(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    bot = await webhook_app(make_app)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1767600000,
            "chat": dm.as_json(),
            "from": ana.as_json(),
            "text": "n forged",
        },
    }
    url = tg.world.webhook.url
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 401
    assert await bot.inbox() == []
    assert bot.adapter.webhook is not None and bot.adapter.webhook.refused == 2


async def test_an_album_by_webhook_survives_a_restart_while_it_waits(
    tg: TelegramEmulator, make_app: MakeApp, plugin: TgTest
) -> None:
    ana = tg.user("Ana")
    group = tg.group("Works", members=[ana])
    bot = await webhook_app(make_app, album_wait=5.0)
    photos = [jpeg(800, 600), jpeg(640, 480), jpeg(320, 240)]
    tg.send_album(ana, group, photos, caption="三张")
    await tg.wait_delivered()  # every part acknowledged: recorded, not handled yet
    assert len(await bot.inbox()) == 3 and tg.sent(group) == []
    await bot.stop()
    bot.options["album_wait"] = 0.2
    await bot.start()
    (answer,) = await tg.wait_sent(group)
    assert answer["text"] == f"3 photo {sum(len(p) for p in photos)} bytes: 三张"
    await bot.settle()
    assert len(tg.sent(group)) == 1


async def test_webhook_mode_needs_the_web_server(tg: TelegramEmulator, make_app: MakeApp) -> None:
    with pytest.raises(AdapterError, match=r"web\.enabled"):
        await make_app(adapter={"mode": "webhook", "public_url": "http://127.0.0.1:1"})


async def test_polling_removes_a_webhook_left_from_webhook_mode(
    tg: TelegramEmulator, make_app: MakeApp
) -> None:
    ana = tg.user("Ana")
    dm = tg.private(ana)
    tg.world.webhook.url = "http://127.0.0.1:1/old"
    await make_app()
    assert tg.world.webhook.url == ""
    tg.say(ana, dm, "n polled")
    (answer,) = await tg.wait_sent(dm)
    assert answer["text"] == "ok n polled"
