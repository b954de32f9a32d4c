"""The plugin's routes on the bot's web server (``web.enabled``):

* ``POST /complaints/hotline``: 12345 records as JSON or CSV (``Content-Type: text/csv``),
  with ``Authorization: Bearer <hotline.token>``. 201 with the ticket numbers; 400 listing every
  problem (nothing filed); 401 for a wrong token; 404 when no token is configured.
* ``GET /complaints/export?format=csv|xlsx&lang=…&scope=…&expires=…&sig=…``: the export, for
  a link that ``/export_tickets`` signed with ``export.secret``; ``scope`` is ``all`` or the
  unit keys whose tickets the asker may see. A wrong, altered, malformed or expired link is a
  403.

A request is handled like a job: a `Context` of the bot's own (system) person, its writes and
the cards it posts committed together.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from qunzhu.core import Context
from qunzhu.core.web import APP_KEY, Request, Response, RouteDef, get, json_response, post

from .config import ComplaintsConfig
from .export import rows, to_csv, to_xlsx, verify
from .hotline import HotlineError, import_records, parse_csv, parse_json

if TYPE_CHECKING:
    from qunzhu.core import App

__all__ = ["NAME", "ROUTES", "in_system_context"]

NAME = "complaints"
T = TypeVar("T")
_MAX_BODY = 5 * 1024 * 1024


async def in_system_context(app: App, work: Callable[[Context], Awaitable[T]]) -> T:
    """Run `work` as this plugin with a system `Context`, in one transaction."""
    return await app.as_plugin(NAME, work, what="web")


def _config(app: App) -> ComplaintsConfig:
    found = app.settings.plugin_config(NAME)
    return found if isinstance(found, ComplaintsConfig) else ComplaintsConfig()


async def hotline(request: Request) -> Response:
    app = request.app[APP_KEY]
    config = _config(app)
    token = config.hotline.token
    if token is None:
        return json_response({"error": "hotline import is not configured"}, status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        return json_response({"error": "wrong or missing token"}, status=401)
    if (request.content_length or 0) > _MAX_BODY:
        return json_response({"error": "the body is larger than 5 MB"}, status=413)
    body = await request.read()
    try:
        records = parse_csv(body) if "csv" in request.content_type else parse_json(body)
        done = await in_system_context(app, lambda ctx: import_records(ctx, config, records))
    except HotlineError as exc:
        return json_response({"errors": exc.problems}, status=400)
    return json_response(
        {
            "filed": [{"id": i, "number": n} for i, n in done.filed],
            "skipped": [
                {"id": i, "number": n, "reason": "already imported"} for i, n in done.skipped
            ],
        },
        status=201,
    )


async def export(request: Request) -> Response:
    app = request.app[APP_KEY]
    config = _config(app)
    secret = config.export.secret
    q = request.query
    fmt, lang = q.get("format", "csv"), q.get("lang", app.settings.bot.language)
    scope = q.get("scope", "all")
    try:
        expires = int(q.get("expires", "0"))
    except ValueError:
        expires = 0
    now = app.clock.now()
    if secret is None or fmt not in ("csv", "xlsx"):
        return json_response({"error": "export links are not configured"}, status=404)
    signature = q.get("sig", "")
    if not verify(
        secret.get_secret_value(),
        fmt,
        lang,
        scope,
        expires,
        signature=signature,
        now=now.timestamp(),
    ):
        return json_response({"error": "this link is wrong or has expired"}, status=403)
    t = app.catalogs.translator(lang, NAME)  # the plugin's gettext domain is its name
    units = None if scope == "all" else scope.split(",")
    async with app.db.session() as session:
        table = await rows(session, config, t, app.settings.bot.tz, now, org=app.org, units=units)
    stamp = now.astimezone(app.settings.bot.tz).strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = to_xlsx(table)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mime = to_csv(table), "text/csv"
    return Response(
        body=body,
        content_type=mime,
        headers={"Content-Disposition": f'attachment; filename="tickets-{stamp}.{fmt}"'},
    )


ROUTES: tuple[RouteDef, ...] = (
    post("/complaints/hotline", hotline),
    get("/complaints/export", export),
)
