"""The HTTP side: Telegram's URL layout on an aiohttp application.

* ``GET|POST /bot<token>/<method>`` runs a Bot API method (names are case-insensitive); a wrong
  token is ``401 Unauthorized``, an unknown method ``404 Not Found``, both with Telegram's body;
* ``GET /file/bot<token>/<file_path>`` downloads a file getFile pointed to;
* ``/control/...`` is the test and demo API (`control.py`), ``/`` the demo page (`page.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import api_bot, api_edit, api_react, api_send, api_updates
from .backend import Backend, Handler
from .errors import ApiError
from .failures import Failures
from .forms import Params, read_request

__all__ = ["METHODS", "ApiServer", "Call"]

log = logging.getLogger("qunzhu.telegram.emulator")

METHODS: dict[str, Handler] = {
    **api_bot.HANDLERS,
    **api_send.HANDLERS,
    **api_edit.HANDLERS,
    **api_react.HANDLERS,
    **api_updates.HANDLERS,
}
"""Every implemented Bot API method, by lower-case name."""

_NOT_FOUND = ApiError(404, "Not Found")
_UNAUTHORIZED = ApiError(401, "Unauthorized")


@dataclass(frozen=True)
class Call:
    """One Bot API request as the emulator saw it (for tests: what did the bot try?)."""

    method: str
    chat_id: int | str | None
    status: int
    description: str | None
    at: float


def _reply(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )


class ApiServer:
    """Routes Bot API requests to the handlers, applying scheduled failures first."""

    def __init__(self, backend: Backend, token: str, failures: Failures) -> None:
        self.backend = backend
        self.token = token
        self.failures = failures
        self.calls: list[Call] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    async def call(self, method: str, params: Params) -> Any:
        """Run `method` with `params` (also used for calls in webhook answers)."""
        handler = METHODS.get(method.lower())
        if handler is None:
            raise _NOT_FOUND
        return await handler(self.backend, params)

    async def _api(self, request: web.Request) -> web.Response:
        if request.method not in ("GET", "POST"):
            return _reply(
                405, {"ok": False, "error_code": 405, "description": "Method Not Allowed"}
            )
        method = request.match_info["method"]
        chat_id: int | str | None = None
        try:
            if request.match_info["token"] != self.token:
                raise _UNAUTHORIZED
            if method.lower() not in METHODS:
                raise _NOT_FOUND
            params = await read_request(request)
            chat_id = _chat_of(params)
            rule = self.failures.take(method, chat_id)
            if rule is not None:
                if rule.delay:
                    await asyncio.sleep(rule.delay)
                error = rule.error()
                if error is not None:
                    raise error
            result = await self.call(method, params)
        except ApiError as exc:
            self._log(method, chat_id, exc.code, exc.description)
            return _reply(exc.code, exc.body())
        self._log(method, chat_id, 200, None)
        return _reply(200, {"ok": True, "result": result})

    def _log(self, method: str, chat_id: int | str | None, status: int, text: str | None) -> None:
        self.calls.append(Call(method, chat_id, status, text, self.backend.clock()))
        if status != 200:
            log.info("event=api_error method=%s chat=%s status=%s", method, chat_id, status)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        stored = self.backend.world.files.paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token:
            return _reply(401, _UNAUTHORIZED.body())
        if stored is None:
            return _reply(404, _NOT_FOUND.body())
        kind = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=kind)


def _chat_of(params: Params) -> int | str | None:
    """The request's chat_id for failure matching and the call log (None when absent)."""
    value = params.values.get("chat_id")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)
