"""The catalog from the YAML, the parsing of what people type, and the plugin's migration."""

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from qunzhu.core.config import load_config
from qunzhu.core.errors import ConfigError
from qunzhu.core.plugins import PluginSet, load_plugins
from qunzhu.core.storage import _migrate as migrate
from qunzhu.core.storage._database import Database
from qunzhu.core.testing import BotHarness
from qunzhu.plugins.promotions.config import PromotionsConfig
from qunzhu.plugins.promotions.models import Product
from qunzhu.plugins.promotions.occurrences import occurrences
from qunzhu.plugins.promotions.parse import parse_phone, parse_quantity, parse_when
from qunzhu.plugins.promotions.recurrence import is_once, looks_recurring, parse_repeat
from tests.plugins.promotions.story import APPROVER, PLUGINS, SELLER, config

CATFISH = {
    "key": "catfish",
    "name": "通山鮰鱼",
    "seller": f"memory:{SELLER}",
    "seller_name": "张老板",
    "price": 12.5,
    "stock": 2_000_000,
    "origin": "湖北通山",
    "contact": "13800138000",
    "photos": ["catfish.jpg"],
}


@pytest.fixture
def bot_plugins() -> list[object]:
    return list(PLUGINS)


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return config(products=[CATFISH])


async def test_products_from_the_yaml_keep_their_stock_across_restarts(
    bot: BotHarness,
) -> None:
    [listing] = await bot.send("/products", user=SELLER)
    assert "#1 通山鮰鱼: 12.5 元/斤, 2,000,000 斤 left" in listing.text
    async with bot.app.db.session() as s, s.begin():
        await s.execute(update(Product).values(stock=1_500_000))
    bot.config["plugins"]["promotions"]["products"] = [{**CATFISH, "price": 11}]
    await bot.restart()
    [listing] = await bot.send("/products", user=SELLER)
    assert "#1 通山鮰鱼: 11 元/斤, 1,500,000 斤 left" in listing.text


async def test_an_admin_drafting_for_an_unreachable_seller_warns_the_approver(
    bot: BotHarness,
) -> None:
    bot.config["bot"]["admins"] = ["memory:boss"]
    await bot.restart()
    bot.adapter.writes_first = False  # as on Telegram: only to who wrote to the bot
    await bot.send("/promote 1", user="boss")
    for answer in ("鲜活直发", "buyers", "10:00", "不重复"):
        await bot.send(answer, user="boss")
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    assert "the seller 张老板 has never written to me privately" in ask.text
    bot.adapter.writes_first = True  # as on Matrix: the bot can reach the seller
    await bot.send("/promote 1", user="boss")
    for answer in ("鲜活直发", "buyers", "10:00", "不重复"):
        await bot.send(answer, user="boss")
    ask = bot.sent_to(f"dm:{APPROVER}")[-1]
    assert ask.text.startswith("Promotion #2") and "never written" not in ask.text


def test_quantities_people_write() -> None:
    cases = {"500": 500, "500斤": 500, "两千斤": 2000, "2,000 斤": 2000, "1.5万斤": 15000,
             "一万五": 15000, "三千五百斤": 3500, "一千零五": 1005, "２０００斤": 2000,
             "200万": 2_000_000, "50公斤": 100, "2吨": 4000}  # fmt: skip
    for text, expected in cases.items():
        assert parse_quantity(text, "斤") == expected, text
    for text in ("0", "零", "很多", "2.5", "-3", ""):
        assert parse_quantity(text, "斤") is None, text
    assert parse_quantity("3箱", "箱") == 3


def test_mobile_numbers() -> None:
    assert parse_phone("138 0013 8000") == "13800138000"
    assert parse_phone("+86 138-0013-8000") == "13800138000"
    for text in ("12345", "23800138000", "1380013800", "电话"):
        assert parse_phone(text) is None, text


def test_times() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 1, 5, 9, 0, tzinfo=tz)
    at = lambda h, m=0, d=5: datetime(2026, 1, d, h, m, tzinfo=tz)  # noqa: E731
    assert parse_when("10:00", now, tz) == at(10)
    assert parse_when("8:00", now, tz) == at(8, d=6)  # past today: tomorrow
    assert parse_when("明天 10点", now, tz) == at(10, d=6)
    assert parse_when("下午3点半", now, tz) == at(15, 30)
    assert parse_when("2026-01-07 10:00", now, tz) == at(10, d=7)
    assert parse_when("1月7日 9:30", now, tz) == at(9, 30, d=7)
    assert parse_when("现在", now, tz) == now
    assert parse_when("随便", now, tz) is None
    assert parse_when(" 25:00", now, tz) is None
    assert parse_when("周五十点", now, tz) == at(10, d=9)  # the coming Friday
    assert parse_when("下周三 9点", now, tz) == at(9, d=14)
    assert parse_when("星期一 8点", now, tz) == at(8, d=12)  # Monday 08:00 has passed
    assert parse_when("friday 3pm", now, tz) == at(15, d=9)
    assert parse_when("中午1点", now, tz) == at(13)
    assert parse_when("2026-02-30 10:00", now, tz) is None  # no such day: not today instead


def test_repetitions_people_write() -> None:
    """What a seller types for a recurring post, and the dates it gives from Monday 09:00."""
    tz = ZoneInfo("Asia/Shanghai")
    first = datetime(2026, 1, 5, 9, 0, tzinfo=tz)

    def dates(text: str, n: int = 4) -> list[str]:
        rep = parse_repeat(text, first.date())
        assert rep is not None, text
        found = occurrences(rep, first, tz, lambda d: d.weekday() < 5 and d.day != 6)
        return [f"{d:%a %m-%d %H:%M}" for d in itertools.islice(found, n)]

    assert dates("每天10:00 一周", 9) == [f"{d} 01-{n:02d} 10:00" for d, n in zip(
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), range(5, 12), strict=True)]  # fmt: skip
    assert dates("每周五 10点 到1月20日") == ["Fri 01-09 10:00", "Fri 01-16 10:00"]
    assert dates("每周五十点，三周") == ["Fri 01-09 10:00", "Fri 01-16 10:00", "Fri 01-23 10:00"]
    assert dates("每周一、三、五 上午9点", 3) == ["Mon 01-05 09:00", "Wed 01-07 09:00",
                                              "Fri 01-09 09:00"]  # fmt: skip
    assert dates("每个工作日 9点", 3) == ["Mon 01-05 09:00", "Wed 01-07 09:00", "Thu 01-08 09:00"]
    assert dates("每天下午三点，共2次") == ["Mon 01-05 15:00", "Tue 01-06 15:00"]
    assert dates("每隔一天 10点", 2) == ["Mon 01-05 10:00", "Wed 01-07 10:00"]
    assert dates("每月1号 10点", 2) == ["Sun 02-01 10:00", "Sun 03-01 10:00"]
    assert dates("every Friday 10am until sold out", 2) == ["Fri 01-09 10:00", "Fri 01-16 10:00"]
    assert dates("daily for 3 days") == ["Mon 01-05 09:00", "Tue 01-06 09:00", "Wed 01-07 09:00"]
    assert dates("FREQ=WEEKLY;BYDAY=TU;COUNT=2") == ["Tue 01-06 09:00", "Tue 01-13 09:00"]
    assert dates("0 10 * * 5 共2次") == ["Fri 01-09 10:00", "Fri 01-16 10:00"]
    assert dates("周五", 1) == ["Fri 01-09 09:00"]  # the answer to "repeat how?"
    assert parse_repeat("周五", first.date(), bare_days=False) is None  # a time, not a repetition
    for text in ("随便", "每周3次", "每天两次", "FREQ=SOMETIMES", "每天 共0次", "三次 a week"):
        assert parse_repeat(text, first.date()) is None, text
    assert looks_recurring("每周五 10点") and not looks_recurring("周五 10点")
    assert is_once("不重复") and is_once("Only once.") and not is_once("每天")


def test_config_rejects_bad_periods_and_twice_the_same_product() -> None:
    with pytest.raises(ValueError, match="is not a period"):
        PromotionsConfig(quiet_hours=("22-08",))
    with pytest.raises(ValueError, match="product keys must be unique"):
        PromotionsConfig.model_validate({"products": [CATFISH, CATFISH]})


def test_a_bad_section_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "qunzhu.yaml"
    path.write_text("plugins:\n  promotions:\n    daily_cap: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"qunzhu.yaml:3:16: plugins.promotions.daily_cap"):
        load_config(path, plugin_models={"promotions": PromotionsConfig})


async def test_the_migration_creates_exactly_the_declared_tables(tmp_path: Path) -> None:
    plugins = PluginSet.collect(load_plugins(PLUGINS, entry_points_enabled=False))
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await migrate.upgrade(db, plugins)  # raises when a table or column differs
        assert await migrate.pending_differences(db, plugins) == []
    finally:
        await db.dispose()


def test_the_yaml_example_of_the_docs_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[3] / "docs" / "promotions.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "qunzhu.yaml"
    path.write_text(example, encoding="utf-8")
    settings = load_config(path, plugin_models={"promotions": PromotionsConfig})
    group = settings.plugin_config("promotions", "telegram:-1001234567890")
    assert isinstance(group, PromotionsConfig)
    assert (group.opt_in, group.tags, group.daily_cap) == (True, ("buyers",), 2)
    assert group.products[0].name == "通山鮰鱼"  # the base section, merged
