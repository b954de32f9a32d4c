"""Downloading a message's image or file: each is encrypted with its own key (AES-256-CBC, the
IV the key's first 16 bytes, PKCS#7 padding to 32 bytes), which the callback hands over with its
address ("多媒体资源解密"). The SDK's `decrypt_file` does the decryption."""

from __future__ import annotations

import aiohttp

from qunzhu.core.adapter import AdapterError, Attachment

from .sdk import decrypt_file

__all__ = ["download"]


async def download(session: aiohttp.ClientSession, attachment: Attachment, timeout: float) -> bytes:
    """The decrypted bytes of `attachment` (its ref: ``"<aeskey> <url>"``)."""
    aeskey, _, url = attachment.ref.partition(" ")
    if not url:
        msg = "wecom: this attachment has no address"
        raise AdapterError(msg)
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            response.raise_for_status()
            data = await response.read()
    except aiohttp.ClientError as exc:
        msg = f"wecom: cannot download the {attachment.kind}: {type(exc).__name__}"
        raise AdapterError(msg) from exc
    if not aeskey:
        return data
    try:
        return bytes(decrypt_file(data, aeskey))
    except (ValueError, RuntimeError) as exc:
        msg = f"wecom: the {attachment.kind} does not decrypt with its key"
        raise AdapterError(msg) from exc
