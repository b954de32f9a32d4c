"""The check-ins as CSV for a spreadsheet: ``GET /checkins/export.csv?campaign=NAME`` on the bot's
web server (``web.enabled``), with ``plugins.checkins.export_token`` as ``?token=`` or as a
``Authorization: Bearer`` header. One row per person and check-in; UTF-8 with a byte-order mark,
so that Excel shows the Chinese names."""

from __future__ import annotations

import csv
import hmac
import io
from datetime import datetime

from sqlalchemy import select

from qunzhu.core import aware
from qunzhu.core.web import APP_KEY, Request, Response, RouteDef, get

from .expected import reports_of, statuses
from .models import Round
from .roster import Member
from .settings import settings
from .summary import acks_of

__all__ = ["COLUMNS", "routes"]

COLUMNS = ("campaign", "day", "person", "status", "reported_at", "first_line", "report",
           "attachments", "acknowledged_by")  # fmt: skip


def routes() -> list[RouteDef]:
    return [get("/checkins/export.csv", export_csv)]


def _token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query.get("token", "")


async def export_csv(request: Request) -> Response:
    app = request.app[APP_KEY]
    config = settings(app)
    if config.export_token is None:
        return Response(status=404, text="export is off: set plugins.checkins.export_token\n")
    if not hmac.compare_digest(_token(request), config.export_token.get_secret_value()):
        return Response(status=403, text="wrong or missing token\n")
    name = request.query.get("campaign", "")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    async with app.db.session() as db:
        query = select(Round).order_by(Round.campaign, Round.day)
        if name:
            query = query.where(Round.campaign == name)
        for rnd in await db.scalars(query):
            states = await statuses(db, rnd)
            reports = {r.person_id: r for r in await reports_of(db, [rnd.id])}
            acks = await acks_of(db, [r.id for r in reports.values()])
            for data in rnd.roster:
                member = Member.from_json(data)
                report = reports.get(member.id)
                writer.writerow([
                    rnd.campaign, rnd.day.isoformat(), member.name, states.get(member.id, ""),
                    _when(report.created_at) if report else "",
                    (report.text.strip().splitlines() or [""])[0] if report else "",
                    report.text if report else "",
                    len(report.attachments) if report else 0,
                    "、".join(acks.get(report.id, [])) if report else "",
                ])  # fmt: skip
    filename = "checkins.csv"
    return Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _when(moment: datetime) -> str:
    return aware(moment).isoformat(timespec="minutes")
