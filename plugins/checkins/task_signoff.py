"""Done means done, and signed off: an assignee reports a task done with its evidence (the text,
photos and video of a reply to the task, or ``/done T-1 说明``); the assigner, or a head of the
unit above in ``org:``, accepts it (done) or gives it back with a reason (open again: the assignees
are told in the group and privately). Only the assignees or the assigner may report a task; when
the assigner reports it, it is done at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qunzhu.core import Button, Context, Person, Reply, UsageError, UserRef, aware, due_label

from .buttons import Accept, Done, GiveBack
from .models import Task
from .roster import Member, mentions, people
from .settings import chat_of, group_t, person_t, settings
from .tasks import card, media_count, members, who, work_time

__all__ = [
    "accept",
    "finish",
    "give_back",
    "may_report",
    "may_sign",
    "report_done",
    "signers",
]


def may_report(ctx: Context, task: Task) -> bool:
    """The assignees and the assigner (and administrators) may report a task done."""
    allowed = {m.id for m in members(task)} | {task.by_id}
    return ctx.person.id in allowed or ctx.person.is_admin


async def signers(ctx: Context, task: Task) -> list[Person]:
    """Who may sign a report off: the assigner, and the head of the unit above the assignee's
    (all its people when it names no head)."""
    from .escalation import chain  # it imports the tasks' modules

    found: list[Person] = []
    assigner = await ctx.app.people.get(task.by_id)
    if assigner is not None:
        found.append(assigner)
    above = await chain(ctx, task)
    if above:
        unit = above[0]
        entries = [unit.head] if unit.head else list(unit.people_entries())
        found += [p for p in await people(ctx.app, entries) if p.id not in {f.id for f in found}]
    return found


async def may_sign(ctx: Context, task: Task) -> bool:
    if ctx.person.is_admin:
        return True
    return ctx.person.id in {p.id for p in await signers(ctx, task)}


def _merged(task: Task, evidence: dict[str, Any], name: str, now: str) -> dict[str, Any]:
    """The report: a second one while waiting for sign-off adds to the first."""
    before = task.report if task.state == "reported" else {}
    texts = [str(x) for x in (before.get("text"), evidence.get("text")) if x]
    return {
        "text": "\n".join(texts),
        "attachments": [*(before.get("attachments") or ()), *(evidence.get("attachments") or ())],
        "by": name,
        "at": before.get("at") or now,
    }


async def report_done(ctx: Context, task: Task, evidence: dict[str, Any]) -> None:
    """`ctx.person` says `task` is done, with `evidence` ({"text", "attachments"})."""
    if task.state == "done":
        await ctx.reply(ctx.t("Task T-{id} is already done.", id=task.id))
        return
    if not may_report(ctx, task):
        raise UsageError(
            ctx.t("Only the assignees of T-{id} or who assigned it can report it done.", id=task.id)
        )
    now = ctx.now()
    task.report = _merged(task, evidence, ctx.person.name, now.isoformat())
    task.done_by, task.pending = ctx.person.name, {}
    if ctx.person.id == task.by_id and ctx.person.id not in {m.id for m in members(task)}:
        await _close(ctx, task, ctx.person.name)  # the assigner says so: nobody else signs off
        return
    again = task.state == "reported" and task.signoff_id is not None
    task.state = "reported"
    if task.card_id is not None:
        await ctx.edit(task.card_id, await card(ctx, task))
    request = await _request(ctx, task)
    here = ctx.chat.key == task.chat
    if again and task.signoff_id is not None:
        await ctx.edit(task.signoff_id, request)
        await ctx.reply(ctx.t("Added to your report on T-{id}; it waits for sign-off.", id=task.id))
        return
    chat = chat_of(task.chat, task.chat_kind)
    out = await (ctx.reply(request) if here else ctx.send(request, chat=chat))
    task.signoff_id = out.id
    task.messages = [*task.messages, out.id]
    if not here:
        await ctx.reply(
            ctx.t(
                "Reported: T-{id} ({text}) waits for {by} to sign it off.",
                id=task.id,
                text=task.text,
                by=task.by_name,
            )
        )


async def _request(ctx: Context, task: Task) -> Reply:
    """The request for sign-off, in the group: what was reported, and two buttons."""
    t = group_t(ctx.app, task.chat)
    report = task.report
    lines = [
        t(
            "📝 Task T-{id} ({text}): {name} reports it done.",
            id=task.id,
            text=task.text,
            name=report.get("by") or task.done_by,
        )
    ]
    if report.get("text"):
        lines.append(t("Note: {text}", text=report["text"]))
    if report.get("attachments"):
        lines.append(media_count(t, report).strip())
    signer = await ctx.app.people.get(task.by_id)
    lines.append(
        t(
            "@{by}, please sign it off: press a button, or reply “同意” or “退回 and the reason”.",
            by=task.by_name,
        )
    )
    platform = task.chat.partition(":")[0]
    tagged = mentions([Member.of(signer)], platform) if signer is not None else ()
    return Reply("\n".join(lines), mentions=tagged).with_buttons(
        Button(t("✅ Accept"), data=Accept(task.id).pack()),
        Button(t("↩️ Give back"), data=GiveBack(task.id).pack()),
    )


async def _check_signer(ctx: Context, task: Task) -> bool:
    """Whether `ctx.person` may sign `task` off now; says why not."""
    if task.state == "done":
        await ctx.reply(ctx.t("Task T-{id} is already done.", id=task.id))
        return False
    if task.state != "reported":
        await ctx.reply(ctx.t("Task T-{id} has not been reported done.", id=task.id))
        return False
    if not await may_sign(ctx, task):
        raise UsageError(
            ctx.t(
                "Only {by}, who assigned T-{id}, or the head of the unit above can sign it off.",
                by=task.by_name,
                id=task.id,
            )
        )
    return True


async def accept(ctx: Context, task: Task) -> None:
    """The ✅ button, or a reply “同意” to the request: the task is done."""
    if await _check_signer(ctx, task):
        await _close(ctx, task, ctx.person.name)


async def _close(ctx: Context, task: Task, signer: str) -> None:
    t = group_t(ctx.app, task.chat)
    reported_at = str(task.report.get("at") or ctx.now().isoformat())
    done_at = datetime.fromisoformat(reported_at)
    late = done_at > aware(task.due_at)
    task.state, task.done_at, task.accepted_by = "done", done_at, signer
    if task.card_id is not None:
        await ctx.edit(task.card_id, await card(ctx, task))
    if task.signoff_id is not None:
        outcome = t("✅ Signed off by {by}", by=signer)
        await ctx.edit(task.signoff_id, await _request_closed(ctx, task, outcome))
    if signer == task.done_by:
        text = t("✅ Task T-{id} done: {text} ({name})", id=task.id, text=task.text, name=signer)
    else:
        text = t(
            "✅ Task T-{id} done: {text} (reported by {name}, signed off by {by})",
            id=task.id,
            text=task.text,
            name=task.done_by,
            by=signer,
        )
    if late:
        text += t(" (after the deadline)")
    await ctx.send(text, chat=chat_of(task.chat, task.chat_kind))


async def _request_closed(ctx: Context, task: Task, outcome: str) -> Reply:
    request = await _request(ctx, task)
    lines = request.text.splitlines()[:-1] + [outcome]
    return Reply("\n".join(lines))


async def give_back(ctx: Context, task: Task, reason: str) -> None:
    """↩️ with a reason: the task is open again; the assignees are told, in the group and each
    in private."""
    if not await _check_signer(ctx, task):
        return
    now = ctx.now()
    t = group_t(ctx.app, task.chat)
    if task.signoff_id is not None:
        outcome = t("↩️ Given back by {by}: {reason}", by=ctx.person.name, reason=reason)
        await ctx.edit(task.signoff_id, await _request_closed(ctx, task, outcome))
    task.returns = [
        *task.returns,
        {"by": ctx.person.name, "reason": reason, "at": now.isoformat(), "report": task.report},
    ]
    task.report, task.signoff_id, task.done_by = {}, None, ""
    late = now >= aware(task.due_at)
    task.state = "overdue" if late else "open"
    if task.card_id is not None:
        await ctx.edit(task.card_id, await card(ctx, task))
    due = due_label(t, aware(task.due_at), ctx.calendar.tz)
    text = t(
        "↩️ Task T-{id} ({text}) was given back by {by}: {reason}\n"
        "{who}, please carry on; the deadline is {due}.",
        id=task.id,
        text=task.text,
        by=ctx.person.name,
        reason=reason,
        who=who(t, task),
        due=due,
    )
    platform = task.chat.partition(":")[0]
    chat = chat_of(task.chat, task.chat_kind)
    await ctx.send(Reply(text, mentions=mentions(members(task), platform)), chat=chat)
    await _tell_assignees(ctx, task, reason)
    if late:  # the overdue notice may have been held while it waited: the chain goes on
        at = ctx.calendar.add_work_time(now, work_time(ctx, settings(ctx.app).tasks.escalate_after))
        await ctx.schedule(
            "task_escalate",
            at=at,
            key=f"task:{task.id}:escalate:{task.level}:back{len(task.returns)}",
            chat=chat,
            payload={"task": task.id},
        )


async def _tell_assignees(ctx: Context, task: Task, reason: str) -> None:
    platform = task.chat.partition(":")[0]
    for member in members(task):
        person = await ctx.app.people.get(member.id)
        identity = next((i for i in member.identities if i.startswith(f"{platform}:")), None)
        if person is None or identity is None:
            continue
        user = UserRef(platform, identity.partition(":")[2], member.name)
        if not await ctx.can_write_privately(user):
            continue  # they are named in the group
        t = person_t(ctx.app, person)
        text = t(
            "↩️ {by} gave back your task T-{id} ({text}): {reason}\n"
            "When it is done, reply to the task in the group, or send /done T-{id} and a few "
            "words.",
            by=ctx.person.name,
            id=task.id,
            text=task.text,
            reason=reason,
        )
        await ctx.send_direct(user, text)


async def finish(ctx: Context, task_id: int | None, note: str = "") -> None:
    """/done [T-n] [words], or the card's ✅ button: reported done, with the words as evidence."""
    from .task_list import open_tasks

    if task_id is None:
        mine = await open_tasks(ctx, owed=True)
        if len(mine) > 1:
            buttons = [Button(f"T-{x.id} {x.text[:20]}", data=Done(x.id).pack()) for x in mine]
            await ctx.reply(Reply(ctx.t("Which task is done?")).with_buttons(*buttons))
            return
        if not mine:
            raise UsageError(ctx.t("You have no open task."))
        task: Task | None = mine[0]
    else:
        task = await ctx.db.get(Task, task_id)
    if task is None:
        raise UsageError(ctx.t("There is no task T-{id}.", id=task_id))
    await report_done(ctx, task, {"text": note.strip(), "attachments": []})
