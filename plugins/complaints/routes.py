"""The plugin's routes on the bot's web server (``web.enabled``):

* ``POST /complaints/hotline``: 12345 records as JSON or CSV (``Content-Type: text/csv``),
  with ``Authorization: Bearer <hotline.token>``, at most 5 MiB. 201 with the tickets filed,
  the duplicates and the records refused (each with its line and reason); 422 when no record
  could be filed; 400 for a body that cannot be read, 413 too large, 415 neither JSON nor CSV,
  401 for a wrong token, 404 when no token is configured, 503 when the database failed (its
  error is logged by name only: its text would carry callers' phones). Never a 500 for a body.
* ``GET /complaints/export?format=csv|xlsx&lang=…&scope=…&expires=…&sig=…``: the export, for
  a link that ``/export_tickets`` signed with ``export.secret``; ``scope`` is ``all`` or the
  unit keys whose tickets the asker may see. A wrong, altered, malformed or expired link is a
  403.

A request is handled like a job: a `Context` of the bot's own (system) person, its writes and
the cards it posts committed together.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from qunzhu.core import Context, Translator
from qunzhu.core.web import APP_KEY, Request, Response, RouteDef, get, json_response, post

from .config import ComplaintsConfig
from .export import rows, to_csv, to_xlsx, verify
from .hotline import BodyError, StoreError, import_records, read_body
from .hotline_body import MAX_BODY

if TYPE_CHECKING:
    from qunzhu.core import App

__all__ = ["NAME", "ROUTES", "in_system_context"]

NAME = "complaints"
T = TypeVar("T")
log = logging.getLogger(NAME)
_LANGUAGES = ("zh_Hans", "zh_Hant", "en")


async def in_system_context(app: App, work: Callable[[Context], Awaitable[T]]) -> T:
    """Run `work` as this plugin with a system `Context`, in one transaction."""
    return await app.as_plugin(NAME, work, what="web")


def _config(app: App) -> ComplaintsConfig:
    found = app.settings.plugin_config(NAME)
    return found if isinstance(found, ComplaintsConfig) else ComplaintsConfig()


async def hotline(request: Request) -> Response:
    app = request.app[APP_KEY]
    config = _config(app)
    lang = request.query.get("lang", "")
    t = app.catalogs.translator(lang if lang in _LANGUAGES else app.settings.bot.language, NAME)
    refused = _refuse(request, config, t)
    if refused is not None:
        return refused
    body = await _body(request)
    if body is None:
        text = t("The body is larger than {n} bytes (5 MiB).", n=MAX_BODY)
        return json_response({"error": text}, status=413)
    try:
        records = read_body(body, csv="csv" in request.content_type)
        done = await in_system_context(app, lambda ctx: import_records(ctx, config, records))
    except BodyError as exc:
        return json_response({"error": t(exc.msgid, **exc.fields)}, status=400)
    except (SQLAlchemyError, StoreError) as exc:
        # The database's own text would carry the records' fields (a caller's phone).
        log.warning("event=hotline_failed error=%s", type(exc).__name__)
        text = t("The records could not be stored; nothing was imported. Try again later.")
        return json_response({"error": text}, status=503)
    answer = done.to_json(t)
    if done.filed or done.duplicates:
        return json_response(answer, status=201)
    answer["error"] = t("No record could be imported.")
    return json_response(answer, status=422)


def _refuse(request: Request, config: ComplaintsConfig, t: Translator) -> Response | None:
    """The answer to a request that cannot be an import: no token set, a wrong token, a
    content type that is neither JSON nor CSV."""
    token = config.hotline.token
    if token is None:
        return json_response({"error": "hotline import is not configured"}, status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        return json_response({"error": "wrong or missing token"}, status=401)
    kind = request.content_type
    if "csv" not in kind and "json" not in kind:
        text = t("Send JSON (application/json) or CSV (text/csv), not {kind}.", kind=kind[:80])
        return json_response({"error": text}, status=415)
    return None


async def _body(request: Request) -> bytes | None:
    """The body, or None when it is larger than `MAX_BODY`: read from the stream, since
    ``request.read()`` stops at the server's ``client_max_size`` (1 MiB by default)."""
    if (request.content_length or 0) > MAX_BODY:
        return None
    chunks, size = [], 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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
