"""The CSV export on the bot's web server: off without a token, refused with a wrong one, one row
per person and check-in with the token."""

from __future__ import annotations

import csv
import io
from typing import Any

import aiohttp
import pytest

from qunzhu.core.testing import BotHarness

from .conftest import GROUP, IDS, advance_to, at, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    settings = config(export_token="s3cret")
    settings["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    return settings


async def _get(bot: BotHarness, query: str, **headers: str) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{bot.app.web.port}/checkins/export.csv{query}"
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, await response.read()


async def test_the_export_needs_the_token_and_lists_everyone(bot: BotHarness) -> None:
    await advance_to(bot, at(9, 9))
    [receipt] = await bot.send("#周报 完成巡查\n第二行", user=IDS[0], chat=GROUP)
    await bot.press(receipt, "已阅", user="wang")
    await advance_to(bot, at(9, 18))
    assert (await _get(bot, ""))[0] == 403
    assert (await _get(bot, "?token=wrong"))[0] == 403
    status, body = await _get(bot, "?campaign=水源保护周报", Authorization="Bearer s3cret")
    assert status == 200 and body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["campaign", "day", "person", "status"]
    assert len(rows) == 13
    assert rows[1][:4] == ["水源保护周报", "2026-01-09", "福州市长", "reported"]
    assert rows[1][5] == "#周报 完成巡查" and rows[1][8] == "王副部长"
    assert rows[2][3] == "missed"
