"""When a task's deadline comes: the reminder before it, the overdue notice naming the assignee in
the group, and the escalation one level up the chain of command (the parents in ``org:``), then
again after each ``escalate_after`` of working time, up to the top (逐级问责). The people escalated
to are told in the group and each in private. A task reported done and waiting for sign-off is
not chased."""

from __future__ import annotations

from qunzhu.core import Context, JobTick, OrgUnit, Person, Reply, UserRef, aware, due_label

from .models import Task
from .roster import Member, mentions, people
from .settings import group_t, person_t, settings
from .tasks import members, on_working_day, who, work_time

__all__ = ["chain", "escalate", "run_due", "run_escalate", "run_task_remind"]


async def _task_of(ctx: Context) -> Task | None:
    """The job's task while it is open, None when done or reported done (or, on a day off, put
    off)."""
    tick = ctx.event
    assert isinstance(tick, JobTick)
    task = await ctx.db.get(Task, int(tick.payload["task"]))
    if task is None or task.state in ("done", "reported"):
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
    out = await ctx.send(Reply(text, mentions=mentions(members(task), platform)))
    task.messages = [*task.messages, out.id]


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
    out = await ctx.send(Reply(text, mentions=mentions(members(task), platform)))
    task.messages = [*task.messages, out.id]
    await escalate(ctx, task)


async def run_escalate(ctx: Context) -> None:
    task = await _task_of(ctx)
    if task is not None:
        await escalate(ctx, task)


async def chain(ctx: Context, task: Task) -> list[OrgUnit]:
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
    above = await chain(ctx, task)
    t = group_t(ctx.app, task.chat)
    if task.level >= len(above):
        if task.level > 0:
            await ctx.send(
                t("Task T-{id} is still not done; it has reached the top of the chain.", id=task.id)
            )
        return
    unit = above[task.level]
    found = await people(ctx.app, unit.people_entries())
    bosses = [Member.of(p) for p in found]
    task.level += 1
    late = ctx.calendar.work_time_between(aware(task.due_at), ctx.now())
    names = t(", ").join("@" + b.name for b in bosses)
    # a unit nobody is named in (yet) is named alone, not with empty brackets
    whom = (
        t("{unit} ({names})", unit=unit.label(t.lang), names=names)
        if bosses
        else unit.label(t.lang)
    )
    if task.level == 1:
        text = t(
            "⬆️ Escalated to {whom}: task T-{id} ({text}) of {who} is overdue. Please follow it up.",
            whom=whom,
            id=task.id,
            text=task.text,
            who=task.assignee_label,
        )
    else:
        text = t(
            "⬆️ Escalated to {whom}: task T-{id} ({text}) of {who} is still not "
            "done, {hours} working hours after its deadline. Please follow it up.",
            whom=whom,
            id=task.id,
            text=task.text,
            who=task.assignee_label,
            hours=f"{late.total_seconds() / 3600:.3g}",
        )
    platform = task.chat.partition(":")[0]
    out = await ctx.send(Reply(text, mentions=mentions(bosses, platform)))
    task.messages = [*task.messages, out.id]
    for boss in found:
        await _tell_privately(ctx, task, boss)
    if task.level < len(above):
        at = ctx.calendar.add_work_time(ctx.now(), work_time(ctx, config.tasks.escalate_after))
        await ctx.schedule(
            "task_escalate",
            at=at,
            key=f"task:{task.id}:escalate:{task.level}",
            chat=ctx.chat,
            payload={"task": task.id},
        )


async def _tell_privately(ctx: Context, task: Task, boss: Person) -> None:
    """The person escalated to, in private and in their language: what is late, since when, who
    assigned it. Left out where the bot cannot write first (they are named in the group)."""
    platform = task.chat.partition(":")[0]
    identity = next((i for i in boss.identities if i.startswith(f"{platform}:")), None)
    if identity is None:
        return
    user = UserRef(platform, identity.partition(":")[2], boss.name)
    if not await ctx.can_write_privately(user):
        return
    t = person_t(ctx.app, boss)
    text = t(
        "🔔 Please follow up: task T-{id} ({text}) of {who} is overdue; its deadline was {due}. "
        "Assigned by {by}.",
        id=task.id,
        text=task.text,
        who=task.assignee_label,
        due=due_label(t, aware(task.due_at), ctx.calendar.tz),
        by=task.by_name,
    )
    await ctx.send_direct(user, text)
