"""12345 hotline imports: records as JSON (one object or a list) or CSV (UTF-8 or GBK), posted
to ``POST /complaints/hotline`` with ``Authorization: Bearer <hotline.token>``, or sent to the
bot as a CSV file with the caption ``/hotline``. They get the same routing and deadlines.

A batch is all or nothing: one bad record (no content, an unknown category, bad coordinates)
rejects the batch with every problem listed, and nothing is filed. A record whose hotline id
was imported before is skipped, so posting the same file twice files it once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from qunzhu.core import Context

from .config import ComplaintsConfig
from .detect import matcher_for
from .models import Ticket
from .report import Report
from .tickets import file_ticket

__all__ = ["HotlineError", "Imported", "import_records", "parse_csv", "parse_json"]

#: Column names a hotline export may use, in Chinese or English, for each field.
FIELDS = {
    "id": ("id", "工单编号", "工单号", "编号", "ticket_id"),
    "content": ("content", "诉求内容", "内容", "description", "问题描述", "诉求"),
    "category": ("category", "类别", "分类", "问题类别"),
    "address": ("address", "地址", "事发地址", "地点"),
    "name": ("name", "姓名", "来电人", "caller"),
    "phone": ("phone", "电话", "联系电话", "来电号码"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lon", "lng", "经度"),
    "anonymous": ("anonymous", "匿名"),
    "priority": ("priority", "紧急程度"),
}
_TRUE = {"1", "true", "yes", "是", "y"}


class HotlineError(ValueError):
    """The batch cannot be imported: `problems` lists why, one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Imported:
    filed: list[tuple[str, str]]  # (hotline id, ticket number)
    skipped: list[tuple[str, str]]  # already imported: (hotline id, its ticket number)


def parse_json(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HotlineError([f"not valid JSON: {exc}"]) from None
    records = data if isinstance(data, list) else [data]
    if not records or not all(isinstance(r, dict) for r in records):
        raise HotlineError(["send a JSON object, or a list of objects"])
    return records


def parse_csv(body: bytes) -> list[dict[str, Any]]:
    """CSV in UTF-8 (with or without BOM) or GBK/GB18030, as hotline systems export it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = body.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise HotlineError(["the file is neither UTF-8 nor GBK text"])
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise HotlineError(["the CSV file has no records under its header line"])
    return rows


def _field(record: dict[str, Any], name: str) -> str:
    for key in FIELDS[name]:
        for candidate in (key, key.upper(), key.capitalize()):
            value = record.get(candidate)
            if value not in (None, ""):
                return str(value).strip()
    return ""


def _report(
    config: ComplaintsConfig, record: dict[str, Any], where: str
) -> tuple[Report | None, list[str]]:
    problems = []
    content = _field(record, "content")
    if not content:
        problems.append(f"{where}: the content (诉求内容) is missing")
    category = _field(record, "category")
    if category:
        found = next(
            (k for k, c in config.categories.items() if category in (k, c.name, *c.names.values())),
            None,
        )
        if found is None:
            problems.append(f"{where}: unknown category {category!r}")
        category = found or ""
    category = (
        category or matcher_for(config).category(content) or config.hotline.default_category or ""
    )
    lat, lon = _field(record, "latitude"), _field(record, "longitude")
    position: tuple[float, float] | None = None
    if lat or lon:
        try:
            position = (float(lat), float(lon))
            if not (-90 <= position[0] <= 90 and -180 <= position[1] <= 180):
                raise ValueError
        except ValueError:
            problems.append(f"{where}: latitude/longitude {lat!r}, {lon!r} are not coordinates")
            position = None
    if problems:
        return None, problems
    report = Report(
        description=content,
        category=category,
        source="hotline",
        address=_field(record, "address"),
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
        reporter_name=_field(record, "name"),
        phone=_field(record, "phone"),
        anonymous=_field(record, "anonymous").lower() in _TRUE,
        external_id=_field(record, "id") or None,
        priority="urgent" if _field(record, "priority") in ("urgent", "紧急", "特急") else "normal",
    )
    return report, []


async def import_records(
    ctx: Context, config: ComplaintsConfig, records: list[dict[str, Any]]
) -> Imported:
    """File every record (all or nothing: `HotlineError` before anything is written)."""
    reports: list[Report] = []
    problems: list[str] = []
    for i, record in enumerate(records, start=1):
        report, found = _report(config, record, f"record {i}")
        problems += found
        if report is not None:
            reports.append(report)
    seen: set[str] = set()
    for i, report in enumerate(reports, start=1):
        if report.external_id and report.external_id in seen:
            problems.append(f"record {i}: the id {report.external_id!r} appears twice")
        if report.external_id:
            seen.add(report.external_id)
    if problems:
        raise HotlineError(problems)
    filed, skipped = [], []
    for report in reports:
        if report.external_id:
            known = await ctx.db.scalar(
                select(Ticket.number).where(Ticket.external_id == report.external_id)
            )
            if known is not None:
                skipped.append((report.external_id, known))
                continue
        ticket = await file_ticket(ctx, report)
        filed.append((report.external_id or "", ticket.number))
    return Imported(filed, skipped)
