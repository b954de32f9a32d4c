"""Story 1.1 over Telegram's real wire (aiogram against the Bot API emulator): the offer as an
inline button in the thread, the press as a callback query, and the card in the bureau's group
showing the site photo by the file_id Telegram gave it (no upload)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from qunzhu.adapters.telegram.emulator import Limits, TelegramEmulator
from qunzhu.core.app import App
from qunzhu.core.testing import start_app
from qunzhu.plugins.complaints import hooks
from tests.adapters.telegram.conftest import jpeg
from tests.support.eventually import eventually

TOKEN = "123456:TEST"
TEXT = "北部新城项目三标段混凝土没按规范养护，偷工减料"


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(TOKEN, bot_username="qunzhu_bot", limits=Limits(scale=1000))
    async with emulator:
        yield emulator


async def _app(tmp_path: Path, tg: TelegramEmulator, config: dict[str, Any]) -> App:
    return await start_app(tmp_path, config, [("complaints", hooks)])


async def test_story_1_1_on_telegram(tmp_path: Path, tg: TelegramEmulator) -> None:
    supervisor, secretary = tg.user("老陈"), tg.user("王书记")
    project = tg.group("北部新城工程", members=[supervisor, secretary])
    bureau = tg.group("住建局工作群", members=[secretary])
    config = {
        "bot": {"language": "zh_Hans"},
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"},
        "adapters": {"telegram": {"token": TOKEN, "api_base": tg.api_base, "poll_timeout": 2,
                                  "limits": {"scale": 1000}}},
        "logging": {"level": "WARNING"},
        "people": [{"name": "王书记", "identities": [f"telegram:{secretary.id}"],
                    "roles": ["supervisor"]}],
        "plugins": {"complaints": {
            "detect": True,
            "categories": {"construction": {"name": "工程质量", "keywords": ["混凝土"],
                                            "department": "housing"}},
            "departments": {"housing": {"name": "住建局", "chat": f"telegram:{bureau.id}"}},
        }},
    }  # fmt: skip
    app = await _app(tmp_path, tg, config)
    try:
        posted = tg.send_photo(supervisor, project, jpeg(1600, 1200), caption=TEXT)
        (offer,) = await tg.wait_sent(project)
        assert offer["text"] == "这条消息像是在反映问题（工程质量）。"
        assert offer["reply_to_message"]["message_id"] == posted["message_id"]
        [[button]] = offer["reply_markup"]["inline_keyboard"]
        assert button["text"] == "登记为问题"
        tg.press(secretary, offer, button["callback_data"])
        (card,) = await tg.wait_sent(bureau)
        assert card["caption"].startswith("📋 Q-2026-0001 · 工程质量")
        assert TEXT in card["caption"]
        site = max(posted["photo"], key=lambda p: p["width"])
        assert max(card["photo"], key=lambda p: p["width"])["file_id"] == site["file_id"]
        assert app.adapters["telegram"].uploads.uploaded == 0  # type: ignore[attr-defined]
        rows = [[b["text"] for b in row] for row in card["reply_markup"]["inline_keyboard"]]
        assert rows == [["接单", "已解决"], ["转办", "更多…"]]
        await tg.wait_sent(project, count=2)  # the confirmation in the thread
        edited = await eventually(
            lambda: (m := tg.message(project, offer["message_id"]))["text"] != offer["text"] and m
        )
        assert edited["text"] == "已登记为问题 Q-2026-0001。" and "reply_markup" not in edited
    finally:
        await app.stop()
