"""The plugin's catalogs: every text of the code, fully translated, placeholders kept; and the
Chinese a buyer reads."""

import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from qunzhu.core.i18n._catalogs import LANGUAGES
from qunzhu.core.i18n._extract import extract, untranslated
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
    assert bad.text == "数量必须大于 0，例如 500。"
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


async def test_a_recurring_post_in_chinese(bot: BotHarness) -> None:
    await bot.send("/产品", user=SELLER)
    for answer in ("通山鮰鱼", "", "斤", "1条约4.5斤", "12.5", "2000", "湖北通山", "13800138000"):
        await bot.send(answer, user=SELLER, photos=["catfish.jpg"] if answer == "" else [])
    await bot.send("/推介 1", user=SELLER)
    await bot.send("鲜活直发", user=SELLER)
    [when] = await bot.send("buyers", user=SELLER)
    assert when.labels == ["现在", "下一个空档", "取消"]
    [repeat] = await bot.send("周五 上午十点", user=SELLER)
    assert repeat.labels == ["只发一次", "每天一次，共一周", "每周一次，直到售罄", "取消"]
    answers = await bot.send("每周一、五 到2月1日", user=SELLER)
    assert answers[2].text == (
        "推介 #1 等待审批。批准后将发到标签为 buyers 的 2 个群，每周一、周五 10:00，到 "
        "2026-02-01 为止；第一次在 01-09 10:00。"
    )
    [done, _] = await bot.press(bot.sent_to("dm:approver")[-1], "批准", user="approver")
    assert done.text == (
        "已批准。推介 #1 将重复发送：每周一、周五 10:00，到 2026-02-01 为止；第一次于 01-09 "
        "10:00 发出。"
    )
    [mine] = await bot.send("/进度", user=SELLER)
    assert (
        "#1 通山鮰鱼: 重复发送（每周一、周五 10:00，到 2026-02-01 为止）；下一次 01-09 10:00"
        in (mine.text)
    )


async def test_the_tag_question_shows_the_groups_own_tags_not_english_examples(
    bot: BotHarness,
) -> None:
    """Regression: the Chinese prompt gave "例如：buyers tourism", English words a Chinese seller
    never chose; it now shows only the tags the groups really have."""
    await bot.send("/产品", user=SELLER)
    for answer in ("通山鮰鱼", "", "斤", "1条约4.5斤", "12.5", "2000", "湖北通山", "13800138000"):
        await bot.send(answer, user=SELLER, photos=["catfish.jpg"] if answer == "" else [])
    await bot.send("/推介 1", user=SELLER)
    [tags] = await bot.send("鲜活直发", user=SELLER)
    assert tags.text == "发到哪些群？请写群的标签，多个用空格分开。现有的标签：buyers"
    assert "tourism" not in tags.text
