"""The problem desk on the web console (issue 17): the chat desk's ranked list as the complaints
landing page, with its filters and pages; an unfiled problem filed and routed from its page;
routing that asks back a doubtful deadline as the chat desk does; every new page as each seat."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness, WebBrowser
from tests.support.complaints_web import an_offer, four_tickets, web_config

from .conftest import CONFIG


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return web_config(CONFIG)


async def test_the_desk_is_the_landing_page_ranked_and_filtered(bot: BotHarness) -> None:
    await four_tickets(bot)
    offer = await an_offer(bot)
    wang = await bot.open_console("wang")
    assert await wang.get("/web/complaints") == 200
    text = wang.text()
    assert "问题台 (5)" in text
    assert "超期 0 · 未受理 5 · 本周 5" in text
    assert "“街口垃圾桶满了两天没人清运，污水横流” · 环卫所" in text
    assert f'href="/web/complaints/desk/offer/{offer}"' in wang.html
    assert [n in text for n in ("Q-2026-0001", "Q-2026-0002", "Q-2026-0003",
                                "Q-2026-0004")] == [True] * 4  # fmt: skip
    assert await wang.get("/web/complaints?unit=sanitation") == 200
    assert "Q-2026-0002" in wang.text() and "Q-2026-0001" not in wang.text()
    assert "未登记" in wang.text()  # the offer raised in 环卫所's group
    assert await wang.get("/web/complaints?name=环卫所") == 200  # a unit written by name
    assert "Q-2026-0002" in wang.text() and "Q-2026-0001" not in wang.text()
    assert await wang.get("/web/complaints?name=水利局") == 200
    assert "没有“水利局”这个单位，请点选，或写出单位名称。" in wang.text()
    assert await wang.get("/web/complaints?f=late") == 200
    assert "问题台 (0)" in wang.text()
    assert "暂无问题：您分管的群里没有待处理的问题。" in wang.text()


async def test_an_unfiled_problem_is_filed_and_routed_from_its_page(bot: BotHarness) -> None:
    await four_tickets(bot)
    offer = await an_offer(bot)
    wang = await bot.open_console("wang")
    assert await wang.get(f"/web/complaints/desk/offer/{offer}") == 200
    assert "街口垃圾桶满了两天没人清运" in wang.text() and "派往单位" in wang.text()
    form = {"unit": "sanitation", "due": "明天下班前", "instruction": "今天先把污水清掉"}
    assert await wang.post(f"/web/complaints/desk/offer/{offer}/route", form) == 200
    assert wang.url.endswith("/web/complaints/Q-2026-0005?routed=1")
    card = bot.sent_to("环卫所")[-1]
    assert card.text.startswith("📋 Q-2026-0005 · 环境卫生\n状态：已派单 · 环卫所\n")
    assert "📌 王书记批示：今天先把污水清掉（限 1月6日（周二） 18:00 前办结）" in card.text
    offered = next(s for s in bot.sent_to("环卫所") if s.edits)
    assert offered.edits[-1].text == "已登记为问题 Q-2026-0005。"


async def test_a_doubtful_deadline_is_asked_back_on_the_page(bot: BotHarness) -> None:
    await four_tickets(bot)
    wang = await bot.open_console("wang")
    await wang.get("/web/complaints/Q-2026-0004")
    before = len(bot.sent_to("住建局"))
    form = {"unit": "housing", "due": "3点前", "instruction": "先去看看"}
    assert await wang.post("/web/complaints/Q-2026-0004/route", form) == 200
    assert "“3点前”：您是指 1月5日（周一） 15:00 吗？" in wang.text()
    assert len(bot.sent_to("住建局")) == before  # nothing routed yet
    confirmed = re.search(r'name="confirmed" value="([^"]+)"', wang.html)
    assert confirmed is not None
    form |= {"confirmed": confirmed.group(1)}
    assert await wang.post("/web/complaints/Q-2026-0004/route", form) == 200
    assert "已派往 住建局" in wang.text()
    assert (
        "📌 王书记批示：先去看看（限 1月5日（周一） 15:00 前办结）"
        in bot.sent_to("住建局")[-1].text
    )


async def test_a_deadline_the_desk_cannot_read_is_said_on_the_page(bot: BotHarness) -> None:
    await four_tickets(bot)
    wang = await bot.open_console("wang")
    await wang.get("/web/complaints/Q-2026-0004")
    form = {"unit": "housing", "due": "尽快", "instruction": ""}
    assert await wang.post("/web/complaints/Q-2026-0004/route", form) == 400
    assert "请这样写期限：明早9点前、三个工作日内、周五前、10月20日17点" in wang.text()
    assert 'value="尽快"' in wang.html  # the form kept as it was filled


SEATS = ("admin", "wang", "lina", "zhao", "cun")
PAGES = ("/web/complaints", "/web/complaints/tickets", "/web/complaints/desk/offer/{offer}",
         "/web/complaints/desk/offer/999")  # fmt: skip
EXPECTED = {
    "admin": (200, 200, 200, 404),
    "wang": (200, 200, 200, 404),
    "lina": (200, 200, 403, 404),
    "zhao": (200, 200, 200, 404),
    "cun": (403, 403, 403, 403),
    None: (401,) * 4,
}


async def test_every_desk_page_as_each_seat(bot: BotHarness) -> None:
    await four_tickets(bot)
    offer = await an_offer(bot)
    for seat in (*SEATS, None):
        browser = await bot.open_console(seat) if seat else WebBrowser(bot)
        got = []
        for path in PAGES:
            got.append(await browser.get(path.format(offer=offer)))
            assert "陈阿姨" not in browser.html and "13800000001" not in browser.html
            assert "村民" not in browser.html or seat == "cun"  # the offer's author
        if seat is None:
            await browser.close()
        assert tuple(got) == EXPECTED[seat], seat
    lina = await bot.open_console("lina")
    await lina.get("/web/complaints")
    assert "Q-2026-0001" in lina.text() and "Q-2026-0002" not in lina.text()
    form = {"unit": "housing", "due": "明天下班前"}
    assert await lina.post(f"/web/complaints/desk/offer/{offer}/route", form) == 403
