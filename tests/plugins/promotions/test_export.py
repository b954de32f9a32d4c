"""``/export_orders``: the seller's orders and figures as XLSX and CSV, through signed links to the
bot's web server that work for 24 hours and only for that seller."""

import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from openpyxl import load_workbook

from qunzhu.core import UserRef
from qunzhu.core.testing import BotHarness
from tests.plugins.promotions.story import (
    PLUGINS,
    SELLER,
    approve,
    config,
    draft_post,
    enter_product,
    posts_in,
    product_id,
    publish,
)


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    settings = config(export_url="https://bot.example.org", export_secret="s3cret")
    return settings | {"web": {"enabled": True, "host": "127.0.0.1", "port": 0}}


async def _get(bot: BotHarness, url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    local = f"http://127.0.0.1:{bot.app.web.port}{parts.path}?{parts.query}"
    async with aiohttp.ClientSession() as http, http.get(local) as resp:
        return resp.status, await resp.read()


async def test_the_seller_downloads_orders_and_figures(bot: BotHarness) -> None:
    await publish(bot, stock="5000")
    await bot.press(posts_in(bot, "buyers-1")[0], "Order now", user="liu")
    for answer in ("两千斤", "武汉", "13800138000"):
        [confirm] = (await bot.send(answer, user="liu"))[-1:]
    await bot.press(confirm, "Confirm order", user="liu")
    [links] = await bot.send("/export_orders", user=SELLER)
    assert links.text == "Your orders as a spreadsheet (the links work for 24 hours):"
    xlsx, csv_link = (b.url for b in links.buttons)
    assert xlsx.startswith("https://bot.example.org/promotions/export.xlsx?who=memory%3Aseller")

    status, body = await _get(bot, csv_link)
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Order", "Promotion", "Group", "Shared by", "Buyer", "Quantity"]
    assert rows[1][:11] == ["1", "通山鮰鱼", "buyers-1", "", "liu", "2000", "斤", "12.5", "25000",
                            "武汉", "13800138000"]  # fmt: skip
    assert rows[2][0] == "Total (without cancelled orders)" and rows[2][8] == "25000"

    status, body = await _get(bot, xlsx)
    assert status == 200
    book = load_workbook(io.BytesIO(body))
    orders, figures = book["Orders"], book["Figures"]
    assert [c.value for c in orders[2]][:9] == [1, "通山鮰鱼", "buyers-1", None, "liu", 2000, "斤",
                                                12.5, 25000]  # fmt: skip
    assert [c.value for c in figures[2]] == ["#1 通山鮰鱼", "all groups", 1, 1, 0, 1, 2000, 1]

    status, _ = await _get(bot, csv_link.replace("memory%3Aseller", "memory%3Aliu"))
    assert status == 403  # someone else's orders: the signature no longer fits
    await bot.advance(timedelta(hours=25))
    status, body = await _get(bot, csv_link)
    assert status == 403 and b"expired" in body


async def test_without_settings_export_says_what_is_missing(tmp_path: Any) -> None:
    bot = await BotHarness.create(workdir=tmp_path, config=config(), plugins=PLUGINS)
    try:
        [answer] = await bot.send("/export_orders", user=SELLER)
        assert "Downloads are not set up" in answer.text
    finally:
        await bot.close()


async def test_the_export_of_a_series_holds_the_orders_of_all_its_posts(bot: BotHarness) -> None:
    await enter_product(bot, stock="5000")
    await draft_post(
        bot, await product_id(bot), tags="buyers", when="每天 10:00 共2次", repeat=None
    )
    await approve(bot)
    await bot.advance(timedelta(hours=25))  # both posts are out
    for post in posts_in(bot, "buyers-1"):
        await bot.press(post, "Order now", user="liu")
        for answer in ("100", "武汉", "13800138000"):
            [confirm] = (await bot.send(answer, user="liu"))[-1:]
        await bot.press(confirm, "Confirm order", user="liu")
    [links] = await bot.send("/export_orders 1", user=SELLER)
    status, body = await _get(bot, links.buttons[1].url or "")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and [r[0] for r in rows[1:-1]] == ["1", "2"]
    status, body = await _get(bot, links.buttons[0].url or "")
    figures = load_workbook(io.BytesIO(body))["Figures"]
    names = [row[0].value for row in figures.iter_rows(min_row=2)]
    first, second = "#2 通山鮰鱼 (series #1, post 1)", "#3 通山鮰鱼 (series #1, post 2)"
    assert names == [first, first, second, second]  # all groups, then buyers-1


async def test_the_export_names_the_sharer_adds_up_and_runs_no_formula(tmp_path: Any) -> None:
    """转发人 is the sharer's name (empty for the broadcast's groups), 金额 a number, the total
    leaves out a cancelled order; what buyers wrote never becomes a formula or breaks the file."""
    settings = config(
        {"buyers-1": {"opt_in": True, "tags": ["buyers"]}, "town": {"name": "南林桥镇群"}},
        export_url="https://bot.example.org", export_secret="s3cret",
    )  # fmt: skip
    settings["web"] = {"enabled": True, "host": "127.0.0.1", "port": 0}
    settings["people"].append({"name": "李书记", "identities": ["memory:secretary"]})
    settings["org"] = {"town": {"name": "南林桥镇", "head": "memory:secretary",
                                "chats": ["memory:town"]}}  # fmt: skip
    bot = await BotHarness.create(workdir=tmp_path, config=settings, plugins=PLUGINS)
    try:
        await publish(bot, stock="5000")
        [pick] = await bot.send("/share 1", user="secretary")
        await bot.press(pick, "南林桥镇群", user="secretary")
        formula = UserRef("memory", "zhou", "=cmd|' /C calc'!A0")
        orders = [(posts_in(bot, "town")[0], formula, '@SUM(1+1)武汉\x07'),
                  (posts_in(bot, "buyers-1")[0], "liu", "+86 宜昌"),
                  (posts_in(bot, "town")[0], "ma", "咸宁")]  # fmt: skip
        for post, buyer, city in orders:
            await bot.press(post, "Order now", user=buyer)
            for answer in ("100", city, "13800138000"):
                [confirm] = (await bot.send(answer, user=buyer))[-1:]
            await bot.press(confirm, "Confirm order", user=buyer)
        [placed] = [s for s in bot.sent_to("dm:ma") if "Cancel order" in s.labels]
        await bot.press(placed, "Cancel order", user="ma")

        [links] = await bot.send("/export_orders", user=SELLER)
        status, body = await _get(bot, links.buttons[0].url or "")
        assert status == 200  # a control character once made the whole workbook fail
        rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(body))["Orders"]]
        assert [r[1:9] for r in rows[1:]] == [
            ["通山鮰鱼", "南林桥镇群", "李书记", "'=cmd|' /C calc'!A0", 100, "斤", 12.5, 1250],
            ["通山鮰鱼", "buyers-1", None, "liu", 100, "斤", 12.5, 1250],
            ["通山鮰鱼", "南林桥镇群", "李书记", "ma", 100, "斤", 12.5, 1250],
            [None, None, None, None, None, None, None, 2500],
        ]
        assert rows[-1][0] == "Total (without cancelled orders)"
        assert [r[9] for r in rows[1:3]] == ["'@SUM(1+1)武汉", "'+86 宜昌"]
        status, body = await _get(bot, links.buttons[1].url or "")
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert [r[4] for r in table[1:3]] == ["'=cmd|' /C calc'!A0", "liu"]
        assert table[1][3] == "李书记" and table[-1][8] == "2500"
    finally:
        await bot.close()
