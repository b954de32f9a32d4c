"""The core's own pages: the overview (every plugin's panels the person may see), and for
admins the people and their roles (`_admin_people`), the units of the organisation
(`_admin_units`), the delivery's health (`qunzhu.core._metrics`' figures: outbox, 429 waits,
jobs due and late) and the open console sessions, any person's of which an admin may end."""

from __future__ import annotations

from aiohttp import web

from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.webui import _admin_people as people
from qunzhu.core.webui import _admin_units as units
from qunzhu.core.webui import _sessions as sessions
from qunzhu.core.webui._pages import Page, Template, Visit

__all__ = ["PAGES"]


async def overview(visit: Visit) -> Template:
    from qunzhu.core.webui._server import CONSOLE_KEY

    console = visit.request.app[CONSOLE_KEY]
    panels = await console.panels_for(visit)
    return Template("core/overview.html", {"title": visit.t("Overview"), "panels": panels})


async def health(visit: Visit) -> Template:
    from qunzhu.core._metrics import delivery_figures, job_figures

    outbox, inbox_lag, job_lag = await delivery_figures(visit.app)
    due, late = await job_figures(visit.app)
    tally = visit.app.tally
    platforms = sorted({p for p, _ in outbox} | set(visit.app.adapters))
    rows = [
        {
            "platform": p,
            "pending": outbox.get((p, "pending"), 0),
            "failed": outbox.get((p, "failed"), 0),
            # 429s since start, and the seconds the platform asked the bot to wait in all
            "waits": int(tally.get("delivery_problems", kind="wait", platform=p)),
            "wait_seconds": round(tally.get("platform_wait_seconds", platform=p)),
        }
        for p in platforms
    ]
    values = {"title": visit.t("Delivery health"), "outbox": rows,
              "inbox_lag": round(inbox_lag), "job_lag": round(job_lag),
              "jobs_due": due, "jobs_late": late}  # fmt: skip
    return Template("core/health.html", values)


async def session_list(visit: Visit) -> Template:
    tz = visit.app.settings.bot.tz
    async with visit.session() as s:
        found = await sessions.open_sessions(s, visit.now())
    rows = []
    for person_id, since, until in found:
        person = await visit.app.people.get(person_id)
        rows.append({
            "person_id": person_id,
            "name": person.name if person else str(person_id),
            "accounts": ", ".join(person.identities) if person else "",
            "since": since.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "until": until.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        })  # fmt: skip
    ended = visit.request.query.get("ended", "")
    flash = visit.t("{n} sessions ended.", n=int(ended)) if ended.isdigit() else ""
    values = {"title": visit.t("Console sessions"), "rows": rows, "flash": flash}
    return Template("core/sessions.html", values)


async def end_sessions(visit: Visit) -> web.StreamResponse:
    form = await visit.request.post()
    try:
        person_id = int(str(form.get("person", "")))
    except ValueError:
        person_id = -1
    async with visit.app.db.writing(), visit.session() as s:
        ended = await sessions.end_sessions(s, visit.now(), person_id=person_id)
        await s.commit()
    return web.Response(status=303, headers={"Location": f"/web/admin/sessions?ended={ended}"})


PAGES: tuple[Page, ...] = (
    Page("/", overview, title=N_("Overview"), nav=True, plugin="core"),
    Page("/admin/people", people.people_page, title=N_("People"), nav=True, roles=("admin",),
         plugin="core"),
    Page("/admin/people/{id:\\d+}", people.person_page, roles=("admin",), plugin="core"),
    Page("/admin/people/{id:\\d+}", people.grant_or_revoke, roles=("admin",), method="POST",
         plugin="core"),
    Page("/admin/units", units.units_page, title=N_("Units"), nav=True, roles=("admin",),
         plugin="core"),
    Page("/admin/new-unit", units.new_unit, roles=("admin",), plugin="core"),
    Page("/admin/new-unit", units.save_unit, roles=("admin",), method="POST", plugin="core"),
    Page("/admin/units/{key}", units.unit_page, roles=("admin",), plugin="core"),
    Page("/admin/units/{key}", units.save_unit, roles=("admin",), method="POST", plugin="core"),
    Page("/admin/health", health, title=N_("Delivery health"), nav=True, roles=("admin",),
         plugin="core"),
    Page("/admin/sessions", session_list, title=N_("Console sessions"), nav=True,
         roles=("admin",), plugin="core"),
    Page("/admin/sessions", end_sessions, roles=("admin",), method="POST", plugin="core"),
)  # fmt: skip
