"""The tasks page of the web console (issue 17): tasks open, reported and overdue, by unit and
person; the sign-off buttons do what the chat's do (the group is told, the card edited, the
assignee told in private when given back); every page as each seat."""

from __future__ import annotations

from typing import Any

import pytest

from qunzhu.core.testing import BotHarness, WebBrowser

from .conftest import GROUP, config


@pytest.fixture
def bot_config() -> dict[str, Any]:
    setup = config()
    setup["web"] = {"enabled": True, "port": 0, "public_url": "http://console.test"}
    return setup


async def _reported(bot: BotHarness) -> None:
    """T-1 to 住建局, reported done by 刘局长; T-2 to 厦门市长, open."""
    await bot.send("/task @住建局 明天下班以前完成塌方清理", user="wang", chat=GROUP)
    await bot.send("/task @厦门市长 周五前报送水源地巡查记录", user="wang", chat=GROUP)
    await bot.send("/done T-1 塌方已清理完毕", user="liu", chat=GROUP)


async def test_a_leader_sees_the_tasks_and_signs_one_off(bot: BotHarness) -> None:
    await _reported(bot)
    wang = await bot.open_console("wang")
    assert await wang.get("/web/tasks") == 200
    text = wang.text()
    assert "任务 (2)" in text and "待验收 (1)" in text and "进行中 (1)" in text
    assert "T-1 · 完成塌方清理" in text and "刘局长 报告已办结： 塌方已清理完毕" in text
    assert "T-2 · 报送水源地巡查记录" in text
    assert await wang.get("/web/tasks?state=reported") == 200
    assert "T-1" in wang.text() and "T-2" not in wang.text()
    assert await wang.get("/web/tasks?unit=住建局") == 200
    assert "T-1" in wang.text() and "T-2" not in wang.text()
    await wang.get("/web/tasks")
    assert await wang.post("/web/tasks/1/accept", {}) == 200
    assert "T-1" in wang.text() and "王副部长 已验收" in wang.text()
    done = bot.sent_to(GROUP)[-1]
    assert done.text == "✅ 任务 T-1 已办结：完成塌方清理（刘局长 办理，王副部长 验收）"


async def test_giving_back_needs_a_reason_and_tells_the_assignee(bot: BotHarness) -> None:
    await _reported(bot)
    wang = await bot.open_console("wang")
    await wang.get("/web/tasks")
    assert await wang.post("/web/tasks/1/give_back", {"reason": ""}) == 403
    assert "请写明退回的理由。" in wang.text()
    await wang.get("/web/tasks")
    assert await wang.post("/web/tasks/1/give_back", {"reason": "还有一处没清理"}) == 200
    told = bot.sent_to(GROUP)[-1]
    assert "↩️" in told.text and "还有一处没清理" in told.text
    assert "进行中" in wang.text() and "退回 1 次" in wang.text()


async def test_only_a_signer_signs_and_only_what_they_see(bot: BotHarness) -> None:
    await _reported(bot)
    liu = await bot.open_console("liu")  # the assignee: sees T-1, may not sign it off
    assert await liu.get("/web/tasks") == 200
    assert "T-1" in liu.text() and "T-2" not in liu.text()
    assert "验收通过" not in liu.text()
    assert await liu.post("/web/tasks/1/accept", {}) == 403
    assert "只有" in liu.text()
    await liu.get("/web/tasks")
    assert await liu.post("/web/tasks/2/accept", {}) == 403  # not his to see
    wang = await bot.open_console("wang")
    await wang.get("/web/tasks")
    assert await wang.post("/web/tasks/1/accept", {"csrf": "forged"}) == 403
    assert "待验收 (1)" in (await wang.get("/web/tasks") and wang.text())


EXPECTED = {"wang": 200, "liu": 200, "chen": 200, "mayor1": 403, None: 401}


async def test_the_tasks_page_as_each_seat(bot: BotHarness) -> None:
    await _reported(bot)
    for seat, status in EXPECTED.items():
        browser = await bot.open_console(seat) if seat else WebBrowser(bot)
        assert await browser.get("/web/tasks") == status, seat
        if seat is None:
            assert await browser.post("/web/tasks/1/accept", {}) == 401
            await browser.close()
        elif status == 403:
            assert await browser.post("/web/tasks/1/accept", {}) == 403
