"""The tasks page in a real browser (issue 17): a leader opens the console from the chat, sees
the task 刘局长 reported done with its report, signs it off with the page's button, and the group
reads that it is done. Screenshots (a phone's screen) go to $QUNZHU_SCREENSHOTS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness
from tests.support.browser import NEEDS_CHROMIUM, PHONE, local

from .conftest import GROUP, config

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    return setup


async def test_a_leader_signs_a_task_off_in_the_browser(
    bot: BotHarness, chromium: Any, shots: Path
) -> None:
    await bot.send("/task @住建局 明天下班以前完成塌方清理", user="wang", chat=GROUP)
    await bot.send("/task @厦门市长 周五前报送水源地巡查记录", user="wang", chat=GROUP)
    await bot.send("/done T-1 塌方已清理完毕，现场已恢复通行", user="liu", chat=GROUP)
    leader = await chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = await leader.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await page.goto(local(bot, await bot.web_link("wang")))
    await page.wait_for_url(re.compile(r".*/web/$"))
    await page.click("nav.main >> text=任务")
    await page.wait_for_url(re.compile(r".*/web/tasks$"))
    listed = await page.inner_text("ol.tasks")
    assert "T-1 · 完成塌方清理" in listed and "塌方已清理完毕" in listed
    assert "T-2 · 报送水源地巡查记录" in listed
    await page.screenshot(path=str(shots / "8-tasks.png"), full_page=True)
    await page.click("text=验收通过")
    await page.wait_for_url(re.compile(r".*/web/tasks\?signed=1$"))
    assert "王副部长 已验收" in await page.inner_text("ol.tasks")
    await page.screenshot(path=str(shots / "9-task-signed-off.png"), full_page=True)
    assert problems == []
    await bot.app.settle()
    assert bot.sent_to(GROUP)[-1].text == (
        "✅ 任务 T-1 已办结：完成塌方清理（刘局长 办理，王副部长 验收）"
    )
