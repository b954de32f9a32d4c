"""The console's routes on the bot's web server, and the checks every request passes.

* ``GET /web/login?token=…`` shows a button (pressed by a script at once) that ``POST``s the
  token: a link preview, which fetches the page but presses nothing, cannot use up the link.
  The ``POST`` redeems it (once, before it expires), opens a session and sets its cookie
  (HttpOnly, SameSite=Lax, Secure behind https), then redirects to the overview.
* Every page: no live session → a redirect to ``/web/login``, which says how to get a link;
  the page's roles not held → 403; a ``POST`` without the session's CSRF token → 403. The person
  is read afresh on each request, so a role taken away closes its pages at once.
* ``POST /web/logout`` ends the session. Answers are never cached and never framed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from markupsafe import Markup

from qunzhu.core.i18n._catalogs import CORE_DOMAIN
from qunzhu.core.plugins import domain_of
from qunzhu.core.webui import _sessions as sessions
from qunzhu.core.webui._pages import Page, Panel, Template, Visit
from qunzhu.core.webui._render import Renderer

if TYPE_CHECKING:
    from qunzhu.core.app import App
    from qunzhu.core.people import Person

__all__ = ["CONSOLE_KEY", "COOKIE", "ROOT", "Console"]

ROOT = "/web"
COOKIE = "qunzhu_session"
STATIC = Path(__file__).parent / "static"
log = logging.getLogger("qunzhu.web")
CONSOLE_KEY: web.AppKey[Console] = web.AppKey("qunzhu_console")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}


_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


@functools.cache
def _static_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in STATIC.iterdir() if p.suffix in _STATIC_TYPES}


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    title: str
    here: bool


class Console:
    """Mounts the core's and the plugins' pages on `web` and renders them."""

    def __init__(self, app: App, pages: Sequence[Page], panels: Sequence[Panel]) -> None:
        from qunzhu.core.webui import _core_pages

        self.app = app
        self.pages = [*_core_pages.PAGES, *pages]
        self.panels = sorted(panels, key=lambda p: p.order)
        folders: dict[str, Path] = {}
        items: list[Page | Panel] = [*pages, *panels]
        for item in items:
            if item.templates is not None and item.plugin:
                folders[item.plugin] = item.templates
        self.renderer = Renderer(folders)

    def mount(self, server: web.Application) -> None:
        server[CONSOLE_KEY] = self
        router = server.router
        router.add_get(f"{ROOT}/login", self._enter)
        router.add_post(f"{ROOT}/login", self._login)
        router.add_post(f"{ROOT}/logout", self._logout)
        router.add_get(ROOT + "/static/{name}", self._static)
        for page in self.pages:
            router.add_route(page.method, ROOT + page.path, self._handler(page))

    async def _static(self, request: web.Request) -> web.StreamResponse:
        """The console's CSS and script: a fixed list of files read once, not a folder served
        (nothing else under it can be asked for, whatever the path says)."""
        name = request.match_info["name"]
        kind = _STATIC_TYPES.get(Path(name).suffix)
        if kind is None or name not in _static_files():
            raise web.HTTPNotFound
        return web.Response(
            body=_static_files()[name],
            content_type=kind,
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )

    # -- the checks --------------------------------------------------------------------------
    def _handler(self, page: Page) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._serve(page, request)

        return handle

    async def _serve(self, page: Page, request: web.Request) -> web.StreamResponse:
        found = await self._visitor(request)
        if found is None:
            raise web.HTTPFound(f"{ROOT}/login")
        person, session_id = found
        visit = self._visit(request, person, session_id, page.plugin or "core")
        if not page.allows(person, self.app.org):
            return self.message(
                visit,
                403,
                visit.t.core("Not for you"),
                visit.t.core("This page is not open to you."),
            )
        if request.method == "POST":
            form = await request.post()
            if not sessions.csrf_matches(session_id, str(form.get("csrf", ""))):
                return self.message(
                    visit,
                    403,
                    visit.t.core("Form expired"),
                    visit.t.core("Open the page again and send it once more."),
                )
        result = await page.handler(visit)
        if isinstance(result, Template):
            return self.respond(visit, result, here=page.path)
        return _secure(result)

    async def _visitor(self, request: web.Request) -> tuple[Person, str] | None:
        session_id = request.cookies.get(COOKIE, "")
        if not session_id:
            return None
        async with self.app.db.session() as s:
            person_id = await sessions.live_session(s, session_id, self.app.clock.now())
        person = await self.app.people.get(person_id) if person_id is not None else None
        return (person, session_id) if person is not None else None

    def _visit(self, request: web.Request, person: Person, session_id: str, plugin: str) -> Visit:
        lang = person.lang or self.app.settings.bot.language
        t = self.app.catalogs.translator(
            lang, domain_of(plugin) if plugin != "core" else CORE_DOMAIN
        )
        return Visit(self.app, request, person, t.lang, plugin, t, sessions.csrf_of(session_id))

    # -- rendering ---------------------------------------------------------------------------
    def nav(self, visit: Visit, here: str = "") -> list[NavItem]:
        items = []
        for page in self.pages:
            if page.nav and page.method == "GET" and page.allows(visit.person, self.app.org):
                t = self.app.catalogs.translator(visit.lang, domain_of(page.plugin or "core."))
                items.append(NavItem(ROOT + page.path, t(page.title), page.path == here))
        return items

    def context(self, visit: Visit | None, lang: str, **values: Any) -> dict[str, Any]:
        t = visit.t if visit else self.app.catalogs.translator(lang)
        base = {
            "_": t,
            "root": ROOT,
            "html_lang": {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}.get(t.lang, t.lang),
            "person": visit.person if visit else None,
            "csrf": visit.csrf if visit else "",
            "nav": [],
            "title": "",
            "flash": "",
            "flash_error": False,
        }
        return base | values

    def respond(self, visit: Visit, result: Template, here: str = "") -> web.Response:
        values = self.context(visit, visit.lang, nav=self.nav(visit, here), **result.context)
        html = self.renderer.render(result.name, values)
        return _secure(web.Response(text=html, content_type="text/html", status=result.status))

    def message(
        self, visit: Visit | None, status: int, title: str, text: str, lang: str = ""
    ) -> web.Response:
        nav = self.nav(visit) if visit else []
        values = self.context(visit, lang, nav=nav, title=title, text=text)
        html = self.renderer.render("core/message.html", values)
        return _secure(web.Response(text=html, content_type="text/html", status=status))

    async def panels_for(self, visit: Visit) -> list[dict[str, Any]]:
        shown = []
        for panel in self.panels:
            if not panel.allows(visit.person, self.app.org):
                continue
            t = self.app.catalogs.translator(visit.lang, domain_of(panel.plugin or "core."))
            own = Visit(
                self.app, visit.request, visit.person, visit.lang, panel.plugin, t, visit.csrf
            )
            result = await panel.handler(own)
            if result is None:
                continue
            body = self.renderer.render(
                result.name, self.context(own, visit.lang, **result.context)
            )
            shown.append({"title": t(panel.title), "body": Markup(body)})
        return shown

    # -- login and logout --------------------------------------------------------------------
    async def _enter(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("token", "")
        lang = self.app.settings.bot.language
        t = self.app.catalogs.translator(lang)
        if not token:
            return self.message(
                None,
                401,
                t("Log in from the chat"),
                t(
                    "Send /web to the bot in a private chat: it answers with a link that opens "
                    "the console."
                ),
                lang,
            )
        values = self.context(None, lang, title=t("Open the console"), token=token)
        html = self.renderer.render("core/enter.html", values)
        return _secure(web.Response(text=html, content_type="text/html"))

    async def _login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        token = str(form.get("token", ""))
        now = self.app.clock.now()
        settings = self.app.settings.web
        async with self.app.db.writing(), self.app.db.session() as s:
            person_id = await sessions.redeem_link(s, token, now) if token else None
            session_id = None
            if person_id is not None:
                session_id = await sessions.open_session(s, person_id, now, settings.session_hours)
            await s.commit()
        if session_id is None:
            lang = self.app.settings.bot.language
            t = self.app.catalogs.translator(lang)
            log.info("event=web_login_refused")
            return self.message(
                None,
                403,
                t("This link cannot be used"),
                t("It was used already or has expired. Send /web to the bot again for a new one."),
                lang,
            )
        log.info("event=web_login person=%s", person_id)
        answer = _redirect(f"{ROOT}/")
        secure = (settings.public_url or "").startswith("https://")
        answer.set_cookie(
            COOKIE,
            session_id,
            path=ROOT,
            httponly=True,
            samesite="Lax",
            secure=secure,
            max_age=int(settings.session_hours * 3600),
        )
        return _secure(answer)

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        found = await self._visitor(request)
        if found is not None:
            person, session_id = found
            form = await request.post()
            if not sessions.csrf_matches(session_id, str(form.get("csrf", ""))):
                visit = self._visit(request, person, session_id, "core")
                return self.message(
                    visit,
                    403,
                    visit.t.core("Form expired"),
                    visit.t.core("Open the page again and send it once more."),
                )
            async with self.app.db.writing(), self.app.db.session() as s:
                await sessions.end_sessions(s, self.app.clock.now(), session_id=session_id)
                await s.commit()
        answer = _redirect(f"{ROOT}/login")
        answer.del_cookie(COOKIE, path=ROOT)
        return _secure(answer)


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


R = TypeVar("R", bound=web.StreamResponse)


def _secure(response: R) -> R:
    for key, value in _HEADERS.items():
        response.headers.setdefault(key, value)
    return response
