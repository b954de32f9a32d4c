"""Files: the bytes the bot and the simulated users send, and the ids Telegram gives them.

A photo becomes several `PhotoSize` entries (thumbnails up to 90, 320 and 800 px plus the full
size capped at 1280 px, largest last), each with its own ``file_id`` and ``file_unique_id``, the
way Telegram answers. The emulator does not resize anything: every size downloads the original
bytes. Width and height come from the JPEG, PNG, GIF or WebP header; anything else sent as a photo
is ``IMAGE_PROCESS_FAILED``, as on Telegram.
"""

from __future__ import annotations

import base64
import mimetypes
import struct
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

__all__ = ["FileStore", "StoredFile", "image_size"]

_PREFIX = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}
_FOLDER = {"photo": "photos", "document": "documents"}
_THUMBS = (90, 320, 800)
_FULL = 1280
MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass
class StoredFile:
    """One file_id the emulator issued, with the bytes behind it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> dict[str, Any]:
        """The ``File`` object getFile returns."""
        out: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if len(self.data) <= MAX_DOWNLOAD:
            out["file_path"] = self.file_path
        return out


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a JPEG, PNG, GIF or WebP header, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


class FileStore:
    """Every file the emulator knows, by file_id and by download path."""

    def __init__(self) -> None:
        self.files: dict[str, StoredFile] = {}
        self.paths: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._count = 0

    def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store `data` under a new file_id of `kind` (``photo`` or ``document``)."""
        self._count += 1
        n = self._count
        token = base64.urlsafe_b64encode(f"qunzhu-emulator-{kind}-{n:08d}".encode()).decode()
        unique = base64.urlsafe_b64encode(f"u{n:08d}".encode()).decode()
        ext = _extension(kind, data, file_name, mime_type)
        stored = StoredFile(
            file_id=_PREFIX[kind] + token.rstrip("="),
            file_unique_id="AQAD" + unique.rstrip("="),
            kind=kind,
            data=data,
            file_path=f"{_FOLDER[kind]}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.paths[stored.file_path] = stored
        return stored

    def photo(self, data: bytes) -> list[dict[str, Any]]:
        """Store a new photo and return its PhotoSize list, smallest first."""
        size = image_size(data)
        if not data:
            raise bad_request("file must be non-empty")
        if size is None or min(size) <= 0:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        longest = max(width, height)
        sides = [t for t in _THUMBS if t < longest] + [min(longest, _FULL)]
        sizes: list[dict[str, Any]] = []
        for side in sides:
            w = max(1, round(width * side / longest))
            h = max(1, round(height * side / longest))
            stored = self.add("photo", data, mime_type="image/jpeg")
            full = side == sides[-1]
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(data)
                    if full
                    else max(1, len(data) * w * h // (width * height)),
                    "width": w,
                    "height": h,
                }
            )
        for entry in sizes:
            self.photo_sets[entry["file_id"]] = sizes
        return sizes

    def document(self, data: bytes, file_name: str, mime_type: str | None) -> dict[str, Any]:
        """Store a new document and return its ``Document`` object."""
        if not data:
            raise bad_request("file must be non-empty")
        kind = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.add("document", data, file_name=file_name, mime_type=kind)
        return {
            "file_name": file_name,
            "mime_type": kind,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
        }

    def reuse(self, file_id: str, kind: str) -> Any:
        """What sending an existing `file_id` as `kind` produces: the photo's size list, or the
        document object. Raises Telegram's 400 for unknown ids and the wrong kind."""
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            have, want = stored.kind.capitalize(), kind.capitalize()
            raise bad_request(f"can't use file of type {have} as {want}")
        if kind == "photo":
            return self.photo_sets[file_id]
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }


def _extension(kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> str:
    if kind == "photo":
        return ".jpg"
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return mimetypes.guess_extension(mime_type or "") or ""
