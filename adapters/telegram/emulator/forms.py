"""Reading a Bot API request's parameters, whichever way the bot sent them.

Telegram accepts the query string, ``application/x-www-form-urlencoded``, ``application/json``
and ``multipart/form-data`` (the only way to upload a file). aiogram sends url-encoded forms, or
multipart when there is a file; every nested object (``reply_markup``, ``entities``, ``media``,
``allowed_updates``...) arrives as a JSON string inside the form, and an uploaded file is a part
whose name the value ``attach://<name>`` points to. `Params` hides all that behind typed getters
that raise Telegram's own 400s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from .errors import ApiError, bad_request

__all__ = ["Params", "Upload", "read_multipart", "read_request"]


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """One request's parameters: plain `values` (strings, or JSON values when the body was JSON)
    and the uploaded `files` by part name."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.files

    def string(self, name: str) -> str | None:
        """The value as text (numbers from a JSON body are turned into text)."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        msg = f'field "{name}" must be of type String'
        raise bad_request(msg)

    def integer(self, name: str) -> int | None:
        """The value as an integer, or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def number(self, name: str) -> float | None:
        """The value as a float, or None when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def flag(self, name: str) -> bool:
        """A Boolean: ``true``/``1`` (any case) or JSON true."""
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1") if value is not None else False

    def json(self, name: str, what: str) -> Any:
        """A nested object: decoded when it came as a JSON string. `what` names it in the
        ``can't parse <what> JSON object`` error."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """``chat_id``: an integer, or an ``@username`` string."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None

    def file(self, name: str) -> Upload | str | None:
        """An InputFile field: the uploaded part itself, the part ``attach://x`` names, or the
        string (a file_id or URL) for the caller to resolve."""
        if name in self.files:
            return self.files[name]
        value = self.string(name)
        return self.attached(value) if value is not None else None

    def attached(self, value: str) -> Upload | str:
        """Resolve ``attach://x`` to the uploaded part ``x``; any other string is returned."""
        if value.startswith("attach://"):
            part = self.files.get(value[len("attach://") :])
            if part is None:
                raise bad_request("wrong HTTP URL specified")
            return part
        return value


async def read_multipart(reader: aiohttp.MultipartReader, values: dict[str, Any]) -> Params:
    """Read every part of a multipart body into `Params` (text parts join `values`)."""
    files: dict[str, Upload] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            data = await part.read(decode=False)
            kind = part.headers.get("Content-Type", "application/octet-stream")
            files[part.name] = Upload(part.filename, kind, bytes(data))
        else:
            values[part.name] = await part.text()
    return Params(values, files)


async def read_request(request: web.Request) -> Params:
    """Merge the query string and the body of a Bot API request."""
    values: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return Params(values)
    kind = request.content_type
    if kind == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        values.update(body)
        return Params(values)
    if kind == "multipart/form-data":
        return await read_multipart(await request.multipart(), values)
    if kind == "application/x-www-form-urlencoded":
        form = await request.post()
        values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return Params(values)
