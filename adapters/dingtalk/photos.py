"""Photos the robot sends: each uploaded once as a DingTalk media file, its ``media_id`` kept.

A `Reply.photo` may be a media id already (``@…``), an ``http(s)://`` URL (fetched by the bot, so
a photo on an intranet address works too), a local file, or the ``downloadCode`` of a picture
someone sent the robot (a complaint's site photo, forwarded to the unit's group): it is
downloaded, then uploaded. The media id is then sent as ``sampleImageMsg`` (its ``photoURL``)
through the robot's send APIs. Ids are kept for the run (bounded), so a promotion posted to many
groups uploads its photo once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from pathlib import Path

import aiohttp

from qunzhu.core.adapter import PermanentFailure, TemporaryFailure

from .api import OpenApi

__all__ = ["Photos"]

#: How many uploaded photos' media ids are remembered.
REMEMBERED = 1000


class Photos:
    def __init__(self, api: OpenApi) -> None:
        self.api = api
        self._ids: OrderedDict[str, str] = OrderedDict()
        #: How many photos were uploaded (for tests and figures).
        self.uploaded = 0

    async def media_id(self, ref: str) -> str:
        """The media id of the photo `ref`, uploading it if needed; `PermanentFailure` when the
        photo cannot be had or DingTalk refuses it."""
        if ref.startswith("@"):
            return ref
        known = self._ids.get(ref)
        if known is not None:
            self._ids.move_to_end(ref)
            return known
        data, name = await self._read(ref)
        media = await self.api.upload(data, name)
        self.uploaded += 1
        self._ids[ref] = media
        while len(self._ids) > REMEMBERED:
            self._ids.popitem(last=False)
        return media

    async def _read(self, ref: str) -> tuple[bytes, str]:
        if ref.startswith(("http://", "https://")):
            return await self._fetch(ref), "photo.jpg"
        path = Path(ref).expanduser()
        if path.is_absolute() or path.suffix:
            try:
                return await asyncio.to_thread(path.read_bytes), path.name
            except OSError:
                msg = f"dingtalk: the photo {path.name} cannot be read"
                raise PermanentFailure(msg) from None
        url = await self.api.download_url(ref)  # a picture someone sent: its downloadCode
        if not url:
            msg = "dingtalk: no download URL for this picture"
            raise PermanentFailure(msg)
        return await self._fetch(url), "photo.jpg"

    async def _fetch(self, url: str) -> bytes:
        try:
            return await self.api.fetch(url)
        except aiohttp.ClientResponseError as exc:
            msg = f"dingtalk: the photo cannot be fetched: {exc.status}"
            if exc.status >= 500 or exc.status == 429:
                raise TemporaryFailure(msg) from None
            raise PermanentFailure(msg) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            msg = f"dingtalk: the photo cannot be fetched: {type(exc).__name__}"
            raise TemporaryFailure(msg) from None
