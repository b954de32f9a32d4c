"""Bot API methods that hand out updates: getUpdates, setWebhook, deleteWebhook and
getWebhookInfo.

getUpdates behaves like Telegram's: ``offset`` confirms (drops) every earlier update, ``timeout``
holds the request open until an update arrives, ``allowed_updates`` persists until changed, a
second concurrent getUpdates ends the first with ``409 Conflict: terminated by other getUpdates
request``, and while a webhook is set getUpdates is a 409 too.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .backend import Backend, Handler, is_loopback
from .errors import ApiError, bad_request
from .forms import Params
from .world import ALL_UPDATES, DEFAULT_UPDATES

__all__ = ["HANDLERS"]

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
_TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)


def _allowed(backend: Backend, params: Params) -> None:
    """Apply ``allowed_updates`` if the request has it (an empty list means the default)."""
    if "allowed_updates" not in params:
        return
    value = params.json("allowed_updates", "allowed updates")
    if not isinstance(value, list):
        raise bad_request("can't parse allowed updates JSON object")
    chosen = frozenset(str(v) for v in value) & ALL_UPDATES
    backend.world.allowed_updates = chosen or DEFAULT_UPDATES


async def get_updates(backend: Backend, params: Params) -> Any:
    world = backend.world
    if world.webhook.url:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = min(max(params.integer("timeout") or 0, 0), 50)
    _allowed(backend, params)
    offset = params.integer("offset")
    if offset is not None:
        world.confirm(offset)
    backend.poll_generation += 1
    mine = backend.poll_generation
    world.arrived.fire()  # ends an earlier long poll, which then answers 409
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not world.updates and not backend.closing:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        await world.arrived.wait(remaining)
        if backend.poll_generation != mine:
            raise ApiError(409, _TERMINATED)
    return world.updates[:limit]


async def set_webhook(backend: Backend, params: Params) -> Any:
    world = backend.world
    url = (params.string("url") or "").strip()
    if not url:
        return await delete_webhook(backend, params)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if not is_loopback(url):
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = params.string("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    connections = params.integer("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    _allowed(backend, params)
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    hook = world.webhook
    hook.url, hook.secret_token, hook.max_connections = url, secret, connections
    hook.last_error_date = hook.last_error_message = None
    backend.poll_generation += 1
    world.arrived.fire()
    return True


async def delete_webhook(backend: Backend, params: Params) -> Any:
    world = backend.world
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.webhook.url, world.webhook.secret_token = "", None
    world.webhook.last_error_date = world.webhook.last_error_message = None
    return True


async def get_webhook_info(backend: Backend, params: Params) -> Any:
    world = backend.world
    hook = world.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if hook.url:
        info["ip_address"] = "127.0.0.1"
        info["max_connections"] = hook.max_connections
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    if world.allowed_updates != DEFAULT_UPDATES:
        info["allowed_updates"] = sorted(world.allowed_updates)
    return info


HANDLERS: dict[str, Handler] = {
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
}
