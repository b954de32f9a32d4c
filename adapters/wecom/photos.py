"""A reply's photo as a WeCom stream image: ``{msgtype: "image", image: {base64, md5}}``.

The AI bot's long connection has no media upload. A photo can go only inside a *reply* to a
message: a finished streaming reply (``aibot_respond_msg``, ``stream.finish: true``) may carry
``stream.msg_item``, a list of such images (the official SDK's ``reply_stream(…, msg_item)``:
"图文混排项（仅在 finish=True 时有效）"; WeCom's "被动回复消息格式": JPG or PNG, at most 10 MB
before base64, the md5 of the bytes). Active messages (``aibot_send_msg``) carry only
``markdown`` and ``template_card``, so a photo sent first by the bot cannot be shown.

A `Reply.photo` may be a local file, an ``http(s)://`` URL, or the reference of an image someone
sent the bot (``"<aeskey> <url>"``, decrypted as a download is).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from qunzhu.core.adapter import AdapterError, Attachment, AttachmentKind, PermanentFailure

__all__ = ["MAX_BYTES", "stream_image"]

MAX_BYTES = 10 * 1024 * 1024
_TYPES = (b"\xff\xd8", b"\x89PNG")

Download = Callable[[Attachment], Awaitable[bytes]]


async def stream_image(
    ref: str, session: aiohttp.ClientSession, download: Download
) -> dict[str, Any]:
    """The ``msg_item`` entry of the photo `ref`; `PermanentFailure` when it cannot be had or
    WeCom would refuse it (not JPG or PNG, too large)."""
    data = await _read(ref, session, download)
    if not data.startswith(_TYPES):
        msg = "wecom: a photo must be JPG or PNG"
        raise PermanentFailure(msg)
    if len(data) > MAX_BYTES:
        msg = f"wecom: the photo has {len(data)} bytes, more than WeCom takes (10 MB)"
        raise PermanentFailure(msg)
    digest = hashlib.md5(data).hexdigest()  # noqa: S324 - the platform asks for md5
    return {"msgtype": "image", "image": {"base64": base64.b64encode(data).decode(), "md5": digest}}


async def _read(ref: str, session: aiohttp.ClientSession, download: Download) -> bytes:
    if ref.startswith(("http://", "https://")):
        try:
            async with session.get(ref) as response:
                response.raise_for_status()
                return await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            msg = f"wecom: the photo cannot be fetched: {type(exc).__name__}"
            raise PermanentFailure(msg) from None
    if " " in ref:  # an image someone sent: "<aeskey> <url>"
        try:
            return await download(Attachment(AttachmentKind.PHOTO, ref))
        except AdapterError as exc:
            raise PermanentFailure(str(exc)) from None
    try:
        return await asyncio.to_thread(Path(ref).expanduser().read_bytes)
    except OSError:
        msg = f"wecom: the photo {Path(ref).name} cannot be read"
        raise PermanentFailure(msg) from None
