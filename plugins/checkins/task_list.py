"""``/tasks``: in a group, the group's open tasks; in a private chat, the tasks I assigned and the
tasks I owe, overdue first, each with where it stands (waiting for sign-off, overdue)."""

from __future__ import annotations

from sqlalchemy import select

from qunzhu.core import Context, Translator, aware, due_label

from .models import Task
from .tasks import members

__all__ = ["list_tasks", "open_tasks"]


async def open_tasks(ctx: Context, *, owed: bool = False, assigned: bool = False) -> list[Task]:
    """Tasks not done: those `ctx.person` owes and/or assigned, else this chat's; by number."""
    rows = list(await ctx.db.scalars(select(Task).where(Task.state != "done").order_by(Task.id)))
    if not owed and not assigned:
        return [r for r in rows if r.chat == ctx.chat.key]
    me = ctx.person.id
    return [
        r
        for r in rows
        if (owed and any(m.id == me for m in members(r))) or (assigned and r.by_id == me)
    ]


def _line(t: Translator, ctx: Context, task: Task, *, who: bool = True) -> str:
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    mark = {"overdue": "⚠️ ", "reported": "📝 "}.get(task.state, "")
    parts = [f"{mark}T-{task.id} {task.text}"]
    if who:
        parts.append(task.assignee_label)
    else:
        parts.append(t("from {by}", by=task.by_name))
    parts.append(due)
    line = " — ".join(parts)
    if task.state == "overdue":
        line += t(" (overdue)")
    elif task.state == "reported":
        line += t(" (waiting for sign-off)")
    return line


def _urgent_first(tasks: list[Task]) -> list[Task]:
    return sorted(tasks, key=lambda x: (x.state != "overdue", aware(x.due_at), x.id))


async def list_tasks(ctx: Context) -> None:
    t = ctx.t
    if not ctx.chat.is_direct:
        tasks = await open_tasks(ctx)
        if not tasks:
            await ctx.reply(t("No open tasks."))
            return
        await ctx.reply("\n".join([t("Open tasks:"), *(_line(t, ctx, x) for x in tasks)]))
        return
    assigned = _urgent_first(await open_tasks(ctx, assigned=True))
    owed = _urgent_first(await open_tasks(ctx, owed=True))
    if not assigned and not owed:
        await ctx.reply(t("No open tasks."))
        return
    lines: list[str] = []
    if owed:
        lines += [t("Tasks I owe:"), *(_line(t, ctx, x, who=False) for x in owed)]
    if assigned:
        lines += [""] if lines else []
        lines += [t("Tasks I assigned:"), *(_line(t, ctx, x) for x in assigned)]
    await ctx.reply("\n".join(lines))
