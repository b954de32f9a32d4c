"""`WebBrowser`: a person at the web console, for tests. ``await bot.open_console("wang")``
asks for ``/web`` in wang's private chat, opens the link on the bot's real port (whatever
``web.public_url`` says) and presses its button; then ``await page.get("/web/...")`` reads pages
as a browser would: cookies kept, redirects followed, the status, the HTML and its words."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from qunzhu.core.testing.harness import BotHarness

__all__ = ["WebBrowser"]


class WebBrowser:
    """One browser at the bot's web server: its cookies, the last page's status and HTML."""

    def __init__(self, bot: BotHarness) -> None:
        if bot.app.web is None:
            msg = "the web server is off: set web: {enabled: true, port: 0, public_url: ...}"
            raise RuntimeError(msg)
        self.base = f"http://127.0.0.1:{bot.app.web.port}"
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.status = 0
        self.html = ""
        self.url = ""
        self.body = b""
        self.headers: Any = {}

    async def close(self) -> None:
        await self.http.close()

    def local(self, link: str) -> str:
        """`link` (made with ``web.public_url``) on the bot's real address."""
        return self.base + link[link.index("/web/") :]

    async def open_link(self, link: str) -> int:
        """Open a ``/web`` link and press its button, as a person does; the final status."""
        await self.get(self.local(link))
        token = re.search(r'name="token" value="([^"]+)"', self.html)
        if token is None:
            return self.status
        return await self.post("/web/login", {"token": token.group(1)})

    async def get(self, path: str) -> int:
        url = path if path.startswith("http") else self.base + path
        async with self.http.get(url) as r:
            self.body = await r.read()
            self.status, self.url, self.headers = r.status, str(r.url), r.headers
            html = r.content_type == "text/html"
            self.html = self.body.decode("utf-8", "replace") if html else ""
        return self.status

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> int:
        """Send a form; with `csrf`, the token of the page last read, as its form would."""
        if csrf and "csrf" not in data:
            found = re.search(r'name="csrf" value="([^"]+)"', self.html)
            data = {"csrf": found.group(1) if found else "", **data}
        async with self.http.post(self.base + path, data=data) as r:
            self.body = await r.read()
            self.status, self.url, self.headers = r.status, str(r.url), r.headers
            self.html = self.body.decode("utf-8", "replace")
        return self.status

    def text(self) -> str:
        """The page's words, without tags and runs of blanks."""
        body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", self.html, flags=re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
