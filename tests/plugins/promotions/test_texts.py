"""The plugin's catalogs: every text of the code, fully translated, placeholders kept; and the
Chinese a buyer reads."""

import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from qunzhu.core.catalogs import extract, untranslated
from qunzhu.core.i18n import LANGUAGES
from qunzhu.core.testing import BotHarness
from tests.plugins.promotions.story import PLUGINS, SELLER, config, posts_in, publish

PACKAGE = Path(__file__).parents[3] / "plugins" / "promotions"
REFRESH = (
    "run `qunzhu i18n update --domain promotions --locale-dir plugins/promotions/locale "
    "plugins/promotions` and translate the new texts"
)


def _read(lang: str) -> Catalog:
    with (PACKAGE / "locale" / lang / "LC_MESSAGES" / "promotions.po").open("rb") as fp:
        return read_po(fp, locale=lang)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_in_the_catalog_and_keeps_its_placeholders(lang: str) -> None:
    code = {m.id for m in extract([PACKAGE], "promotions") if m.id}
    catalog = _read(lang)
    assert code <= {m.id for m in catalog if m.id}, REFRESH
    wrong = [m.id for m in catalog if m.id and m.string and _fields(m.string) != _fields(m.id)]
    assert wrong == []


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_are_complete(lang: str) -> None:
    assert untranslated(_read(lang)) == [], REFRESH


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config({}, language="zh_Hans") | {"chats": {
        "memory:buyers-1": {"plugins": {"promotions": {"opt_in": True, "tags": ["buyers"]}}},
        "memory:台湾买家": {"language": "zh_Hant",
                        "plugins": {"promotions": {"opt_in": True, "tags": ["buyers"]}}},
    }}  # fmt: skip


async def test_the_story_in_chinese(bot: BotHarness) -> None:
    await publish(bot, stock="2000")
    [post] = posts_in(bot, "buyers-1")
    assert post.labels == ["我要订购", "感兴趣", "联系卖家"]
    assert "价格：12.5 元/斤" in post.text and "现货：2,000 斤" in post.text
    [taiwan] = posts_in(bot, "台湾买家")
    assert taiwan.labels == ["我要訂購", "感興趣", "聯絡賣家"]
    [q] = await bot.press(post, "我要订购", user="liu")
    assert q.text == "通山鮰鱼您要订多少斤？现剩 2,000 斤，单价 12.5 元/斤。"
    [bad, _again] = await bot.send("零", user="liu")
    assert bad.text == "请写一个大于 0 的整数，例如 500 或 两千。"
    [city] = await bot.send("两千斤", user="liu")
    assert city.text == "送到哪个城市？"
    await bot.send("武汉", user="liu")
    [bad, _again] = await bot.send("电话是123", user="liu")
    assert bad.text.startswith("抱歉，这看起来不像手机号码。")
    [confirm] = await bot.send("13800138000", user="liu")
    assert confirm.text == (
        "请核对订单：通山鮰鱼 2,000 斤，单价 12.5 元/斤，共 25,000 元，送到 武汉，电话 "
        "13800138000。确认下单吗？"
    )
    [done, seller, *_] = await bot.press(confirm, "确认下单", user="liu")
    assert done.text.startswith("谢谢！订单 #1 已提交：通山鮰鱼 2,000 斤。")
    assert seller.text == (
        "新订单 #1：liu 订购通山鮰鱼 2,000 斤，送到 武汉，电话 13800138000（来自群 buyers-1）。"
    )
    assert posts_in(bot, "buyers-1")[0].labels[0] == "已售罄"
    assert posts_in(bot, "台湾买家")[0].labels[0] == "已售罄"
    assert "已售罄，感谢支持！" in posts_in(bot, "buyers-1")[0].text
    [stats] = await bot.send("/统计", user=SELLER)
    assert stats.text.startswith("#1 通山鮰鱼: 送达 2 · 点击 1 · 意向 0 · 订单 1 · 订购 2,000 斤")
