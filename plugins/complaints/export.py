"""Every ticket as a table an official can open: CSV (UTF-8 with BOM, so Excel reads the
Chinese) or XLSX (openpyxl, imported only when an XLSX is made).

The core's `Reply` carries text, a photo and buttons, not a document, so ``/export_tickets`` answers
with a link button: a signed, expiring address of ``GET /complaints/export`` on the bot's web
server (``export.public_url``). The same table is written by ``qunzhu complaints export``.

Every text cell is made safe before it is written (`safe_cell`): the characters XML 1.0
forbids (control characters) are removed, since one of them made openpyxl refuse the whole
workbook, and a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR gets a leading
``'``, so that a spreadsheet shows it instead of running it as a formula (OWASP "CSV
injection"). A link's signature covers its format, language, scope and expiry; any other
signature, however malformed, is simply not valid (`verify`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Org, Translator, aware, safe_cell

from .config import ComplaintsConfig
from .directory import department_name
from .models import Follower, Ticket
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
    units: Collection[str] | None = None,
) -> list[list[object]]:
    """The header and one row per ticket, oldest first: every ticket, or (`units`) only the
    tickets of those units. An anonymous reporter is "匿名" and has no phone; a private
    report's source chat is left empty (a private chat's title is the person's name)."""
    query = select(Ticket).order_by(Ticket.year, Ticket.seq)
    if units is not None:
        query = query.where(Ticket.department.in_(list(units)))
    tickets = (await db.scalars(query)).all()
    private = set(
        (
            await db.scalars(
                select(Follower.ticket_id).where(
                    Follower.kind == "reporter", Follower.chat_kind == "direct"
                )
            )
        ).all()
    )
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
                t(SOURCES.get(x.source, x.source)),
                "" if x.source == "private" or x.id in private else x.source_title, reporter,
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
    csv.writer(out).writerows([safe_cell(cell) for cell in row] for row in table)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Sequence[Sequence[object]], title: str = "tickets") -> bytes:
    from openpyxl import Workbook  # heavy: only when an XLSX is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in table:
        sheet.append([safe_cell(cell) for cell in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sign(secret: str, fmt: str, lang: str, scope: str, expires: int) -> str:
    """The signature of a link for `fmt`, `lang`, `scope` (``all``, or unit keys joined by
    commas) and `expires` (a Unix time)."""
    message = f"{fmt}:{lang}:{scope}:{expires}".encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str, fmt: str, lang: str, scope: str, expires: int, *, signature: str, now: float
) -> bool:
    """Whether `signature` was made by `sign` for these values and has not expired. A
    signature that is not even hexadecimal ASCII (non-ASCII, truncated, altered) is as wrong
    as any other: False, never an exception."""
    if expires < now:
        return False
    expected = sign(secret, fmt, lang, scope, expires).encode()
    given = signature.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected, given)
