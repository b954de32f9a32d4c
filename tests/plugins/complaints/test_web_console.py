"""The complaints pages of the web console (issue 17): the overview's chart, the list scoped to
what each seat may see, a ticket's page with its timeline and photos, routing with a deadline
and an instruction (批示) that posts the card in the unit's group as the chat does, and privacy
exactly as in chat: every page and file route requested as each role."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness, WebBrowser
from tests.support.complaints_web import PHOTO, four_tickets, web_config

from .conftest import CONFIG


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return web_config(CONFIG)


async def test_a_leader_sees_the_chart_and_every_ticket(bot: BotHarness) -> None:
    await four_tickets(bot)
    wang = await bot.open_console("wang")
    assert wang.status == 200
    assert "<svg" in wang.html and "按单位统计工单" in wang.text()
    assert "住建局" in wang.text() and "环卫所" in wang.text() and "未派单" in wang.text()
    assert await wang.get("/web/complaints/tickets") == 200
    assert [n in wang.text() for n in ("Q-2026-0001", "Q-2026-0002", "Q-2026-0003",
                                       "Q-2026-0004")] == [True] * 4  # fmt: skip
    assert await wang.get("/web/complaints/tickets?show=unrouted") == 200
    assert "Q-2026-0004" in wang.text() and "Q-2026-0001" not in wang.text()
    assert await wang.get("/web/complaints/tickets?unit=housing") == 200
    assert "Q-2026-0001" in wang.text() and "Q-2026-0002" not in wang.text()


async def test_a_unit_member_sees_only_their_units_tickets(bot: BotHarness) -> None:
    await four_tickets(bot)
    lina = await bot.open_console("lina")  # 住建局
    assert await lina.get("/web/complaints/tickets") == 200
    assert "Q-2026-0001" in lina.text()
    assert "Q-2026-0002" not in lina.text() and "Q-2026-0004" not in lina.text()
    assert await lina.get("/web/complaints/Q-2026-0001") == 200
    assert await lina.get("/web/complaints/Q-2026-0001/photo/0") == 200
    assert lina.body == PHOTO
    assert await lina.get("/web/complaints/Q-2026-0002") == 403
    assert await lina.get("/web/complaints/Q-2026-0002/photo/0") == 403
    assert await lina.get("/web/complaints/Q-2026-0004") == 403


async def test_a_leader_routes_a_ticket_with_a_deadline_and_an_instruction(
    bot: BotHarness,
) -> None:
    await four_tickets(bot)
    wang = await bot.open_console("wang")
    await wang.get("/web/complaints/Q-2026-0004")
    assert "派往单位" in wang.text()
    form = {"unit": "housing", "due": "14号上午9点前", "instruction": "明早9点前到现场核实"}
    assert await wang.post("/web/complaints/Q-2026-0004/route", form) == 200
    assert "已派往 住建局，工单卡片已发到该单位群。" in wang.text()
    card = bot.sent_to("住建局")[-1]  # one card, the instruction on it, as from the chat desk
    assert card.text.startswith("📋 Q-2026-0004 · 其他\n状态：已派单 · 住建局\n")
    assert "📌 王书记批示：明早9点前到现场核实（限 1月14日（周三） 09:00 前办结）" in card.text
    assert "办结时限 01-14 09:00" in card.text  # the leader's deadline
    assert card.labels == ["接单", "已解决", "转办", "更多…"]
    assert "明早9点前到现场核实" in wang.text()  # in the timeline
    assert "领导批示" in wang.text()
    assert "📌 王书记批示：明早9点前到现场核实（限 1月14日（周三） 09:00 前办结）" in wang.text()
    assert "办结时限 01-14 09:00" in wang.text() or "01-14 09:00" in wang.text()
    lina = await bot.open_console("lina")  # now hers
    assert await lina.get("/web/complaints/Q-2026-0004") == 200


async def test_no_one_routes_a_ticket_they_may_not_see_nor_without_the_forms_token(
    bot: BotHarness,
) -> None:
    await four_tickets(bot)
    zhao = await bot.open_console("zhao")  # 环卫所 may pass its own ticket on (转办, as in chat)
    await zhao.get("/web/complaints/Q-2026-0002")
    assert "派往单位" in zhao.text()
    lina = await bot.open_console("lina")  # 住建局 may not touch 环卫所's ticket
    await lina.get("/web/complaints")
    assert await lina.post("/web/complaints/Q-2026-0002/route", {"unit": "housing"}) == 403
    wang = await bot.open_console("wang")
    await wang.get("/web/complaints/Q-2026-0004")
    form = {"unit": "housing", "csrf": "forged"}
    assert await wang.post("/web/complaints/Q-2026-0004/route", form) == 403
    assert bot.sent_to("住建局")[-1].text.startswith("📋 Q-2026-0001")  # nothing routed


SEATS = ("admin", "wang", "lina", "zhao", "cun")
PAGES = (
    "/web/",
    "/web/complaints",
    "/web/complaints/Q-2026-0001",
    "/web/complaints/Q-2026-0001/photo/0",
    "/web/complaints/Q-2026-0002",
    "/web/complaints/Q-2026-0003",
    "/web/complaints/Q-2026-0004",
    "/web/admin/health",
    "/web/admin/sessions",
)
#: What each seat gets; 401 is the login note after the redirect.
EXPECTED = {
    "admin": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "wang": (200, 200, 200, 200, 200, 200, 200, 403, 403),
    "lina": (200, 200, 200, 200, 403, 403, 403, 403, 403),
    "zhao": (200, 200, 403, 403, 200, 200, 403, 403, 403),
    "cun": (200, 403, 403, 403, 403, 403, 403, 403, 403),
    None: (401,) * 9,
}


async def test_every_page_and_file_as_each_seat(bot: BotHarness) -> None:
    await four_tickets(bot)
    for seat in (*SEATS, None):
        if seat is None:
            browser = WebBrowser(bot)
            got = []
            for path in PAGES:
                got.append(await browser.get(path))
                assert "13800000001" not in browser.html and "王女士" not in browser.html
            await browser.close()
        else:
            browser = await bot.open_console(seat)
            got = []
            for path in PAGES:
                got.append(await browser.get(path))
                _privacy(seat, path, browser)
        assert tuple(got) == EXPECTED[seat], seat


def _privacy(seat: str, path: str, browser: WebBrowser) -> None:
    html = browser.html
    # the anonymous reporter is named nowhere, to no one
    assert "陈阿姨" not in html and "memory:chen" not in html, (seat, path)
    # the caller's phone only to the handling unit (环卫所: zhao), on the ticket's page
    if path == "/web/complaints/Q-2026-0003" and seat == "zhao":
        assert "13800000001" in html
    else:
        assert "13800000001" not in html, (seat, path)
