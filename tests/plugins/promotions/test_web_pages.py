"""The promotions pages of the web console (issue 17): the posts with their figures and stock,
one post per group and its orders; a buyer's name and phone only to the seller; every page as
each seat."""

from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness, WebBrowser
from tests.plugins.promotions.story import PLUGINS, SELLER, config, posts_in, publish

GROUPS = {
    "buyers-1": {"opt_in": True, "tags": ["buyers"]},
    "buyers-2": {"opt_in": True, "tags": ["buyers"]},
}
PHONE = "13912345678"


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config(GROUPS, language="zh_Hans")
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    setup["people"].append({"name": "刘买家", "identities": ["memory:liu"]})
    setup["people"].append({"name": "另一个卖家", "identities": ["memory:other"],
                            "roles": ["seller"]})  # fmt: skip
    return setup


async def _an_order(bot: BotHarness) -> None:
    await publish(bot, stock="100000")
    post = posts_in(bot, "buyers-1")[0]
    await bot.advance(timedelta(hours=1))
    await bot.press(post, post.labels[0], user="liu")  # 我要订购
    for answer in ("500", "武汉", PHONE):
        [confirm] = (await bot.send(answer, user="liu"))[-1:]
    await bot.press(confirm, confirm.labels[0], user="liu")


async def test_the_seller_sees_figures_stock_and_the_buyers_phone(bot: BotHarness) -> None:
    await _an_order(bot)
    seller = await bot.open_console(SELLER)
    assert await seller.get("/web/promotions") == 200
    text = seller.text()
    assert "#1 通山鮰鱼" in text and "99,500 斤" in text  # the stock after the order
    assert await seller.get("/web/promotions/1") == 200
    text = seller.text()
    assert "buyers-1: 送达 1" in text and "订单 1 · 订购 500 斤 · 24小时内订单 1 · 6,250 元" in text
    assert "刘买家" in text and PHONE in text and "武汉" in text


async def test_the_approver_sees_the_figures_but_not_the_buyer(bot: BotHarness) -> None:
    await _an_order(bot)
    approver = await bot.open_console("approver")
    assert await approver.get("/web/promotions/1") == 200
    assert "订单 1 · 订购 500 斤 · 24小时内订单 1 · 6,250 元" in approver.text()
    assert PHONE not in approver.html and "刘买家" not in approver.html


EXPECTED = {
    SELLER: (200, 200, 404),
    "approver": (200, 200, 404),
    "other": (200, 404, 404),  # another seller: not his post
    "liu": (403, 403, 403),  # a buyer
    None: (401, 401, 401),
}


async def test_every_promotions_page_as_each_seat(bot: BotHarness) -> None:
    await _an_order(bot)
    for seat, expected in EXPECTED.items():
        browser = await bot.open_console(seat) if seat else WebBrowser(bot)
        got = []
        for path in ("/web/promotions", "/web/promotions/1", "/web/promotions/9"):
            got.append(await browser.get(path))
            if seat != SELLER:
                assert PHONE not in browser.html, (seat, path)
        if seat is None:
            await browser.close()
        assert tuple(got) == expected, seat
