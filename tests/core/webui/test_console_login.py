"""The web console opens from the chat: ``/web`` in private gives a one-time link, the link
opens a session once, pages check the session, the roles and the CSRF token, and an admin can
end anyone's sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from qunzhu.core.testing import BotHarness, WebBrowser

CONFIG: dict[str, Any] = {
    "bot": {"language": "zh_Hans", "timezone": "Asia/Shanghai"},
    "web": {"enabled": True, "port": 0, "public_url": "http://console.test"},
    "people": [
        {"name": "王书记", "identities": ["memory:wang", "telegram:77"], "roles": ["supervisor"]},
        {"name": "管理员", "identities": ["memory:admin"], "roles": ["admin"]},
    ],
}


@pytest.fixture
def bot_config() -> dict[str, Any]:
    return CONFIG


@pytest.fixture
async def visitor(bot: BotHarness) -> Any:
    v = WebBrowser(bot)
    yield v
    await v.close()


async def link_for(bot: BotHarness, user: str) -> str:
    return await bot.web_link(user)


async def test_web_in_a_group_gives_no_link_and_says_to_write_privately(bot: BotHarness) -> None:
    [sent] = await bot.send("/后台", user="wang", chat="区政府")
    assert sent.text == "请在与我的私聊中发送 /web：链接只属于您本人。"
    assert not sent.reply.flat_buttons


async def test_the_link_opens_the_overview_once(bot: BotHarness, visitor: WebBrowser) -> None:
    [sent] = await bot.send("/web", user="wang")
    assert sent.text == "您的后台链接只能打开一次，有效期 10 分钟。请勿转给他人。"
    url = await link_for(bot, "wang")
    assert await visitor.open_link(url) == 200
    assert visitor.url.endswith("/web/")
    assert "概览" in visitor.text() and "王书记" in visitor.text()
    again = WebBrowser(bot)
    try:
        assert await again.open_link(url) == 403
        assert "链接已用过或已过期" in again.text()
    finally:
        await again.close()


async def test_an_expired_link_opens_nothing(bot: BotHarness, visitor: WebBrowser) -> None:
    url = await link_for(bot, "wang")
    await bot.advance(timedelta(minutes=11))
    assert await visitor.open_link(url) == 403


async def test_without_a_session_pages_send_to_the_login_note(visitor: WebBrowser) -> None:
    assert await visitor.get("/web/") == 401
    assert visitor.url.endswith("/web/login")
    assert "在私聊中向机器人发送 /web" in visitor.text()


async def test_admin_pages_are_403_to_a_supervisor(bot: BotHarness, visitor: WebBrowser) -> None:
    await visitor.open_link(await link_for(bot, "wang"))
    assert "投递状况" not in visitor.text()  # not in the navigation either
    assert await visitor.get("/web/admin/health") == 403
    assert await visitor.get("/web/admin/sessions") == 403


async def test_a_post_without_csrf_is_refused(bot: BotHarness, visitor: WebBrowser) -> None:
    await visitor.open_link(await link_for(bot, "admin"))
    await visitor.get("/web/admin/sessions")
    assert await visitor.post("/web/admin/sessions", {"person": "1"}, csrf=False) == 403
    assert await visitor.post("/web/logout", {}, csrf=False) == 403
    assert await visitor.get("/web/") == 200  # still logged in


async def test_an_admin_ends_a_persons_sessions(bot: BotHarness, visitor: WebBrowser) -> None:
    wang = WebBrowser(bot)
    try:
        await wang.open_link(await link_for(bot, "wang"))
        await visitor.open_link(await link_for(bot, "admin"))
        assert await visitor.get("/web/admin/health") == 200
        assert "memory" in visitor.text()
        await visitor.get("/web/admin/sessions")
        assert "王书记" in visitor.text()
        wang_id = (await bot.app.people.find("memory:wang")).id  # type: ignore[union-attr]
        assert await visitor.post("/web/admin/sessions", {"person": str(wang_id)}) == 200
        assert "已结束 1 个会话。" in visitor.text()
        assert await wang.get("/web/") == 401
    finally:
        await wang.close()


async def test_logout_ends_the_session(bot: BotHarness, visitor: WebBrowser) -> None:
    await visitor.open_link(await link_for(bot, "wang"))
    await visitor.post("/web/logout", {})
    assert await visitor.get("/web/") == 401


async def test_the_session_cookie_is_httponly_and_lax(bot: BotHarness) -> None:
    import aiohttp

    url = await link_for(bot, "wang")
    v = WebBrowser(bot)
    try:
        await v.get(v.local(url))
        token = v.html.split('name="token" value="')[1].split('"')[0]
        async with aiohttp.ClientSession() as http:
            r = await http.post(f"{v.base}/web/login", data={"token": token},
                                allow_redirects=False)  # fmt: skip
            cookie = r.headers["Set-Cookie"]
        assert r.status == 303
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/web" in cookie
        assert "Secure" not in cookie  # http: a Secure cookie would never come back
    finally:
        await v.close()
