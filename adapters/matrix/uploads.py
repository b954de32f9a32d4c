"""Photos the bot sends, given as a path, an ``https://`` URL or an ``mxc://`` URI.

An mxc URI is sent as it is. A local file is uploaded once: its mxc URI is kept (in memory and
in the adapter's state, keyed by path, size and modification time), so a promotion posted to a
thousand rooms uploads its photo once, and sends that start while the first upload is in flight
wait for it. A URL is fetched and uploaded once per run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qunzhu.core.adapter import EventSink, PermanentFailure

from .keys import state_key

__all__ = ["Uploaded", "Uploads", "sniff_mime"]

#: ``upload(data, mime, filename) -> mxc URI``; raises a `DeliveryError` when refused.
Upload = Callable[[bytes, str, str], Awaitable[str]]
Fetch = Callable[[str], Awaitable[bytes]]
_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Uploaded:
    url: str
    filename: str
    info: dict[str, Any]


def sniff_mime(data: bytes, filename: str) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Uploads:
    def __init__(self, upload: Upload, fetch: Fetch) -> None:
        self._upload = upload
        self._fetch = fetch
        self._sink: EventSink | None = None
        self._known: dict[str, Uploaded] = {}
        self._pending: dict[str, asyncio.Future[None]] = {}
        self.uploaded = 0

    def attach(self, sink: EventSink) -> None:
        self._sink = sink

    async def get(self, ref: str) -> Uploaded:
        """The mxc URI (with file name and info) of the photo `ref`, uploading it if needed."""
        if ref.startswith("mxc://"):
            return Uploaded(ref, "image", {})
        if ref.startswith(("http://", "https://")):
            name = "url:" + hashlib.sha256(ref.encode()).hexdigest()[:32]
            return await self._once(name, lambda: self._from_url(ref), keep=False)
        path = Path(ref).expanduser().resolve()
        try:
            stat = path.stat()
        except OSError:
            msg = f"the photo {ref} cannot be read"
            raise PermanentFailure(msg) from None
        digest = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
        return await self._once(state_key("upload", digest[:32]), lambda: self._from_file(path))

    async def _once(
        self, name: str, make: Callable[[], Awaitable[Uploaded]], *, keep: bool = True
    ) -> Uploaded:
        while True:
            known = self._known.get(name)
            if known is not None:
                return known
            pending = self._pending.get(name)
            if pending is not None:
                await asyncio.wait([pending])  # then use its result (or try, if it failed)
                continue
            break
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[name] = done
        try:
            if keep and (stored := await self._stored(name)) is not None:
                self._known[name] = stored
                return stored
            uploaded = await make()
            self.uploaded += 1
            self._known[name] = uploaded
            if keep and self._sink is not None:
                value = {"u": uploaded.url, "f": uploaded.filename, "i": uploaded.info}
                await self._sink.set_state(name, json.dumps(value, ensure_ascii=False)[:1000])
            return uploaded
        finally:
            del self._pending[name]
            done.set_result(None)

    async def _stored(self, name: str) -> Uploaded | None:
        raw = await self._sink.state(name) if self._sink is not None else None
        if not raw:
            return None
        try:
            value = json.loads(raw)
            return Uploaded(str(value["u"]), str(value["f"]), dict(value["i"]))
        except (ValueError, KeyError, TypeError):
            return None

    async def _from_file(self, path: Path) -> Uploaded:
        data = await asyncio.to_thread(path.read_bytes)
        return await self._send(data, path.name)

    async def _from_url(self, url: str) -> Uploaded:
        data = await self._fetch(url)
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "image"
        return await self._send(data, name)

    async def _send(self, data: bytes, filename: str) -> Uploaded:
        if len(data) > _MAX_BYTES:
            msg = f"the photo {filename} is larger than {_MAX_BYTES // 2**20} MB"
            raise PermanentFailure(msg)
        mime = sniff_mime(data, filename)
        url = await self._upload(data, mime, filename)
        return Uploaded(url, filename, {"mimetype": mime, "size": len(data)})
