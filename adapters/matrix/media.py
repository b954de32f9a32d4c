"""Fetching what people sent (``ctx.download``) and photos the bot posts from a URL.

An attachment's reference is its mxc URI, or (in an encrypted room) the mxc URI with the key to
decrypt it (`mapping.ENCRYPTED_REF`). Downloads use the authenticated media API (Matrix 1.11,
what Synapse requires for new media since 1.120); a homeserver too old to know it answers
``M_UNRECOGNIZED``, and the adapter asks its legacy ``/_matrix/media/v3`` endpoint instead.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlparse

import aiohttp
from nio import AsyncClient, DownloadResponse
from nio.crypto.attachments import decrypt_attachment

from qunzhu.core.adapter import AdapterError, TemporaryFailure

from .errors import http_status
from .mapping import ENCRYPTED_REF

__all__ = ["download", "fetch_url"]

_LIMIT = 50 * 1024 * 1024
_LEGACY = "/_matrix/media/v3/download"


async def download(client: AsyncClient, ref: str) -> bytes:
    """The bytes of the attachment `ref` (decrypted when it is an encrypted one)."""
    secret: dict[str, Any] | None = None
    if ref.startswith(ENCRYPTED_REF):
        secret = json.loads(ref[len(ENCRYPTED_REF) :])
        ref = str(secret["url"])
    try:
        response = await client.download(mxc=ref)
        if isinstance(response, DownloadResponse):
            body = response.body
            data = body if isinstance(body, bytes) else bytes(body)
        elif getattr(response, "status_code", None) == "M_UNRECOGNIZED":
            data = await _legacy(client, ref)
        else:
            msg = f"matrix: cannot download {ref}: {response} ({http_status(response)})"
            raise AdapterError(msg)
    except AdapterError:
        raise
    except Exception as exc:
        msg = f"matrix: cannot download {ref}: {type(exc).__name__}: {exc}"
        raise AdapterError(msg) from exc
    if secret is not None:
        key, sha256, iv = secret["key"]["k"], secret["hashes"]["sha256"], secret["iv"]
        data = decrypt_attachment(data, key, sha256, iv)
    return data


async def _legacy(client: AsyncClient, ref: str) -> bytes:
    parsed = urlparse(ref)
    path = f"{_LEGACY}/{quote(parsed.netloc, safe='')}/{quote(parsed.path.lstrip('/'), safe='')}"
    headers = {"Authorization": f"Bearer {client.access_token}"}
    response = await client.send("GET", path, headers=headers, timeout=0)
    async with response:
        if response.status != 200:
            msg = f"matrix: cannot download {ref}: {response.status} (legacy media API)"
            raise AdapterError(msg)
        return bytes(await response.read())


async def fetch_url(http: aiohttp.ClientSession, url: str) -> bytes:
    """A photo a plugin gave as a URL (to upload it to the homeserver)."""
    try:
        async with http.get(url) as resp:
            resp.raise_for_status()
            return bytes(await resp.content.read(_LIMIT + 1))
    except Exception as exc:
        msg = f"the photo {url} cannot be fetched: {exc}"
        raise TemporaryFailure(msg) from exc
