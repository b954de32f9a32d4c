"""Overdue tasks in a leader's digest (issue 14.2): the digest another plugin sends (the
complaints plugin's morning digest) gets, for each recipient, the tasks past their deadline
that this person assigned or supervises: assigned to a unit they head, or to a unit below one
they head or belong to (the chain of command that 逐级问责 follows). Each with its number, the
assignee, how late in working time and its text; the most overdue first.

One query reads every overdue task for all the recipients; who sees which is decided in memory
from ``org:``, each person checked once against the few units the tasks climb (not once per
task). A group chat the digest goes to gets the overdue tasks of its unit and the units below
(`overdue_task_chat_sections`): the work of units, which the whole group may read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from qunzhu.core import (
    Context,
    DigestSection,
    Person,
    Translator,
    WorkCalendar,
    aware,
)

from .escalation import chain
from .models import Task
from .settings import group_t, person_t

__all__ = ["LISTED", "overdue_task_chat_sections", "overdue_task_sections"]

#: How many tasks a section lists; the rest are counted.
LISTED = 10


async def overdue_task_sections(
    ctx: Context, people: Sequence[Person], since: datetime
) -> dict[int, DigestSection]:
    """The ``digest_sections`` hook: each person's overdue tasks (none: no section)."""
    del since  # an overdue task is listed every day until it is done
    now = ctx.now()
    tasks, above = await _overdue(ctx, now)
    if not tasks:
        return {}
    ranks = {key for keys in above.values() for key in keys}  # the few units tasks climb
    heads = {task.unit for task in tasks if task.unit}
    found: dict[int, DigestSection] = {}
    for person in people:
        member = {key for key in ranks if ctx.org.is_member(person, key)}
        head = {key for key in heads if ctx.org.is_head(person, key)}
        mine = [
            x
            for x in tasks
            if x.by_id == person.id or x.unit in head or not member.isdisjoint(above[x.id])
        ]
        if mine:
            found[person.id] = _section(ctx, person_t(ctx.app, person), mine, now)
    return found


async def overdue_task_chat_sections(
    ctx: Context, chats: Sequence[str], since: datetime
) -> dict[str, DigestSection]:
    """The ``digest_chat_sections`` hook: a group's overdue tasks, the work of units, which
    the whole group may read: those given in that group, and those of the group's unit (by
    ``org:``) and the units below it; every overdue task for a group of no unit (it gets the
    whole complaints digest too)."""
    del since
    now = ctx.now()
    tasks, above = await _overdue(ctx, now)
    if not tasks:
        return {}
    found: dict[str, DigestSection] = {}
    for chat in chats:
        unit = ctx.org.unit_of_chat(chat)
        if unit is None:
            theirs = tasks
        else:
            below = {u.key for u in ctx.org.subtree(unit)}
            theirs = [
                x for x in tasks if x.chat == chat or x.unit in below or unit.key in above[x.id]
            ]
        if theirs:
            found[chat] = _section(ctx, group_t(ctx.app, chat), theirs, now)
    return found


async def _overdue(ctx: Context, now: datetime) -> tuple[list[Task], dict[int, set[str]]]:
    """Every overdue task, the most overdue first, and the units above each (its chain)."""
    tasks = list(
        await ctx.db.scalars(
            select(Task)
            .where(Task.state.in_(("open", "overdue")), Task.due_at <= now)
            .order_by(Task.due_at, Task.id)
        )
    )
    climbs: dict[tuple[object, ...], set[str]] = {}  # one chain per unit or assignees
    above: dict[int, set[str]] = {}
    for task in tasks:
        key = (task.unit,) if task.unit else tuple(m.get("id") for m in task.assignees)
        if key not in climbs:
            climbs[key] = {unit.key for unit in await chain(ctx, task)}
        above[task.id] = climbs[key]
    return tasks, above


def _section(ctx: Context, t: Translator, tasks: list[Task], now: datetime) -> DigestSection:
    lines = ["  · " + _line(ctx, t, x, now) for x in tasks[:LISTED]]
    if len(tasks) > LISTED:
        lines.append("  " + t("… and {n} more", n=len(tasks) - LISTED))
    return DigestSection(t("Overdue tasks: {n}", n=len(tasks)), tuple(lines))


def _line(ctx: Context, t: Translator, task: Task, now: datetime) -> str:
    """``T-1 住建局 · 已超期 1 天：完成现场整改``."""
    late = late_by(t, ctx.calendar, aware(task.due_at), now)
    head = f"T-{task.id} {task.assignee_label} · " + t("{late} overdue", late=late)
    return t("{line}: {text}", line=head, text=task.text)


def late_by(t: Translator, calendar: WorkCalendar, due: datetime, now: datetime) -> str:
    """How late, in working time: "2 days" once it is a working day or more, else hours."""
    late = calendar.work_time_between(due, now)
    if late >= calendar.day_length:
        days = math.floor(late / calendar.day_length + 1e-9)
        return t("{n} days", n=days) if days != 1 else t("1 day")
    hours = max(1, math.ceil(late / timedelta(hours=1)))
    return t("{n} hours", n=hours) if hours != 1 else t("1 hour")
