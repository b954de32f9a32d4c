"""What a plugin declares for the console (`Page`, `Panel`), what a page's handler returns
(`Template`) and what it receives (`Visit`: the person, their language, the database, and
`Visit.act` to change things as that person, exactly as a chat handler would)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aiohttp.web import Request, StreamResponse
    from sqlalchemy.ext.asyncio import AsyncSession

    from qunzhu.core.app import App
    from qunzhu.core.context import Context
    from qunzhu.core.i18n._catalogs import Translator
    from qunzhu.core.org._model import Org
    from qunzhu.core.people import Person

__all__ = ["Handler", "Page", "Panel", "Template", "Visit"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Template:
    """A page's answer: the template `name` (``<plugin>/<file>.html``, or ``core/...``) and the
    values it shows. The layout adds ``_`` (the translator), ``visit``, ``csrf`` and ``nav``."""

    name: str
    context: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


Handler = Callable[["Visit"], Awaitable["Template | StreamResponse"]]


@dataclass(frozen=True, slots=True)
class Page:
    """One page (or form target) of the console, under ``/web``.

    `path` is an aiohttp path below ``/web`` (``/complaints/{number}``); `title` a msgid of the
    plugin's catalog, shown in the navigation when `nav`; `roles`: who may open it (anyone
    logged in when empty; admins always; ``member`` means a member of any unit); `method`
    ``GET`` or ``POST`` (a POST is refused without the form's CSRF token); `templates` the
    folder of the plugin's templates, found as ``<plugin>/<file>``."""

    path: str
    handler: Handler
    title: str = ""
    nav: bool = False
    roles: tuple[str, ...] = ()
    method: str = "GET"
    templates: Path | None = None
    plugin: str = ""
    #: Who may open it, when roles cannot say (a member of any unit of the organisation):
    #: called with the person and the `Org` instead of checking `roles`.
    allow: Callable[[Person, Org], bool] | None = None

    def allows(self, person: Person, org: Org) -> bool:
        return _allows(self.roles, self.allow, person, org)

    def bound(self, plugin: str) -> Page:
        return Page(self.path, self.handler, self.title, self.nav, self.roles, self.method,
                    self.templates, plugin, self.allow)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Panel:
    """A box on the overview page: `handler` returns a `Template` of a fragment (or None to show
    nothing to this person); `roles` as for `Page`; `order` sorts the boxes."""

    title: str
    handler: Callable[[Visit], Awaitable[Template | None]]
    roles: tuple[str, ...] = ()
    order: int = 100
    templates: Path | None = None
    plugin: str = ""
    allow: Callable[[Person, Org], bool] | None = None

    def allows(self, person: Person, org: Org) -> bool:
        return _allows(self.roles, self.allow, person, org)

    def bound(self, plugin: str) -> Panel:
        return Panel(self.title, self.handler, self.roles, self.order, self.templates, plugin,
                     self.allow)  # fmt: skip


def _allows(
    roles: tuple[str, ...], allow: Callable[[Person, Org], bool] | None, person: Person, org: Org
) -> bool:
    if allow is not None:
        return person.is_admin or allow(person, org)
    return not roles or any(person.has_role(role) for role in roles)


@dataclass(slots=True)
class Visit:
    """One request of a logged-in person to a page."""

    app: App
    request: Request
    person: Person
    lang: str
    plugin: str
    t: Translator
    csrf: str

    @property
    def org(self) -> Org:
        return self.app.org

    def now(self) -> datetime:
        return self.app.clock.now()

    def session(self) -> AsyncSession:
        """A database session to read in (``async with visit.session() as s``)."""
        return self.app.db.session()

    async def act(self, work: Callable[[Context], Awaitable[T]]) -> T:
        """Run `work` as this person, in the plugin's name, in one transaction: the `Context`
        is a handler's (``ctx.person`` is the visitor, ``ctx.t`` their language), so the rules
        and the messages are the chat's own."""
        from qunzhu.core._system_work import as_plugin

        return await as_plugin(
            self.app, self.plugin, work, what="web", person=self.person, lang=self.lang
        )
