"""Encrypted rooms, through matrix-nio's ``e2e`` extra (``pip install 'qunzhu[e2e]'``: vodozemac,
peewee and friends).

With ``encryption: true`` the client keeps its Olm account and Megolm sessions in `store_path`
(a SQLite file per account and device); nio decrypts what the sync brings before the adapter
maps it, and encrypts what it sends to an encrypted room. After each sync round the keys are
kept up to date the way matrix-nio's own ``sync_forever`` does: upload the device's keys when
needed, query the keys of people in encrypted rooms, claim one-time keys, send the queued
to-device messages. The bot trusts every device of the people it talks to (it sends to
unverified devices); it does not verify devices interactively and keeps no key backup.

Without ``encryption: true`` an encrypted room's messages arrive undecryptable: each is logged
(``event=matrix_undecryptable``) and skipped.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig
from nio.crypto import ENCRYPTION_ENABLED

from qunzhu.core.adapter import AdapterError

from .config import MatrixConfig

__all__ = ["ENCRYPTION_ENABLED", "client_config", "keep_keys", "store_dir"]

log = logging.getLogger("qunzhu.adapters.matrix")


def store_dir(config: MatrixConfig) -> str:
    """The crypto store's folder ("" without encryption: nio then keeps nothing on disk)."""
    if not config.encryption:
        return ""
    path = Path(config.store_path).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def client_config(config: MatrixConfig) -> AsyncClientConfig:
    """matrix-nio's settings: never retry a 429 or a timeout by itself (the outbox and the sync
    loop decide, see `errors`), encryption only when asked for."""
    if config.encryption and not ENCRYPTION_ENABLED:
        msg = (
            "adapters.matrix.encryption needs matrix-nio's e2e extra: "
            "pip install 'qunzhu[e2e]' (vodozemac)"
        )
        raise AdapterError(msg)
    return AsyncClientConfig(
        max_limit_exceeded=0,
        max_timeouts=0,
        request_timeout=config.request_timeout,
        encryption_enabled=config.encryption,
        store_sync_tokens=False,
    )


async def keep_keys(client: AsyncClient) -> None:
    """Key upkeep after a sync round (a no-op without encryption)."""
    if client.olm is None:
        return
    tasks = [client.send_to_device_messages()]
    if client.should_upload_keys:
        tasks.append(client.keys_upload())
    if client.should_query_keys:
        tasks.append(client.keys_query())
    if client.should_claim_keys:
        tasks.append(client.keys_claim(client.get_users_for_key_claiming()))
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            log.warning("event=matrix_keys_failed error=%s", result)
