"""The control API over HTTP (for a bot in another process and the demo page), the page itself,
the command line, and the promise that the emulator never imports aiogram."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from qunzhu.adapters.telegram.emulator import TelegramEmulator, main, serve


async def call(http: aiohttp.ClientSession, url: str, body: Any = None) -> Any:
    method = http.get if body is None else http.post
    async with method(url, json=body) as resp:
        data = await resp.json()
    assert data["ok"], data
    return data["result"]


async def test_control_routes_drive_a_conversation(
    tg: TelegramEmulator, bot: Bot, make_jpeg: Any
) -> None:
    base = f"{tg.api_base}/control"
    async with aiohttp.ClientSession() as http:
        ana = await call(http, f"{base}/users", {"first_name": "Ana", "language_code": "zh-hans"})
        group = await call(http, f"{base}/chats", {"type": "supergroup", "title": "Residents"})
        dm = await call(http, f"{base}/chats", {"type": "private", "user_id": ana["id"]})
        said = await call(
            http, f"{base}/say", {"user_id": ana["id"], "chat_id": group["id"], "text": "/report"}
        )
        photo = base64.b64encode(make_jpeg(640, 480)).decode()
        await call(
            http,
            f"{base}/photo",
            {"user_id": ana["id"], "chat_id": group["id"], "photo_base64": photo, "caption": "灯"},
        )
        updates = await bot.get_updates()
        assert [u.message.text or u.message.caption for u in updates if u.message] == [
            "/report",
            "灯",
        ]
        buttons = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Done", callback_data="done")]]
        )
        sent = await bot.send_message(group["id"], "Thanks", reply_markup=buttons)
        (listed,) = await call(http, f"{base}/sent?chat_id={group['id']}")
        assert listed["text"] == "Thanks"
        transcript = await call(http, f"{base}/messages?chat_id={group['id']}&after=1")
        assert [m["message_id"] for m in transcript] == [2, 3]
        query = await call(
            http,
            f"{base}/press",
            {
                "user_id": ana["id"],
                "chat_id": group["id"],
                "message_id": sent.message_id,
                "data": "done",
            },
        )
        assert tg.unanswered_callbacks() == [query]
        file_id = transcript[0]["photo"][-1]["file_id"]
        async with http.get(f"{base}/files/{file_id}") as resp:
            assert resp.content_type == "image/jpeg" and await resp.read() == make_jpeg(640, 480)
        await call(http, f"{base}/fail_next", {"method": "sendMessage", "error_code": 500})
        assert len(tg.failures.rules) == 1
        state = await call(http, f"{base}/state")
        assert [c["id"] for c in state["chats"]] == [group["id"], dm["id"]]
        assert await call(http, f"{base}/counts") == {"total": 1, "by_chat": {str(group["id"]): 1}}
        assert await call(http, f"{base}/violations") == []
        async with http.post(f"{base}/say", json={"user_id": 1}) as resp:
            error = await resp.json()
        assert resp.status == 400 and error == {"ok": False, "error": "missing field 'chat_id'"}
        assert said["chat"]["id"] == group["id"]
        forwarded = await call(
            http,
            f"{base}/forward",
            {
                "user_id": ana["id"],
                "chat_id": dm["id"],
                "from_chat_id": group["id"],
                "message_id": said["message_id"],
                "hidden": True,
            },
        )
        assert forwarded["text"] == "/report"
        assert forwarded["forward_origin"]["type"] == "hidden_user"
        assert forwarded["forward_origin"]["sender_user_name"] == "Ana"
        await call(http, f"{base}/reset", {})
        assert (await call(http, f"{base}/state"))["users"] == []
        async with http.get(f"{tg.api_base}/") as resp:
            page = await resp.text()
        assert resp.content_type == "text/html" and 'api("say"' in page


async def test_serve_runs_until_stopped() -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(port=0, stop=stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)


def test_main_prints_help() -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0


def test_importing_the_emulator_leaves_aiogram_out() -> None:
    code = (
        "import sys, qunzhu.adapters.telegram, qunzhu.adapters.telegram.emulator; "
        "assert 'aiogram' not in sys.modules, 'aiogram was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
