"""When a task's deadline comes: the reminder before it, the overdue notice naming the assignee in
the group, and the escalation one level up the chain of command (the parents in ``org:``), then
again after each ``escalate_after`` of working time, up to the top (逐级问责)."""

from __future__ import annotations

from qunzhu.core import Context, JobTick, OrgUnit, Reply, aware, due_label

from .models import Task
from .roster import Member, mentions, people
from .settings import group_t, settings
from .tasks import members, on_working_day, who, work_time

__all__ = ["escalate", "run_due", "run_escalate", "run_task_remind"]


async def _task_of(ctx: Context) -> Task | None:
    """The job's task while it is open, None when done (or, on a day off, put off)."""
    tick = ctx.event
    assert isinstance(tick, JobTick)
    task = await ctx.db.get(Task, int(tick.payload["task"]))
    if task is None or task.state == "done":
        return None
    if not ctx.calendar.is_workday(ctx.now().astimezone(ctx.calendar.tz).date()):
        # a day off (also for jobs planned before deadlines kept to working days): the next
        # working morning instead
        at = on_working_day(ctx, ctx.now())
        name = tick.job.rpartition(".")[2]
        key = f"{tick.key.partition('@')[0]}@{at.date().isoformat()}"
        await ctx.schedule(name, at=at, key=key, chat=ctx.chat, payload=dict(tick.payload))
        return None
    return task


async def run_task_remind(ctx: Context) -> None:
    task = await _task_of(ctx)
    if task is None:
        return
    t = group_t(ctx.app, task.chat)
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    text = t(
        "⏰ Reminder: task T-{id} ({text}) is due {due}. {who}",
        id=task.id,
        text=task.text,
        due=due,
        who=who(t, task),
    )
    platform = task.chat.partition(":")[0]
    await ctx.send(Reply(text, mentions=mentions(members(task), platform)))


async def run_due(ctx: Context) -> None:
    task = await _task_of(ctx)
    if task is None:
        return
    task.state = "overdue"
    t = group_t(ctx.app, task.chat)
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    text = t(
        "⚠️ Overdue: task T-{id} ({text}) assigned to {who} was not done by {due}.",
        id=task.id,
        text=task.text,
        who=who(t, task),
        due=due,
    )
    platform = task.chat.partition(":")[0]
    await ctx.send(Reply(text, mentions=mentions(members(task), platform)))
    await escalate(ctx, task)


async def run_escalate(ctx: Context) -> None:
    task = await _task_of(ctx)
    if task is not None:
        await escalate(ctx, task)


async def _chain(ctx: Context, task: Task) -> list[OrgUnit]:
    """The units above the task's assignee in ``org:``, nearest first: above the unit it was
    assigned to, else above the first unit an assignee belongs to."""
    start = ctx.org.unit(task.unit) if task.unit else None
    for member in () if start is not None else members(task):
        person = await ctx.app.people.get(member.id)
        units = ctx.org.units_of(person) if person is not None else ()
        if units:
            start = units[0]
            break
    return list(ctx.org.chain(start)[1:]) if start is not None else []


async def escalate(ctx: Context, task: Task) -> None:
    """Tell the next level up (逐级问责) and plan the level after it."""
    config = settings(ctx.app)
    chain = await _chain(ctx, task)
    t = group_t(ctx.app, task.chat)
    if task.level >= len(chain):
        if task.level > 0:
            await ctx.send(
                t("Task T-{id} is still not done; it has reached the top of the chain.", id=task.id)
            )
        return
    unit = chain[task.level]
    bosses = [Member.of(p) for p in await people(ctx.app, unit.people_entries())]
    task.level += 1
    late = ctx.calendar.work_time_between(aware(task.due_at), ctx.now())
    names = t(", ").join("@" + b.name for b in bosses)
    if task.level == 1:
        text = t(
            "⬆️ Escalated to {unit} ({names}): task T-{id} ({text}) of {who} is overdue. "
            "Please follow it up.",
            unit=unit.label(t.lang),
            names=names,
            id=task.id,
            text=task.text,
            who=task.assignee_label,
        )
    else:
        text = t(
            "⬆️ Escalated to {unit} ({names}): task T-{id} ({text}) of {who} is still not "
            "done, {hours} working hours after its deadline. Please follow it up.",
            unit=unit.label(t.lang),
            names=names,
            id=task.id,
            text=task.text,
            who=task.assignee_label,
            hours=f"{late.total_seconds() / 3600:.3g}",
        )
    platform = task.chat.partition(":")[0]
    await ctx.send(Reply(text, mentions=mentions(bosses, platform)))
    if task.level < len(chain):
        at = ctx.calendar.add_work_time(ctx.now(), work_time(ctx, config.tasks.escalate_after))
        await ctx.schedule(
            "task_escalate",
            at=at,
            key=f"task:{task.id}:escalate:{task.level}",
            chat=ctx.chat,
            payload={"task": task.id},
        )
