"""The check-ins pages in a real browser (Debian's chromium, driven by Playwright; issue 17): a
leader opens 工作汇报 from the navigation, the campaign with its chart and who has stopped
reporting, a round with its reports and photo; a participant sees only their own reports and
gets 403 on the round. Screenshots (a phone's screen) go to $QUNZHU_SCREENSHOTS, or a temporary
folder named in the output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.support.browser import NEEDS_CHROMIUM, PHONE, local

from .conftest import config
from .test_web_pages import four_fridays

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    return setup


async def test_a_leader_reads_the_check_ins_in_the_browser(
    bot: BotHarness, chromium: Any, shots: Path
) -> None:
    rounds = await four_fridays(bot)
    leader = await chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = await leader.new_page()
    problems: list[str] = []  # the console's own complaints: CSP refusals, missing files
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await page.goto(local(bot, await bot.web_link("wang")))
    await page.wait_for_url(re.compile(r".*/web/$"))

    await page.click("nav.main >> text=工作汇报")
    await page.wait_for_url(re.compile(r".*/web/checkins$"))
    assert "25% 3/12" in await page.inner_text("table")
    await page.screenshot(path=str(shots / "checkins-1-campaigns.png"), full_page=True)

    await page.click("text=水源保护周报")
    await page.wait_for_url(re.compile(r".*/web/checkins/campaign/.+"))
    assert await page.locator("svg.chart rect").count() == 4
    assert "有 1 人连续 3 期以上未汇报。" in await page.inner_text("main")
    assert await page.locator("table.grid tr.alarm").count() == 1
    await page.screenshot(path=str(shots / "checkins-2-campaign.png"), full_page=True)

    await page.click(f"table.rounds a[href$='/round/{rounds[9]}']")
    await page.wait_for_url(re.compile(rf".*/web/checkins/round/{rounds[9]}$"))
    assert "水源地巡查完成" in await page.inner_text("table.reports")
    photo = page.locator("table.reports img")
    assert await photo.count() == 1
    assert await photo.evaluate("img => img.complete && img.naturalWidth") == 320
    await page.screenshot(path=str(shots / "checkins-3-round.png"), full_page=True)
    assert problems == []

    mayor = await (await chromium.new_context(viewport=PHONE)).new_page()
    await mayor.goto(local(bot, await bot.web_link("mayor1")))
    await mayor.wait_for_url(re.compile(r".*/web/$"))
    await mayor.click("nav.main >> text=工作汇报")
    assert "我的汇报" in await mayor.inner_text("main")
    await mayor.screenshot(path=str(shots / "checkins-4-participant.png"), full_page=True)
    answer = await mayor.goto(f"http://127.0.0.1:{bot.app.web.port}/web/checkins/round/{rounds[9]}")
    assert answer is not None and answer.status == 403
    assert "您无权查看这项汇报。" in await mayor.inner_text("main")
