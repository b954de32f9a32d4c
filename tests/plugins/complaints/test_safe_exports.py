"""Exports that are safe to open and to hand out: no live formulas, no control character that
breaks the workbook, a 403 for any bad link, links scoped to what the asker may see and sent
in private only."""

from __future__ import annotations

import copy
import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import aiohttp
import openpyxl
import pytest

from qunzhu.core.testing import BotHarness
from qunzhu.core.testing.memory import Sent

from .conftest import CONFIG, jump


@pytest.fixture
def bot_config() -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    config["plugins"]["complaints"]["export"] = {
        "public_url": "http://127.0.0.1:0",
        "secret": "sign-me",
    }
    return config


def _url(bot: BotHarness, link: Sent) -> str:
    return link.buttons[0].url.replace(":0/", f":{bot.app.web.port}/")


async def _get(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.read()


async def _link(bot: BotHarness, user: str, fmt: str = "xlsx") -> str:
    [answer] = await bot.send(f"/export_tickets {fmt}", user=user)
    return _url(bot, answer)


def _xlsx(body: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_formulas_are_neutralised_and_control_characters_removed(bot: BotHarness) -> None:
    await bot.send('/ticket =HYPERLINK("http://x")垃圾没人处理\x07\x1b', user="wang", chat="村民群")
    await bot.send("/ticket @SUM(1+1) 路灯", user="wang", chat="村民群")
    await bot.send("/ticket +1 路面\t-2", user="wang", chat="村民群")
    await bot.send("/ticket -3 桥栏", user="wang", chat="村民群")
    status, body = await _get(await _link(bot, "admin", "xlsx"))
    assert status == 200  # one control character used to make every XLSX export fail
    rows = _xlsx(body)
    assert [r[4] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x")垃圾没人处理',
        "'@SUM(1+1) 路灯",
        "'+1 路面\t-2",
        "'-3 桥栏",
    ]
    status, body = await _get(await _link(bot, "admin", "csv"))
    table = _csv(body)
    assert [r[4] for r in table[1:]] == [r[4] for r in rows[1:]]


async def test_every_kind_of_bad_link_is_a_403(bot: BotHarness) -> None:
    url = await _link(bot, "admin", "csv")
    assert (await _get(url))[0] == 200
    base, query = url.split("?")
    params = dict(parse_qsl(query))

    def with_(**changed: str) -> str:
        return f"{base}?{urlencode({**params, **changed})}"

    sig = params["sig"]
    for bad in (
        with_(sig="签名" + sig[2:]),  # non-ASCII
        with_(sig=sig[:20]),  # truncated
        with_(sig=""),  # missing
        with_(sig="0" * len(sig)),  # wrong
        with_(scope="housing"),  # a scope it was not signed for
        with_(lang="日本語"),
        with_(expires="9" * 5000),  # not a number Python will read
        with_(expires="１２"),
        f"{base}?format=csv&sig=%ff%fe",
    ):
        status, _ = await _get(bad)
        assert status == 403, bad
    await jump(bot, timedelta(hours=2))
    assert (await _get(url))[0] == 403  # expired


async def test_a_unit_member_exports_only_the_units_tickets(bot: BotHarness) -> None:
    await bot.send("三标段混凝土没按规范养护", user="wang", chat="工地")
    await bot.send("/ticket 广场垃圾没人处理", user="wang", chat="村民群")
    await bot.send("/ticket 村口路灯不亮", user="wang", chat="村民群")  # not routed
    [answer] = await bot.send("/export_tickets", user="lina")  # member:housing
    assert answer.text == "本部门工单（XLSX）：链接 60 分钟内有效。"
    assert dict(parse_qsl(urlsplit(answer.buttons[0].url).query))["scope"] == "housing"
    rows = _xlsx((await _get(_url(bot, answer)))[1])
    assert [r[0] for r in rows[1:]] == []  # the concrete report was not filed: no offer pressed
    await bot.send("/ticket 三标段混凝土偷工减料", user="wang", chat="工地")  # Q-2026-0003
    rows = _xlsx((await _get(_url(bot, answer)))[1])
    assert [(r[0], r[3]) for r in rows[1:]] == [("Q-2026-0003", "住建局")]
    # a district member sees the units below the district: all routed tickets
    rows = _xlsx((await _get(await _link(bot, "zhang")))[1])
    assert [(r[0], r[3]) for r in rows[1:]] == [
        ("Q-2026-0001", "环卫所"),
        ("Q-2026-0003", "住建局"),
    ]
    # a supervisor, all of them
    rows = _xlsx((await _get(await _link(bot, "wang")))[1])
    assert [r[0] for r in rows[1:]] == ["Q-2026-0001", "Q-2026-0002", "Q-2026-0003"]
    [refused] = await bot.send("/export_tickets", user="cun")
    assert refused.text == "只有督查人员、管理员和承办部门可以导出工单。"


async def test_asked_in_a_group_the_link_goes_in_private_only(bot: BotHarness) -> None:
    sent = await bot.send("/导出工单 csv", user="lina", chat="住建局")
    group = [s for s in sent if s.chat.chat_id == "住建局"]
    private = [s for s in sent if s.chat.chat_id == "dm:lina"]
    assert [s.text for s in group] == ["已私信您下载链接。"]
    assert group[0].buttons == ()
    assert [s.text for s in private] == ["本部门工单（CSV）：链接 60 分钟内有效。"]
    assert (await _get(_url(bot, private[0])))[0] == 200


async def test_where_the_bot_cannot_write_first_the_group_is_told_how(bot: BotHarness) -> None:
    bot.adapter.writes_first = False  # type: ignore[misc]  # as on Telegram
    sent = await bot.send("/export_tickets", user="lina", chat="住建局")
    assert [(s.chat.chat_id, s.text) for s in sent] == [
        (
            "住建局",
            "李娜，下载链接只在私聊中发送，但我还不能私信您：请打开 与我的私聊，点击“开始”，"
            "然后在私聊中再次发送。",
        )
    ]
    assert sent[0].buttons == ()
