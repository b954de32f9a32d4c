"""The check-ins' pages on the web console (docs/web.md, docs/checkins.md):

* ``/web/checkins``: the campaigns the person may see (`web_scope`), 50 a page, each with its
  latest round's participation; and the person's own reports, which is all a participant sees;
* ``/web/checkins/campaign/{name}``: a campaign's last rounds with their participation, its
  chart (an SVG drawn on the server), each participant's row across the rounds with how many
  closed rounds in a row they missed (three or more stand out), and who is on leave;
* ``/web/checkins/round/{id}``: who reported what (text, photos), who is on leave, who has not
  reported;
* ``/web/checkins/report/{id}/file/{i}``: a report's photo or video, to its author and to those
  who see the campaign (else 403).

Rounds and reports are read a page at a time with grouped queries (`web_data`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import or_, select

from qunzhu.core import N_, Attachment, AttachmentKind, aware
from qunzhu.core.web import Page, Response, Template, Visit

from .campaigns import Entry, entries, find
from .chart import STATUSES
from .config import Campaign
from .history import LABELS
from .leave import FOREVER
from .models import Leave, Report, Round
from .texts import day_label, span_label, when_label
from .web_chart import participation_chart
from .web_data import (
    last_rounds,
    last_rounds_of,
    members_of,
    missed_in_a_row,
    rate,
    statuses_of,
)
from .web_scope import oversees, sees

__all__ = ["PAGES"]

log = logging.getLogger("checkins")
TEMPLATES = Path(__file__).parent / "web"
PER_PAGE = 50
ROUNDS = 12
MY_REPORTS = 20
#: Missed this many closed rounds in a row: the row stands out.
ALARM = 3
REASONS = {"leave": N_("on leave"), "left": N_("left the group")}
PENDING = "pending"


def _message(visit: Visit, title: str, text: str, status: int) -> Template:
    return Template("core/message.html", {"title": title, "text": text}, status=status)


def _denied(visit: Visit) -> Template:
    return _message(visit, visit.t("Not for you"), visit.t("You may not see this check-in."), 403)


def _missing(visit: Visit) -> Template:
    text = visit.t("There is no such check-in.")
    return _message(visit, text, text, 404)


def campaign_link(name: str) -> str:
    return "/checkins/campaign/" + quote(name, safe="")


def _group(chat: str) -> str:
    return chat.partition(":")[2] or chat


def _page_number(visit: Visit) -> int:
    try:
        return max(1, int(visit.request.query.get("page", "1")))
    except ValueError:
        return 1


def _untagged(text: str, tag: str) -> str:
    """A report's text without the campaign's tag (``#周报 完成巡查`` → ``完成巡查``)."""
    return text.replace(tag, "").strip() if tag else text.strip()


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


# -- the campaigns -----------------------------------------------------------------------------
async def campaign_list(visit: Visit) -> Template:
    person = visit.person
    page = _page_number(visit)
    async with visit.session() as s:
        every = await entries(visit.app, s)
        shown = sorted((e for e in every if sees(person, e.campaign)), key=lambda e: e.name)
        chunk = shown[(page - 1) * PER_PAGE : page * PER_PAGE]
        recent = await last_rounds_of(s, [e.name for e in chunk], ALARM + 1)
        status = await statuses_of(s, recent)
        latest: dict[str, Round] = {}
        for rnd in recent:  # newest first by campaign
            latest.setdefault(rnd.campaign, rnd)
        mine = (
            await s.execute(
                select(Report, Round)
                .join(Round, Round.id == Report.round_id)
                .where(Report.person_id == person.id)
                .order_by(Round.day.desc(), Round.id.desc())
                .limit(MY_REPORTS)
            )
        ).all()
    if not shown and not mine and not oversees(person):
        return _message(visit, visit.t("Not for you"),
                        visit.t("You take part in no check-in and own none."), 403)  # fmt: skip
    tags = {e.name: e.campaign.tag for e in every}
    rows = []
    for entry in chunk:
        last = latest.get(entry.name)
        found = rate(status[last.id]) if last is not None else None
        rows.append({
            "name": entry.name,
            "link": campaign_link(entry.name),
            "group": _group(entry.campaign.group),
            "paused": entry.paused,
            "day": day_label(visit.t, last.day) if last else "",
            "round": last.id if last else None,
            "open": last is not None and last.state == "open",
            "rate": _percent(found.percent) if found else "—",
            "count": f"{found.done}/{found.due}" if found else "",
            "low": last is not None and last.state == "closed" and found is not None
                   and found.percent is not None and found.percent < 50,
            "alarms": _alarms([r for r in recent if r.campaign == entry.name], status),
        })  # fmt: skip
    values = {
        "title": visit.t("Check-ins"),
        "rows": rows,
        "total": len(shown),
        "alarm": ALARM,
        "page": page,
        "pages": max(1, -(-len(shown) // PER_PAGE)),
        "mine": [_my_report(visit, r, rnd, tags.get(rnd.campaign, "")) for r, rnd in mine],
    }
    return Template("checkins/campaigns.html", values)


def _alarms(rounds: list[Round], status: dict[int, dict[int, str]]) -> int:
    """How many of the latest round's roster missed the last `ALARM` closed rounds in a row."""
    if not rounds:
        return 0
    rounds = rounds[::-1]  # oldest first
    closed = [r.state == "closed" for r in rounds]
    return sum(
        missed_in_a_row([status[r.id].get(int(m["id"]), "none") for r in rounds], closed) >= ALARM
        for m in rounds[-1].roster
    )


def _my_report(visit: Visit, report: Report, rnd: Round, tag: str) -> dict[str, Any]:
    return {
        "campaign": rnd.campaign,
        "day": day_label(visit.t, rnd.day),
        "text": _untagged(report.text, tag),
        "late": report.late,
        "files": _files(report),
    }


def _files(report: Report) -> list[dict[str, Any]]:
    return [
        {"link": f"/checkins/report/{report.id}/file/{i}", "video": a.get("kind") == "video"}
        for i, a in enumerate(report.attachments)
    ]


# -- one campaign ------------------------------------------------------------------------------
async def campaign_page(visit: Visit) -> Template:
    name = visit.request.match_info.get("name", "")
    try:
        count = min(52, max(1, int(visit.request.query.get("rounds", str(ROUNDS)))))
    except ValueError:
        count = ROUNDS
    async with visit.session() as s:
        entry = await find(visit.app, s, name)
        if entry is None:
            return _missing(visit)
        if not sees(visit.person, entry.campaign):
            return _denied(visit)
        rounds = await last_rounds(s, entry.name, count)
        status = await statuses_of(s, rounds)
        members = members_of(rounds)
        leave = await _leave(visit, s, entry.campaign, [m.id for m in members])
    closed = [r.state == "closed" for r in rounds]
    people: list[dict[str, Any]] = []
    for member in members:
        cells = [status[r.id].get(member.id, "none") for r in rounds]
        run = missed_in_a_row(cells, closed)
        # in a round still open, not reported is not missed yet
        cells = [PENDING if c == "missed" and not done else c
                 for c, done in zip(cells, closed, strict=True)]  # fmt: skip
        last = next((r.day for r, c in zip(reversed(rounds), reversed(cells), strict=True)
                     if c in ("reported", "late")), None)  # fmt: skip
        people.append({
            "name": member.name,
            "cells": [_cell(visit, c) for c in cells],
            "run": run,
            "alarm": run >= ALARM,
            "last": day_label(visit.t, last) if last else visit.t("not once"),
        })  # fmt: skip
    people.sort(key=lambda p: -p["run"])
    rates = [rate(status[r.id]) for r in rounds]
    chart = participation_chart([
        (r.day.strftime("%m-%d"), found.percent, f"/checkins/round/{r.id}", r.state == "open")
        for r, found in zip(rounds, rates, strict=True)
    ])  # fmt: skip
    values = {
        "title": entry.name,
        "campaign": entry.campaign,
        "group": _group(entry.campaign.group),
        "paused": entry.paused,
        "rounds": [
            {
                "id": r.id,
                "day": day_label(visit.t, r.day),
                "short": r.day.strftime("%m-%d"),
                "open": r.state == "open",
                "rate": _percent(found.percent),
                "count": f"{found.done}/{found.due}",
            }
            for r, found in zip(reversed(rounds), reversed(rates), strict=True)
        ],  # fmt: skip
        "columns": [r.day.strftime("%m-%d") for r in rounds],
        "people": people,
        "alarms": sum(p["alarm"] for p in people),
        "alarm": ALARM,
        "chart": chart,
        "leave": leave,
        "legend": [
            *((STATUSES[k][1], visit.t(v)) for k, v in LABELS.items()),
            ("…", visit.t("not reported yet")),
        ],
    }
    return Template("checkins/campaign.html", values)


def _cell(visit: Visit, key: str) -> dict[str, str]:
    if key == PENDING:
        return {"key": key, "mark": "…", "label": visit.t("not reported yet")}
    label = visit.t(LABELS[key]) if key in LABELS else ""
    return {"key": key, "mark": STATUSES[key][1] or "·", "label": label}


async def _leave(visit: Visit, s: Any, campaign: Campaign, ids: list[int]) -> list[dict[str, str]]:
    """The participants' leave from today on (and left the group), in the campaign's group."""
    if not ids:
        return []
    today = visit.now().astimezone(visit.app.settings.bot.tz).date()
    rows = await s.scalars(
        select(Leave)
        .where(
            Leave.person_id.in_(ids),
            Leave.last >= today,
            or_(Leave.chat == "", Leave.chat == campaign.group),
        )
        .order_by(Leave.first, Leave.id)
    )
    out = []
    for row in rows:
        days = (visit.t("since {day}", day=span_label(visit.t, row.first, row.first))
                if row.last == FOREVER else span_label(visit.t, row.first, row.last))  # fmt: skip
        out.append({"name": row.name, "days": days, "reason": visit.t(REASONS[row.reason]),
                    "by": row.by})  # fmt: skip
    return out


def _sees_round(visit: Visit, entry: Entry | None) -> bool:
    """Whether the person sees a round's reports (a campaign no longer configured: overseers)."""
    return oversees(visit.person) or (entry is not None and sees(visit.person, entry.campaign))


# -- one round ---------------------------------------------------------------------------------
async def round_page(visit: Visit) -> Template:
    try:
        round_id = int(visit.request.match_info.get("id", ""))
    except ValueError:
        return _missing(visit)
    async with visit.session() as s:
        rnd = await s.get(Round, round_id)
        if rnd is None:
            return _missing(visit)
        entry = await find(visit.app, s, rnd.campaign)
        if not _sees_round(visit, entry):
            return _denied(visit)
        status = (await statuses_of(s, [rnd]))[rnd.id]
        query = select(Report).where(Report.round_id == rnd.id).order_by(Report.created_at)
        reports = list(await s.scalars(query))
    tag = entry.campaign.tag if entry is not None else ""
    names = {int(m["id"]): str(m["name"]) for m in rnd.roster}
    reported = [
        {"name": r.name, "at": _at(visit, r), "late": r.late, "text": _untagged(r.text, tag),
         "files": _files(r), "edited": bool(r.history)}
        for r in reports
    ]  # fmt: skip
    away = [(names[p], visit.t(REASONS[s])) for p, s in status.items() if s in REASONS]
    missing = [names[p] for p, s in status.items() if s == "missed"]
    found = rate(status)
    values = {
        "title": f"{rnd.campaign} · {day_label(visit.t, rnd.day)}",
        "campaign": rnd.campaign,
        "campaign_link": campaign_link(rnd.campaign),
        "day": day_label(visit.t, rnd.day),
        "window": _window(visit, rnd),
        "open": rnd.state == "open",
        "rate": _percent(found.percent),
        "count": f"{found.done}/{found.due}",
        "reported": reported,
        "away": away,
        "missing": missing,
    }
    return Template("checkins/round.html", values)


def _window(visit: Visit, rnd: Round) -> str:
    """``1月9日（周五） 09:00–18:00``, or both days when it closes on another."""
    tz = visit.app.settings.bot.tz
    opens, closes = aware(rnd.opens_at).astimezone(tz), aware(rnd.closes_at).astimezone(tz)
    if opens.date() == closes.date():
        return f"{when_label(visit.t, opens, tz)}–{closes:%H:%M}"
    return f"{when_label(visit.t, opens, tz)} – {when_label(visit.t, closes, tz)}"


def _at(visit: Visit, report: Report) -> str:
    return when_label(visit.t, aware(report.created_at), visit.app.settings.bot.tz)


# -- a report's photo or video -----------------------------------------------------------------
async def report_file(visit: Visit) -> Response | Template:
    try:
        report_id = int(visit.request.match_info.get("id", ""))
        index = int(visit.request.match_info.get("index", ""))
    except ValueError:
        return _missing(visit)
    async with visit.session() as s:
        report = await s.get(Report, report_id)
        rnd = await s.get(Round, report.round_id) if report is not None else None
        entry = await find(visit.app, s, rnd.campaign) if rnd is not None else None
    if report is None or rnd is None:
        return _missing(visit)
    if report.person_id != visit.person.id and not _sees_round(visit, entry):
        return _denied(visit)
    if not 0 <= index < len(report.attachments):
        return _missing(visit)
    return await _download(visit, report.attachments[index], rnd.chat) or _missing(visit)


async def _download(visit: Visit, item: dict[str, Any], chat: str) -> Response | None:
    """The file from the platform of the round's group (None when it cannot give it now)."""
    kind = AttachmentKind.VIDEO if item.get("kind") == "video" else AttachmentKind.PHOTO
    mime = str(item.get("mime") or "")
    try:
        attachment = Attachment(kind, str(item["ref"]), mime)
        platform = str(item.get("platform") or chat.partition(":")[0])
        data = await visit.app.adapter_for(platform).download(attachment)
    except KeyError:
        return None
    except Exception as exc:  # the platform could not give the file now
        log.warning("event=web_report_file_failed error=%s", type(exc).__name__)
        return None
    wanted = "video/" if kind is AttachmentKind.VIDEO else "image/"
    fallback = "video/mp4" if kind is AttachmentKind.VIDEO else "image/jpeg"
    return Response(body=data, content_type=mime if mime.startswith(wanted) else fallback)


PAGES: tuple[Page, ...] = (
    Page("/checkins", campaign_list, title=N_("Check-ins"), nav=True, templates=TEMPLATES),
    Page("/checkins/campaign/{name:.+}", campaign_page, templates=TEMPLATES),
    Page("/checkins/round/{id}", round_page, templates=TEMPLATES),
    Page("/checkins/report/{id}/file/{index}", report_file, templates=TEMPLATES),
)
