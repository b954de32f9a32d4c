"""The tasks page of the web console (``/web/tasks``): the tasks given with ``/task``, open,
reported (waiting for sign-off), overdue or done, by unit and by person, 30 a page; for a
reported task its report, and for those who may sign it off the same two buttons as in chat,
which do what the chat's do (`task_signoff.accept`, `task_signoff.give_back` with a reason): the
card in the group is edited, the group is told, the assignees are told in private.

Who sees which: supervisors and admins every task; anyone else the tasks they gave, the tasks
given to them, and the tasks of the units they belong to (and those below them).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from qunzhu.core import N_, Context, Org, Person, UsageError, aware, due_label
from qunzhu.core.web import Page, Response, Template, Visit

from .models import Task
from .task_signoff import accept, give_back, may_sign
from .tasks import members

__all__ = ["PAGES"]

TEMPLATES = Path(__file__).parent / "web"
PER_PAGE = 30
#: Done tasks are listed this long after they were done.
DONE_DAYS = 30
STATES = {
    "open": N_("Open"),
    "overdue": N_("Overdue"),
    "reported": N_("Waiting for sign-off"),
    "done": N_("Done"),
}


def may_open(person: Person, org: Org) -> bool:
    return person.has_role("supervisor") or bool(org.units_of(person))


def _units(person: Person, org: Org) -> set[str] | None:
    """The unit names and keys whose tasks `person` sees; None for every task."""
    if person.is_admin or person.has_role("supervisor"):
        return None
    found: set[str] = set()
    for own in org.units_of(person):
        for unit in org.subtree(own):
            found |= {unit.key, unit.name}
    return found


def _sees(person: Person, units: set[str] | None, task: Task) -> bool:
    if units is None or task.by_id == person.id or task.unit in units:
        return True
    return any(m.id == person.id for m in members(task))


async def tasks_page(visit: Visit) -> Template:
    query = visit.request.query
    state = query.get("state", "")
    unit, person_id = query.get("unit", ""), query.get("person", "")
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    units = _units(visit.person, visit.org)
    since = visit.now() - timedelta(days=DONE_DAYS)
    stmt = select(Task).where(or_(Task.state != "done", Task.done_at >= since))
    if state in STATES:
        stmt = stmt.where(Task.state == state)
    if unit:
        stmt = stmt.where(Task.unit == unit)
    async with visit.session() as s:
        rows = [t for t in (await s.scalars(stmt.order_by(Task.due_at, Task.id))).all()
                if _sees(visit.person, units, t)]  # fmt: skip
    every = rows
    if person_id.isdigit():
        rows = [t for t in rows if any(m.id == int(person_id) for m in members(t))]
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)
    chunk = rows[(page - 1) * PER_PAGE : page * PER_PAGE]

    async def signable(ctx: Context) -> set[int]:
        return {t.id for t in chunk if t.state == "reported" and await may_sign(ctx, t)}

    may = await visit.act(signable) if any(t.state == "reported" for t in chunk) else set()
    values = {
        "title": visit.t("Tasks"),
        "items": [_item(visit, t, t.id in may) for t in chunk],
        "total": len(rows),
        "counts": {k: sum(1 for t in every if t.state == k) for k in STATES},
        "state": state,
        "states": [(k, visit.t(v)) for k, v in STATES.items()],
        "unit": unit,
        "units": sorted({t.unit for t in every if t.unit}),
        "chosen_person": person_id,
        "people": sorted(
            {(m.id, m.name) for t in every for m in members(t)}, key=lambda p: p[1]
        ),  # fmt: skip
        "page": page,
        "pages": pages,
    }
    return Template("checkins/tasks.html", values)


def _item(visit: Visit, task: Task, can_sign: bool) -> dict[str, Any]:
    tz = visit.app.calendar.tz
    report = task.report or {}
    return {
        "id": task.id,
        "text": task.text,
        "who": task.assignee_label or ", ".join(m.name for m in members(task)),
        "people": [m.name for m in members(task)],
        "by": task.by_name,
        "due": due_label(visit.t, aware(task.due_at), tz),
        "state": task.state,
        "state_label": visit.t(STATES.get(task.state, task.state)),
        "late": task.state == "overdue"
        or (task.state != "done" and aware(task.due_at) <= visit.now()),
        "report": str(report.get("text") or ""),
        "reported_by": task.done_by,
        "evidence": len(report.get("attachments") or ()),
        "accepted_by": task.accepted_by,
        "returns": len(task.returns),
        "can_sign": can_sign,
    }


async def _sign(visit: Visit, what: str) -> Response | Template:
    """``POST /web/tasks/{id}/accept`` and ``.../give_back`` (with ``reason``)."""
    try:
        task_id = int(visit.request.match_info.get("id", ""))
    except ValueError:
        task_id = 0
    form = await visit.request.post()
    reason = " ".join(str(form.get("reason", "")).split())[:500]

    async def work(ctx: Context) -> None:
        task = await ctx.db.get(Task, task_id)
        if task is None or not _sees(ctx.person, _units(ctx.person, ctx.org), task):
            raise UsageError(ctx.t("There is no such task."))
        if task.state != "reported":
            raise UsageError(ctx.t("Task T-{id} has not been reported done.", id=task.id))
        if not await may_sign(ctx, task):
            raise UsageError(
                ctx.t(
                    "Only {by}, who assigned T-{id}, or the head of the unit above can sign "
                    "it off.",
                    by=task.by_name,
                    id=task.id,
                )
            )
        if what == "accept":
            await accept(ctx, task)
        elif not reason:
            raise UsageError(ctx.t("Please write why you give it back."))
        else:
            await give_back(ctx, task, reason)

    try:
        await visit.act(work)
    except UsageError as wrong:
        text = str(wrong)
        return Template("core/message.html", {"title": text, "text": text}, status=403)
    return Response(status=303, headers={"Location": f"/web/tasks?signed={task_id}"})


async def accept_page(visit: Visit) -> Response | Template:
    return await _sign(visit, "accept")


async def give_back_page(visit: Visit) -> Response | Template:
    return await _sign(visit, "give_back")


PAGES = (
    Page("/tasks", tasks_page, title=N_("Tasks"), nav=True, templates=TEMPLATES, allow=may_open),
    Page("/tasks/{id}/accept", accept_page, method="POST", templates=TEMPLATES,
         allow=may_open),
    Page("/tasks/{id}/give_back", give_back_page, method="POST", templates=TEMPLATES,
         allow=may_open),
)  # fmt: skip
