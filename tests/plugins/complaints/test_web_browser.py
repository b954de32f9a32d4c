"""The web console in a real browser (Debian's chromium, driven by Playwright; issue 17): a
leader gets the link in chat, opens it, sees the overview with its chart, routes a ticket on
its page and the card appears in the unit's group; a unit member's session gets 403 on another
unit's ticket; the link cannot be used twice. Screenshots of each page (a phone's screen) go to
$QUNZHU_SCREENSHOTS, or a temporary folder named in the output.

The browser and its fixtures: `tests.support.browser`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.support.browser import NEEDS_CHROMIUM, PHONE, local
from tests.support.complaints_web import an_offer, four_tickets, web_config

from .conftest import CONFIG

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return web_config(CONFIG)


async def test_a_leader_routes_a_ticket_in_the_browser(
    bot: BotHarness, chromium: Any, shots: Path
) -> None:
    await four_tickets(bot)
    await an_offer(bot)
    link = local(bot, await bot.web_link("wang"))
    leader = await chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = await leader.new_page()
    problems: list[str] = []  # the console's own complaints: CSP refusals, missing files
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    await page.goto(link)  # its script presses 进入后台 at once
    await page.wait_for_url(re.compile(r".*/web/$"))
    assert await page.locator("svg.chart rect").count() > 0
    assert "按单位统计工单" in await page.inner_text("main")
    await page.screenshot(path=str(shots / "1-overview.png"), full_page=True)

    await page.click("nav.main >> text=问题台")
    await page.wait_for_url(re.compile(r".*/web/complaints$"))
    desk = await page.inner_text("ol.desk")
    assert "Q-2026-0004" in desk and "未登记" in desk
    await page.screenshot(path=str(shots / "2-desk.png"), full_page=True)

    await page.click("nav.main >> text=工单")
    await page.wait_for_url(re.compile(r".*/web/complaints/tickets$"))
    assert "Q-2026-0004" in await page.inner_text("table")
    await page.screenshot(path=str(shots / "2-tickets.png"), full_page=True)

    await page.click("text=Q-2026-0004")
    await page.select_option("form.route select[name=unit]", "housing")
    await page.fill("form.route input[name=due]", "14号上午9点前")
    await page.fill("form.route textarea[name=instruction]", "明早9点前到现场核实")
    await page.screenshot(path=str(shots / "3-ticket-form.png"), full_page=True)
    await page.click("form.route button[type=submit]")
    await page.wait_for_url(re.compile(r".*Q-2026-0004\?routed=1$"))
    assert "已派往 住建局" in await page.inner_text(".flash")
    await page.screenshot(path=str(shots / "4-ticket-routed.png"), full_page=True)
    assert problems == []

    await bot.app.settle()
    card = bot.sent_to("住建局")[-1]
    assert card.text.startswith("📋 Q-2026-0004 · 其他\n状态：已派单 · 住建局\n")
    assert "📌 王书记批示：明早9点前到现场核实（限 1月14日（周三） 09:00 前办结）" in card.text

    again = await (await chromium.new_context(viewport=PHONE)).new_page()
    await again.goto(link)
    await again.wait_for_load_state("networkidle")
    assert "此链接无法使用" in await again.inner_text("main")
    await again.screenshot(path=str(shots / "5-link-used-twice.png"), full_page=True)

    member = await (await chromium.new_context(viewport=PHONE)).new_page()
    await member.goto(local(bot, await bot.web_link("lina")))
    await member.wait_for_url(re.compile(r".*/web/$"))
    answer = await member.goto(f"http://127.0.0.1:{bot.app.web.port}/web/complaints/Q-2026-0002")
    assert answer is not None and answer.status == 403
    assert "您无权查看这件工单" in await member.inner_text("main")
    await member.screenshot(path=str(shots / "6-other-units-ticket-403.png"), full_page=True)

    admin = await (await chromium.new_context(viewport=PHONE)).new_page()
    await admin.goto(local(bot, await bot.web_link("admin")))
    await admin.wait_for_url(re.compile(r".*/web/$"))
    await admin.click("nav.main >> text=投递状况")
    assert "发件队列" in await admin.inner_text("main")
    await admin.screenshot(path=str(shots / "7-admin-health.png"), full_page=True)
