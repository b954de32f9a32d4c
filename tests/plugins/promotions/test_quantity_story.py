"""Story 3.7 through the real dispatcher, in Chinese: the seller declares 1条约4.5斤 and 1箱=20斤;
a buyer presses 我要订购 under the 鮰鱼 post and writes 三百条 (converted, shown, checked against
the stock at once), then 全部要了 (asked with the number); more than the stock is refused at the
quantity step; 1e9元 and a stock of 10^23 are refused in the product dialog, not a crash."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.models import Order, Product
from tests.plugins.promotions.story import PLUGINS, SELLER, config, posts_in, publish


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(language="zh_Hans")


async def test_a_buyer_orders_in_tiao_then_takes_all_that_is_left(bot: BotHarness) -> None:
    await publish(bot, stock="2000", conversions="1条约4.5斤, 1箱=20斤")
    [post] = posts_in(bot, "buyers-1")
    [q] = await bot.press(post, "我要订购", user="liu")
    assert q.text == "通山鮰鱼您要订多少斤？现剩 2,000 斤，单价 12.5 元/斤。"
    # 三百条: converted, shown with the stock check, then the next question
    [shown, city] = await bot.send("三百条", user="liu")
    assert shown.text == "三百条 ≈ 1,350 斤（按每条约4.5斤）\n库存充足：还有 2,000 斤。"
    assert city.text == "送到哪个城市？"
    await bot.send("武汉", user="liu")
    [confirm] = await bot.send("13800138000", user="liu")
    assert confirm.text.startswith("请核对订单：通山鮰鱼 1,350 斤，单价 12.5 元/斤，共 16,875 元")
    await bot.press(confirm, "确认下单", user="liu")

    # 马 wants more than is left: refused at the quantity step, with what is left
    [q] = await bot.press(post, "我要订购", user="ma")
    [sorry, again] = await bot.send("2吨", user="ma")
    assert sorry.text == (
        "2吨 = 4,000 斤（每吨2000斤）\n"
        "抱歉，现在只剩 650 斤了。全部要的话请回复“全部要了”，或写一个不超过 650 的数量。"
    )
    assert again.text.startswith("通山鮰鱼您要订多少斤？")
    [sure, _city] = await bot.send("10箱", user="ma")  # 200 斤: exact, shown
    assert sure.text == "10箱 = 200 斤（每箱20斤）\n库存充足：还有 650 斤。"
    await bot.send("/cancel", user="ma")

    # 全部要了: all that is left, asked with the number
    [q] = await bot.press(post, "我要订购", user="ma")
    [ask] = await bot.send("全部要了", user="ma")
    assert ask.text == "剩下的全部 650 斤，对吗？" and ask.labels == ["是", "取消"]
    [city] = await bot.press(ask, "是", user="ma")
    assert city.text == "送到哪个城市？"
    await bot.send("长沙", user="ma")
    [confirm] = await bot.send("13900139000", user="ma")
    assert "通山鮰鱼 650 斤" in confirm.text
    await bot.press(confirm, "确认下单", user="ma")
    async with bot.app.db.session() as s:
        orders = (await s.scalars(select(Order).order_by(Order.id))).all()
        assert [(o.buyer, o.quantity, o.unit) for o in orders] == [
            ("memory:liu", 1350, "斤"),
            ("memory:ma", 650, "斤"),
        ]
        assert await s.scalar(select(Product.stock)) == 0


async def test_a_guess_is_asked_about_and_an_unknown_unit_is_not_taken_as_jin(
    bot: BotHarness,
) -> None:
    await publish(bot, stock="2000")  # no conversions declared
    [post] = posts_in(bot, "buyers-1")
    await bot.press(post, "我要订购", user="liu")
    [unknown, _again] = await bot.send("三百条", user="liu")
    assert unknown.text == ("这个产品按斤卖，我不知道一条合多少斤。请直接写多少斤，例如 500斤。")
    [exponent, _again] = await bot.send("1e9", user="liu")
    assert exponent.text.startswith("请直接写数字，不要用科学计数法")
    [negative, _again] = await bot.send("-5", user="liu")
    assert negative.text == "数量必须大于 0，例如 500。"
    [ask] = await bot.send("50斤左右", user="liu")
    assert ask.text == "您是指 50 斤吗？"
    [vague, again] = await bot.send("差不多吧", user="liu")  # neither yes nor a number
    assert vague.text == "请写要多少斤，例如 500 或 两千。" and again.text == "您是指 50 斤吗？"
    [city] = await bot.send("是的", user="liu")
    assert city.text == "送到哪个城市？"
    await bot.send("武汉", user="liu")
    [confirm] = await bot.send("13800138000", user="liu")
    assert "通山鮰鱼 50 斤" in confirm.text


async def test_absurd_prices_and_stocks_are_refused_in_the_product_dialog(
    bot: BotHarness,
) -> None:
    await bot.send("/product", user=SELLER)
    await bot.send("通山鮰鱼", user=SELLER)
    await bot.send("", user=SELLER, photos=["catfish.jpg"])
    [conversions] = await bot.send("斤", user=SELLER)
    assert conversions.text.startswith("买家还会按别的单位算吗？请写一个合多少斤，例如：1条约4.5斤")
    [bad, _again] = await bot.send("很多条", user=SELLER)
    assert bad.text.startswith("请按“1条=4.5斤”的样子写每种单位")
    await bot.send("1条约4.5斤", user=SELLER)
    [bad, _again] = await bot.send("1e9元", user=SELLER)
    assert bad.text == "请直接写价格，不要用科学计数法，例如 12.5。"
    [bad, _again] = await bot.send("-5", user=SELLER)
    assert bad.text == "价格不能小于 0，例如 12.5。"
    await bot.send("12.5元", user=SELLER)
    [bad, again] = await bot.send("10^23", user=SELLER)
    assert bad.text.startswith("请直接写数字，不要用科学计数法")
    [bad, again] = await bot.send("1" + "0" * 23, user=SELLER)
    assert bad.text == "这个数量大得不合常理，请检查一下。"
    assert again.text == "现有多少斤可以卖？"
    await bot.send("200万斤", user=SELLER)
    await bot.send("湖北通山", user=SELLER)
    [saved] = await bot.send("13800138000", user=SELLER)
    assert saved.text.startswith("产品 #1 已登记：通山鮰鱼，12.5 元/斤，现货 2,000,000 斤。")
    async with bot.app.db.session() as s:
        product = await s.scalar(select(Product))
        assert product is not None
        assert product.conversions == {"条": {"per": "4.5", "approx": True}}
