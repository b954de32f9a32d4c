"""Logging in once, and being the same device afterwards.

The first start logs in with the password and keeps the device id and access token in the
adapter's state (``session``); later starts use them without asking the homeserver anything, so
a restart neither creates a new device (each one is listed in the account's sessions, and
encrypted rooms share keys with each) nor fails while the homeserver is down: the sync loop
waits for it. When the homeserver says the token is no longer valid (``M_UNKNOWN_TOKEN``: logged
out from another client, an admin revoked it), the adapter logs in again with the password and
the same device id, which keeps the device. A configured ``access_token`` is used as it is.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from nio import AsyncClient, LoginResponse, WhoamiResponse

from qunzhu.core.adapter import AdapterError, EventSink, PlatformUnreachable

from .config import MatrixConfig
from .errors import http_status

__all__ = ["Session"]

log = logging.getLogger("qunzhu.adapters.matrix")
_KEY = "session"


class Session:
    def __init__(self, client: AsyncClient, config: MatrixConfig) -> None:
        self.client = client
        self.config = config
        self._sink: EventSink | None = None
        self.logins = 0

    async def open(self, sink: EventSink) -> None:
        """Be logged in: the configured token, the stored session, or a new login."""
        self._sink = sink
        cfg = self.config
        if cfg.access_token is not None:
            await self._use_token(cfg.access_token.get_secret_value(), cfg.device_id)
            return
        stored = await self._stored()
        if stored is not None:
            self.client.restore_login(cfg.user_id, stored["device_id"], stored["access_token"])
            log.info("event=matrix_session_restored user=%s device=%s", cfg.user_id,
                     stored["device_id"])  # fmt: skip
            return
        await self.login()

    @property
    def renewable(self) -> bool:
        return self.config.password is not None

    async def login(self) -> None:
        """Log in with the password (keeping the device id we have, if any) and store it."""
        cfg = self.config
        assert cfg.password is not None
        try:
            response = await self.client.login(
                cfg.password.get_secret_value(), device_name=cfg.device_name
            )
        except Exception as exc:  # no connection, a time-out: start-up waits and tries again
            msg = f"matrix: cannot reach {cfg.homeserver} to log in: {type(exc).__name__}: {exc}"
            raise PlatformUnreachable(msg) from exc
        if not isinstance(response, LoginResponse):
            status = http_status(response)
            msg = f"matrix: login of {cfg.user_id} at {cfg.homeserver} failed ({status}): "
            msg += str(getattr(response, "message", response))
            raise PlatformUnreachable(msg) if _passing(status) else AdapterError(msg)
        self.logins += 1
        log.info("event=matrix_logged_in user=%s device=%s", response.user_id, response.device_id)
        if self._sink is not None:
            value = {
                "homeserver": cfg.homeserver,
                "user_id": response.user_id,
                "device_id": response.device_id,
                "access_token": response.access_token,
            }
            await self._sink.set_state(_KEY, json.dumps(value))

    async def _use_token(self, token: str, device_id: str | None) -> None:
        cfg = self.config
        if device_id is None:
            self.client.access_token = token
            self.client.user_id = cfg.user_id
            try:
                who = await self.client.whoami()
            except Exception as exc:
                msg = f"matrix: cannot reach {cfg.homeserver}: {type(exc).__name__}: {exc}"
                raise PlatformUnreachable(msg) from exc
            if not isinstance(who, WhoamiResponse) and _passing(http_status(who)):
                msg = f"matrix: {cfg.homeserver} answered {http_status(who)}: {who}"
                raise PlatformUnreachable(msg)
            if not isinstance(who, WhoamiResponse) or not who.device_id:
                msg = f"matrix: the access token of {cfg.user_id} was refused: {who}"
                raise AdapterError(msg)
            if who.user_id != cfg.user_id:
                msg = f"matrix: the access token belongs to {who.user_id}, not {cfg.user_id}"
                raise AdapterError(msg)
            device_id = who.device_id
        self.client.restore_login(cfg.user_id, device_id, token)

    async def _stored(self) -> dict[str, Any] | None:
        raw = await self._sink.state(_KEY) if self._sink is not None else None
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        same = (
            value.get("homeserver") == self.config.homeserver
            and value.get("user_id") == self.config.user_id
        )
        if not same or not value.get("device_id") or not value.get("access_token"):
            return None  # another account or homeserver now: log in afresh
        self.client.device_id = value["device_id"]  # a new login keeps this device
        return value


def _passing(status: int | None) -> bool:
    """A homeserver's answer worth asking again later: 429 Too Many Requests or a 5xx (a
    proxy's 502 while Synapse restarts)."""
    return status is not None and (status == 429 or status >= 500)
