"""Tasks: ``/task @住建局 明天下班前完成现场整改`` assigns work with a deadline; the bot reminds
before it, and when it passes undone names the assignee in the group and escalates one level up
the chain of command (the units of ``org:``), then again after ``escalate_after`` of working
time, up to the top (逐级问责). ``/task`` sent as a reply takes the message it replies to along
(its text, photos, video). Reporting it done and signing it off: `task_signoff`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from qunzhu.core import (
    N_,
    Button,
    Context,
    Message,
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
from .reports import message_media, message_text
from .roster import Member, mentions, people
from .settings import group_t, settings
from .texts import when_label

__all__ = [
    "EXAMPLES",
    "assign",
    "create",
    "end_of_work",
    "card",
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
    base["material"] = await _material(ctx)
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
        await ctx.start_dialog("deadline", initial={**base, "due": deadline.to_json()})
        return
    await create(ctx, base, base["text"], deadline.due, deadline.phrase, said=deadline.said)


async def _material(ctx: Context) -> dict[str, Any]:
    """What ``/task`` replies to, taken along: {"event", "text", "attachments"}; {"missing": True}
    when the bot never received that message (said on the card, never dropped silently)."""
    message = ctx.message
    if message is None or not message.reply_to:
        return {}
    if await ctx.outgoing_for(message.reply_to) is not None:
        return {}  # a reply to the bot's own message: nothing to take along
    found = await ctx.recorded(message.reply_to)
    if not isinstance(found, Message):
        return {"event": message.reply_to, "missing": True}
    return {
        "event": found.event_id,
        "text": message_text(found),
        "attachments": message_media(found),
    }


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
        material=dict(base.get("material") or {}),
        created_at=now,
    )
    ctx.db.add(task)
    await ctx.db.flush()
    reply = await card(ctx, task)
    if task.material.get("event"):  # the card stands under the message it was given with
        reply = replace(reply, reply_to=task.material["event"])
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


def media_count(t: Translator, data: dict[str, Any]) -> str:
    """``（附 2 个图片/视频）`` for a report or material with photos or videos, else ""."""
    count = len(data.get("attachments") or ())
    return t(" ({count} photos/videos attached)", count=count) if count else ""


def _material_line(t: Translator, material: dict[str, Any]) -> str:
    if material.get("missing"):
        return t("(The message this task replies to never reached the bot: it is not attached.)")
    text = " ".join(str(material.get("text") or "").split())
    quoted = t("“{text}”", text=text[:60] + ("…" if len(text) > 60 else "")) if text else ""
    count = len(material.get("attachments") or ())
    media = t(" ({count} photos/videos)", count=count) if count else ""
    return t("With: {what}", what=quoted) + media


async def card(ctx: Context, task: Task) -> Reply:
    t = group_t(ctx.app, task.chat)
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    lines = [
        t("📌 Task T-{id}: {text}", id=task.id, text=task.text),
        t("Assigned by {by} to {who}", by=task.by_name, who=who(t, task)),
        t("Deadline: {due}", due=due)
        + (t(" ({phrase})", phrase=task.phrase) if task.phrase else ""),
    ]
    if task.material:
        lines.append(_material_line(t, task.material))
    platform = task.chat.partition(":")[0]
    if task.state == "done":
        when = when_label(t, aware(task.done_at or ctx.now()), ctx.calendar.tz)
        if task.accepted_by and task.accepted_by != task.done_by:
            line = t(
                "✅ Done by {name} on {when}, signed off by {by}",
                name=task.done_by,
                when=when,
                by=task.accepted_by,
            )
        else:
            line = t("✅ Done by {name} on {when}", name=task.done_by, when=when)
        lines.append(line)
        return Reply("\n".join(lines))
    if task.state == "reported":
        lines.append(
            t(
                "📝 Reported done by {name}: waiting for {by} to sign it off",
                name=task.done_by,
                by=task.by_name,
            )
        )
        return Reply("\n".join(lines))
    reply = Reply("\n".join(lines), mentions=mentions(members(task), platform))
    return reply.with_buttons(Button(t("✅ Done"), data=Done(task.id).pack()))
