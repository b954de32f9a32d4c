"""Tasks: ``/task @住建局 明天下班前完成现场整改`` assigns work with a deadline; the bot reminds
before it, and when it passes undone names the assignee in the group and escalates one level up
the chain of command (the units of ``org:``), then again after ``escalate_after`` of working
time, up to the top (逐级问责). ``/done`` or the card's button finishes a task."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core import (
    N_,
    Button,
    Context,
    Person,
    Reply,
    Translator,
    UsageError,
    aware,
    due_label,
    find_deadline,
    moved_note,
)

from .buttons import Done
from .config import parse_duration
from .models import Task
from .roster import Member, mentions, people
from .settings import chat_of, group_t, settings
from .texts import when_label

__all__ = [
    "EXAMPLES",
    "assign",
    "create",
    "end_of_work",
    "card",
    "finish",
    "list_tasks",
    "members",
    "on_working_day",
    "who",
]

EXAMPLES = N_("tomorrow 6pm, Friday 12:00, within 3 days, after the holiday, 2026-12-10 17:00")


def end_of_work(ctx: Context) -> time:
    configured = settings(ctx.app).tasks.end_of_work
    if configured:
        hour, minute = configured.split(":")
        return time(int(hour), int(minute))
    last = ctx.calendar.hours[-1][1]
    return time(23, 59) if last == time.max else last


def work_time(ctx: Context, text: str) -> timedelta:
    """A duration of working time: ``1d`` is one working day of the calendar."""
    amount, unit = parse_duration(text)
    if unit == "d":
        return ctx.calendar.day_length * amount
    return timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount)


async def may_assign(ctx: Context) -> bool:
    config = settings(ctx.app)
    role = config.tasks.role or "supervisor"
    if ctx.person.has_role(role):
        return True
    from .campaigns import every
    from .roster import is_owner

    owners = await every(ctx.app, ctx.db, chat=ctx.chat.key)
    return any([await is_owner(ctx.app, c, ctx.person) for c in owners])


async def _assignees(ctx: Context, who: str) -> tuple[str, str, list[Person]]:
    """(unit key or "", label, people) for the first word of /task: a unit of ``org:`` (by key,
    name or alias; its head and members), else a person."""
    unit = ctx.org.unit(who)
    if unit is not None:
        label = unit.label(ctx.lang)
        return unit.key, label, await people(ctx.app, unit.people_entries())
    found = await people(ctx.app, [who])
    if not found and ctx.message is not None and ctx.message.mentions:
        found = await people(ctx.app, ctx.message.mentions[:1])
    if not found:
        units = ctx.t(", ").join(u.label(ctx.lang) for u in ctx.org.units) or "—"
        raise UsageError(
            ctx.t(
                "I do not know who “{who}” is. Name a person, or one of these units: {units}.",
                who=who.lstrip("@"),
                units=units,
            )
        )
    return "", found[0].name, found


async def assign(ctx: Context, text: str) -> None:
    """The /task command."""
    if not await may_assign(ctx):
        raise UsageError(ctx.t("Only leaders (supervisors, check-in owners) can assign tasks."))
    who, _, rest = text.strip().partition(" ")
    if not who or not rest.strip():
        raise UsageError(
            ctx.t(
                "Write: /task @department deadline what to do, for example {example}",
                example="/task @住建局 明天下班前完成现场整改",
            )
        )
    unit, label, found = await _assignees(ctx, who)
    if not found:
        raise UsageError(ctx.t("Nobody is listed in {unit} yet.", unit=label))
    members = [Member.of(p).to_json() for p in found]
    deadline = find_deadline(rest, ctx.now(), ctx.calendar.tz, ctx.calendar, end_of_work(ctx))
    base: dict[str, Any] = {"unit": unit, "label": label, "members": members, "text": rest.strip()}
    if deadline is None:
        await ctx.reply(ctx.t("I could not tell the deadline from “{text}”.", text=rest.strip()))
        await ctx.start_dialog("deadline", initial=base)
        return
    if deadline.due <= ctx.now():
        raise UsageError(
            ctx.t("{phrase} has already passed: give a later deadline.", phrase=deadline.phrase)
        )
    base["text"] = deadline.rest or rest.strip()
    if deadline.doubt is not None:  # never guessed silently: asked back, with buttons
        await ctx.start_dialog("deadline", initial={**base, "suggested": deadline.to_json()})
        return
    await create(ctx, base, base["text"], deadline.due, deadline.phrase, said=deadline.said)


def on_working_day(ctx: Context, moment: datetime) -> datetime:
    """`moment`, or the next working morning when it falls on a day off: reminders, overdue
    notices and escalations never come on a holiday."""
    if ctx.calendar.is_workday(moment.astimezone(ctx.calendar.tz).date()):
        return moment
    return ctx.calendar.add_work_time(moment, timedelta())


async def create(
    ctx: Context,
    base: dict[str, Any],
    text: str,
    due: datetime,
    phrase: str,
    *,
    said: date | None = None,
) -> Task:
    now = ctx.now()
    task = Task(
        chat=ctx.chat.key,
        chat_kind=ctx.chat.kind.value,
        text=text,
        unit=base["unit"],
        assignees=base["members"],
        assignee_label=base["label"],
        by_id=ctx.person.id,
        by_name=ctx.person.name,
        phrase=phrase,
        due_at=due,
        state="open",
        level=0,
        created_at=now,
    )
    ctx.db.add(task)
    await ctx.db.flush()
    reply = await card(ctx, task)
    if said is not None:  # the day said is a day off: say so, and when it is due instead
        note = moved_note(group_t(ctx.app, task.chat), ctx.calendar, said, due, _today(ctx))
        reply = replace(reply, text=reply.text + "\n" + note)
    out = await ctx.send(reply)
    task.card_id = out.id
    config = settings(ctx.app)
    overdue_at = on_working_day(ctx, due)
    for index, before in enumerate(config.tasks.remind_before):
        at = on_working_day(ctx, due - work_time_plain(before))
        if now < at < overdue_at:
            await ctx.schedule(
                "task_remind",
                at=at,
                key=f"task:{task.id}:remind:{index}",
                chat=ctx.chat,
                payload={"task": task.id},
            )
    await ctx.schedule(
        "task_due",
        at=overdue_at,
        key=f"task:{task.id}:due",
        chat=ctx.chat,
        payload={"task": task.id},
    )
    return task


def _today(ctx: Context) -> date:
    return ctx.now().astimezone(ctx.calendar.tz).date()


def work_time_plain(text: str) -> timedelta:
    amount, unit = parse_duration(text)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
        unit, timedelta(minutes=amount)
    )


def members(task: Task) -> list[Member]:
    return [Member.from_json(m) for m in task.assignees]


def who(t: Translator, task: Task) -> str:
    """The assignee as the group should read it: ``住建局（@刘局长）``."""
    names = t(", ").join("@" + m.name for m in members(task))
    return t("{unit} ({names})", unit=task.assignee_label, names=names) if task.unit else names


async def card(ctx: Context, task: Task) -> Reply:
    t = group_t(ctx.app, task.chat)
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    lines = [
        t("📌 Task T-{id}: {text}", id=task.id, text=task.text),
        t("Assigned by {by} to {who}", by=task.by_name, who=who(t, task)),
        t("Deadline: {due}", due=due)
        + (t(" ({phrase})", phrase=task.phrase) if task.phrase else ""),
    ]
    platform = task.chat.partition(":")[0]
    if task.state == "done":
        lines.append(
            t(
                "✅ Done by {name} on {when}",
                name=task.done_by,
                when=when_label(t, aware(task.done_at or ctx.now()), ctx.calendar.tz),
            )
        )
        return Reply("\n".join(lines))
    reply = Reply("\n".join(lines), mentions=mentions(members(task), platform))
    return reply.with_buttons(Button(t("✅ Done"), data=Done(task.id).pack()))


async def finish(ctx: Context, task_id: int | None) -> None:
    """/done [T-n], or the card's button."""
    tasks = await _open_tasks(ctx, mine=True)
    if task_id is not None:
        task = await ctx.db.get(Task, task_id)
    elif len(tasks) == 1:
        task = tasks[0]
    elif tasks:
        buttons = [Button(f"T-{x.id} {x.text[:20]}", data=Done(x.id).pack()) for x in tasks]
        await ctx.reply(Reply(ctx.t("Which task is done?")).with_buttons(*buttons))
        return
    else:
        raise UsageError(ctx.t("You have no open task."))
    if task is None:
        raise UsageError(ctx.t("There is no task T-{id}.", id=task_id))
    if task.state == "done":
        await ctx.reply(ctx.t("Task T-{id} is already done.", id=task.id))
        return
    allowed = {m.id for m in members(task)} | {task.by_id}
    if ctx.person.id not in allowed and not ctx.person.is_admin:
        raise UsageError(
            ctx.t("Only the assignees of T-{id} or who assigned it can close it.", id=task.id)
        )
    late = task.state == "overdue"
    task.state, task.done_at, task.done_by = "done", ctx.now(), ctx.person.name
    if task.card_id is not None:
        await ctx.edit(task.card_id, await card(ctx, task))
    t = group_t(ctx.app, task.chat)
    text = t(
        "✅ Task T-{id} done: {text} ({name})", id=task.id, text=task.text, name=ctx.person.name
    )
    if late:
        text += t(" (after the deadline)")
    await ctx.send(text, chat=chat_of(task.chat, task.chat_kind))


async def _open_tasks(ctx: Context, *, mine: bool) -> list[Task]:
    rows = list(await ctx.db.scalars(select(Task).where(Task.state != "done").order_by(Task.id)))
    if mine:
        return [r for r in rows if any(m.id == ctx.person.id for m in members(r))]
    return [r for r in rows if r.chat == ctx.chat.key]


async def list_tasks(ctx: Context) -> None:
    tasks = await _open_tasks(ctx, mine=ctx.chat.is_direct)
    if not tasks:
        await ctx.reply(ctx.t("No open tasks."))
        return
    lines = [ctx.t("Open tasks:")]
    for task in tasks:
        due = due_label(ctx.t, aware(task.due_at), ctx.calendar.tz)
        mark = "⚠️ " if task.state == "overdue" else ""
        lines.append(f"{mark}T-{task.id} {task.text} — {task.assignee_label} — {due}")
    await ctx.reply("\n".join(lines))
