"""Every ticket as a table an official can open: CSV (UTF-8 with BOM, so Excel reads the
Chinese) or XLSX (openpyxl, imported only when an XLSX is made).

The core's `Reply` carries text, a photo and buttons, not a document, so ``/export_tickets`` answers
with a link button: a signed, expiring address of ``GET /complaints/export`` on the bot's web
server (``export.public_url``). The same table is written by ``qunzhu complaints export``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Org, Translator, aware

from .config import ComplaintsConfig
from .directory import department_name
from .models import Ticket
from .texts import SOURCES, category_name, status_label

__all__ = ["COLUMNS", "rows", "sign", "to_csv", "to_xlsx", "verify"]

COLUMNS = (
    N_("Number"), N_("Status"), N_("Category"), N_("Department"), N_("Description"),
    N_("Address"), N_("Latitude"), N_("Longitude"), N_("Source"), N_("Source chat"),
    N_("Reporter"), N_("Phone"), N_("Filed at"), N_("Acknowledge by"), N_("Acknowledged at"),
    N_("Resolve by"), N_("Resolved at"), N_("Closed at"), N_("Overdue"), N_("Escalations"),
    N_("Result"), N_("Reporter's answer"), N_("Rating"), N_("Me too"), N_("Reopened"),
    N_("Photos"), N_("Urgent"), N_("Why rejected, duplicate or returned"), N_("Duplicate of"),
    N_("Returned by"),
)  # fmt: skip


def _time(moment: datetime | None, tz: ZoneInfo) -> str:
    return aware(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def rows(
    db: AsyncSession,
    config: ComplaintsConfig,
    t: Translator,
    tz: ZoneInfo,
    now: datetime,
    *,
    org: Org,
) -> list[list[object]]:
    """The header and one row per ticket, oldest first."""
    tickets = (await db.scalars(select(Ticket).order_by(Ticket.year, Ticket.seq))).all()
    lang = t.lang
    table: list[list[object]] = [[t(c) for c in COLUMNS]]
    numbers = {x.id: x.number for x in tickets}
    for x in tickets:
        finished = x.resolved_at or x.closed_at
        late = aware(finished or now) > aware(x.resolve_due)
        reporter = t("anonymous") if x.anonymous else x.reporter_name
        answer = {"solved": t("solved"), "unsolved": t("not solved")}.get(x.feedback or "", "")
        table.append(
            [
                x.number, status_label(t, x.status), category_name(config, x.category, lang),
                department_name(org, x.department, lang), x.description, x.address,
                x.latitude if x.latitude is not None else "",
                x.longitude if x.longitude is not None else "",
                t(SOURCES.get(x.source, x.source)), x.source_title, reporter,
                "" if x.anonymous else x.reporter_phone, _time(x.created_at, tz),
                _time(x.acknowledge_due, tz), _time(x.acknowledged_at, tz),
                _time(x.resolve_due, tz), _time(x.resolved_at, tz), _time(x.closed_at, tz),
                t("yes") if late else t("no"), x.escalation, x.resolution, answer,
                x.rating or "", x.metoo, x.reopened, len(x.photos),
                t("yes") if x.priority == "urgent" else t("no"), x.reason,
                numbers.get(x.duplicate_of or 0, ""),
                department_name(org, x.returned_by, lang),
            ]
        )  # fmt: skip
    return table


def to_csv(table: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Sequence[Sequence[object]], title: str = "tickets") -> bytes:
    from openpyxl import Workbook  # heavy: only when an XLSX is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in table:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sign(secret: str, fmt: str, lang: str, expires: int) -> str:
    message = f"{fmt}:{lang}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, fmt: str, lang: str, expires: int, *, signature: str, now: float) -> bool:
    if expires < now:
        return False
    return hmac.compare_digest(sign(secret, fmt, lang, expires), signature)
