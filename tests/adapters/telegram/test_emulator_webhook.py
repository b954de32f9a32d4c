"""Webhook delivery: the emulator POSTs updates to a receiver on loopback, in order, with the
secret header, retrying until it answers 2xx, and carries out a method call in the answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from qunzhu.adapters.telegram.emulator import TelegramEmulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Callable[[web.Application], Awaitable[str]]]:
    """``url = await serve(app)`` runs an aiohttp app on 127.0.0.1 until the test ends."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}/hook"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_delivery_in_order_with_secret_and_retries(
    tg: TelegramEmulator, bot: Bot, serve: Any
) -> None:
    received: list[tuple[int, str | None]] = []
    attempts = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return web.Response(status=500)
        update = await request.json()
        received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    url = await serve(app)
    assert await bot.set_webhook(url, secret_token="s3cret-token", drop_pending_updates=True)
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    ana = tg.user("Ana")
    dm = tg.private(ana)
    sent = [tg.say(ana, dm, text) for text in ("one", "two", "three")]
    await tg.wait_delivered(timeout=5)
    assert attempts == 4
    assert [secret for _, secret in received] == ["s3cret-token"] * 3
    assert [uid for uid, _ in received] == sorted(uid for uid, _ in received)
    assert len(sent) == len(received)
    info = await bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert await bot.delete_webhook()
    tg.say(ana, dm, "polling again")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "polling again"


async def test_only_loopback_webhooks(tg: TelegramEmulator, bot: Bot) -> None:
    from aiogram.exceptions import TelegramBadRequest

    with pytest.raises(TelegramBadRequest, match="bad webhook"):
        await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces")


async def test_a_json_answer_is_carried_out(tg: TelegramEmulator, bot: Bot, serve: Any) -> None:
    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "pong"})

    app = web.Application()
    app.router.add_post("/hook", hook)
    await bot.set_webhook(await serve(app))
    ana = tg.user("Ana")
    tg.say(ana, tg.private(ana), "ping")
    (reply,) = await tg.wait_sent(ana.id, count=1)
    assert reply["text"] == "pong"


async def test_aiogram_webhook_handler_answers_in_the_response(
    tg: TelegramEmulator, bot: Bot, serve: Any
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> Any:
        return message.answer(f"<b>echo</b> {message.text}", parse_mode="HTML")

    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token="abc").register(app, path="/hook")
    await bot.set_webhook(await serve(app), secret_token="abc")
    ana = tg.user("Ana")
    tg.say(ana, tg.private(ana), "路灯坏了")
    (reply,) = await tg.wait_sent(ana.id, count=1)
    assert reply["text"] == "echo 路灯坏了"
    assert reply["entities"] == [{"offset": 0, "length": 4, "type": "bold"}]
    await asyncio.sleep(0)
