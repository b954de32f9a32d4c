"""Files on the local disk as attachments: ``/photo PATH`` in, `download` out."""

from __future__ import annotations

import asyncio
import mimetypes
import os
import stat
from pathlib import Path

from qunzhu.core.adapter import AdapterError, Attachment, AttachmentKind, UsageError

__all__ = ["attachment_for", "read_attachment"]


def attachment_for(kind: AttachmentKind, path: str, caption: str = "") -> Attachment:
    """An attachment for the file at `path` (``~`` expanded, made absolute); `UsageError` when
    there is no readable regular file there."""
    try:
        full = Path(path).expanduser().absolute()
        info = full.stat()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        msg = f"cannot send {path!r}: {_reason(exc)}"
        raise UsageError(msg) from None
    if not stat.S_ISREG(info.st_mode):
        msg = f"cannot send {path!r}: not a file"
        raise UsageError(msg)
    if not os.access(full, os.R_OK):
        msg = f"cannot send {path!r}: permission denied"
        raise UsageError(msg)
    mime = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    return Attachment(
        kind, str(full), mime=mime, size=info.st_size, name=full.name, caption=caption
    )


async def read_attachment(attachment: Attachment) -> bytes:
    """The bytes of the file an attachment refers to; `AdapterError` when it cannot be read."""
    try:
        return await asyncio.to_thread(Path(attachment.ref).read_bytes)
    except (OSError, ValueError) as exc:
        msg = f"cannot read the console attachment {attachment.ref!r}: {_reason(exc)}"
        raise AdapterError(msg) from exc


def _reason(exc: Exception) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return text[:1].lower() + text[1:]
