"""Photos the bot sends, given as a path, a URL or a Telegram file_id.

A URL or a file_id is passed to Telegram as it is. A local file is uploaded once: the file_id
Telegram gives it is kept (in memory and in the adapter's state, keyed by path, size and
modification time), so a broadcast of one photo to a thousand groups uploads it once, and the
sends that start while the first upload is in flight wait for its file_id instead of uploading
the same bytes again. A kept file_id Telegram no longer accepts is forgotten and the file
uploaded again.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiogram import types as tg
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import FSInputFile

from qunzhu.core.adapter import EventSink, PermanentFailure

__all__ = ["Uploads", "is_local"]

Post = Callable[[str | tg.InputFile], Awaitable[tg.Message]]
_STALE = ("wrong file identifier", "file reference", "can't use file of type")


@functools.lru_cache(maxsize=1024)
def _state_key(path: Path, size: int, mtime_ns: int) -> str:
    """Where a file's file_id is kept: a changed file (size, time) is a new upload."""
    digest = hashlib.sha256(f"{path}|{size}|{mtime_ns}".encode()).hexdigest()
    return f"upload:{digest[:32]}"


def is_local(ref: str) -> bool:
    """Whether a photo reference names a local file (file_ids have no ``/`` and no ``.``)."""
    if ref.startswith(("http://", "https://")):
        return False
    return ref.startswith("~") or any(c in ref for c in "/\\.")


class Uploads:
    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._paths: dict[str, Path] = {}
        self._looked: set[str] = set()  # names whose stored file_id was read once
        self._uploading: dict[str, asyncio.Future[None]] = {}
        self._sink: EventSink | None = None
        self.uploaded = 0

    def attach(self, sink: EventSink) -> None:
        self._sink = sink

    async def send(self, ref: str, post: Post) -> tg.Message:
        """Send the photo `ref` with `post` (which makes the actual Bot API call)."""
        if not is_local(ref):
            return await post(ref)
        path = self._paths.get(ref)
        if path is None:
            if len(self._paths) >= 1024:
                self._paths.clear()
            path = self._paths[ref] = Path(ref).expanduser().resolve()
        try:
            stat = path.stat()
        except OSError:
            msg = f"the photo {ref} cannot be read"
            raise PermanentFailure(msg) from None
        name = _state_key(path, stat.st_size, stat.st_mtime_ns)
        while True:
            if name not in self._ids and name not in self._looked and name not in self._uploading:
                await self._stored(name)  # kept by an earlier run? (then look again: another
                continue  # send may have uploaded it meanwhile)
            file_id = self._ids.get(name)
            if file_id:
                try:
                    return await post(file_id)
                except TelegramBadRequest as exc:
                    if not any(s in exc.message for s in _STALE):
                        raise
                    await self._keep(name, "")
                    continue
            pending = self._uploading.get(name)
            if pending is not None:
                await asyncio.wait([pending])  # then use its file_id (or upload, if it failed)
                continue
            return await self._upload(name, path, post)

    async def _upload(self, name: str, path: Path, post: Post) -> tg.Message:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._uploading[name] = done
        try:
            message = await post(FSInputFile(path))
            self.uploaded += 1
            if message.photo:
                largest = max(message.photo, key=lambda p: p.width * p.height)
                await self._keep(name, largest.file_id)
            return message
        finally:
            del self._uploading[name]
            done.set_result(None)

    async def _stored(self, name: str) -> None:
        value = await self._sink.state(name) if self._sink is not None else None
        self._looked.add(name)
        if value and name not in self._ids:
            self._ids[name] = value

    async def _keep(self, name: str, file_id: str) -> None:
        if file_id:
            self._ids[name] = file_id
        else:
            self._ids.pop(name, None)
        if self._sink is not None:
            await self._sink.set_state(name, file_id)
