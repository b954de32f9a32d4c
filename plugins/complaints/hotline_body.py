"""Reading a 12345 body (JSON or CSV, as hotline systems export it) into raw records, each with
where it was (its CSV line, or its place in a JSON list).

Whatever arrives, the answer is a list of records or a `BodyError` saying why not, never
another exception: a body over `MAX_BODY`, a NUL byte, text that is neither UTF-8 nor GBK,
JSON nested too deep, a CSV field over the csv module's limit, or no 诉求内容 column. One bad
record is not a bad body: it is reported by `hotline_records` and the others are imported.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from qunzhu.core import N_

__all__ = ["MAX_BODY", "BodyError", "Raw", "parse_csv", "parse_json"]

#: The largest body the hotline route takes: 5 MiB (5,242,880 bytes).
MAX_BODY = 5 * 1024 * 1024


class BodyError(ValueError):
    """The body cannot be read at all: `msgid` (with `fields`) says why, to translate."""

    def __init__(self, msgid: str, **fields: Any) -> None:
        super().__init__(msgid.format(**fields))
        self.msgid = msgid
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Raw:
    """One record as sent: its fields (names as written) and where it was: `line` in a CSV
    file (the header is line 1), else `index` in a JSON list (from 1)."""

    fields: dict[str, Any]
    index: int
    line: int | None = None


def _no_nul(body: bytes) -> None:
    if b"\x00" in body:
        raise BodyError(
            N_("The body holds a NUL byte: it is not a UTF-8 or GBK text (UTF-16 is not read).")
        )


def parse_json(body: bytes) -> list[Raw]:
    """One JSON object or a list of them (UTF-8). A list item that is not an object is kept,
    to be refused on its own."""
    _no_nul(body)
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BodyError(N_("The JSON is not UTF-8 (byte {at})."), at=exc.start) from None
    except json.JSONDecodeError as exc:
        raise BodyError(
            N_("Not valid JSON: line {line}, column {column}."), line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise BodyError(N_("The JSON is nested too deeply.")) from None
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise BodyError(N_("Send a JSON object, or a list of objects."))
    return [
        Raw(item if isinstance(item, dict) else {"": item}, i)
        for i, item in enumerate(items, start=1)
    ]


def _decode(body: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BodyError(N_("The file is neither UTF-8 nor GBK text."))


def parse_csv(body: bytes, *, content_column: tuple[str, ...] = ()) -> list[Raw]:
    """CSV in UTF-8 (with or without BOM) or GBK/GB18030, its first line the column names.
    `content_column`: the names of the required content column, to refuse a file without
    one at once."""
    _no_nul(body)
    text = _decode(body)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        if content_column and not any(_same(h, c) for h in header for c in content_column):
            raise BodyError(
                N_("The first line names no content column (诉求内容); it reads: {header}"),
                header=", ".join(header)[:200],
            )
        records: list[Raw] = []
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                fields = {name: cell for name, cell in zip(header, row, strict=False) if name}
                records.append(Raw(fields, len(records) + 1, start))
            start = reader.line_num + 1
    except csv.Error:
        raise BodyError(
            N_("Line {line} cannot be read as CSV (a field too long, or a quote not closed)."),
            line=reader.line_num,
        ) from None
    if not records:
        raise BodyError(N_("The CSV file has no records under its header line."))
    return records


def _same(header: str, name: str) -> bool:
    return header.lower() == name.lower()
