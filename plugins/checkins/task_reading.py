"""Messages about tasks, as people write them: a reply to a task's card or reminder saying it is
done ("已落实，请书记审阅", a video, a photo), a message in the group that says so without a reply
("报告书记：塌方已清理完毕" on a video), and the assigner's reply to a request for sign-off
("同意", "退回 视频看不清"). A photo or video in reply to a task without such words is asked about
("这是任务 T-1 的完成报告吗？"), never taken silently; 退回 without a reason asks for one."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from qunzhu.core import Button, Context, Dialog, Message, Reply, Step, UsageError

from .buttons import IsDone
from .campaigns import every
from .models import Task
from .reports import message_media, message_text
from .task_list import open_tasks
from .task_signoff import accept, give_back, may_report, may_sign, report_done

__all__ = ["RETURN_DIALOG", "answer_is_done", "ask_reason", "read_task_message"]

#: Words that say a task is done (a reply to the task, or a short message of an assignee), in
#: simplified and traditional characters.
DONE_WORDS = re.compile(
    r"已落[实實]|落[实實]了|已完成|完成了|已[办辦][结結]|[办辦][结結]了|[办辦]完了|[办辦]好了|搞定|已[处處]理|"
    r"[处處]理好了|已清理|已整改|整改到位|已到位|已修[复復]|"
    r"(清理|[处處]理|[处處]置|整改|落[实實]|[办辦]理|修[复復]|[抢搶]修|施工|排查|清[运運])"
    r"(完[毕畢]|完成|好了)|\bdone\b|\bfinished\b",
    re.IGNORECASE,
)  # not a bare 完毕: "…汇报完毕" ends a spoken report
_ACCEPT = re.compile(r"^\s*(同意|通[过過]|[验驗]收通[过過]|可以|好的|ok|accept)", re.IGNORECASE)
_RETURN = re.compile(
    r"^\s*(退回|驳回|駁回|打回|不行|不合格|重做|返工|give back)[\s:：,，。]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
#: A message not replying to the task is read as its report only when this short (or with media).
_SHORT = 60


async def _task_of_message(ctx: Context, outgoing: int) -> Task | None:
    """The task whose card, request for sign-off, reminder or notice is `outgoing`."""
    found = await ctx.db.scalar(
        select(Task).where(
            Task.chat == ctx.chat.key,
            or_(Task.card_id == outgoing, Task.signoff_id == outgoing),
        )
    )
    if found is not None:
        return found
    rows = await ctx.db.scalars(
        select(Task).where(Task.chat == ctx.chat.key, Task.state != "done").order_by(Task.id)
    )
    return next((task for task in rows if outgoing in (task.messages or ())), None)


def _evidence(message: Message) -> dict[str, Any]:
    return {"text": message_text(message).strip(), "attachments": message_media(message)}


async def read_task_message(ctx: Context) -> bool:
    """Whether the message was about a task (and was answered); False leaves it to the others."""
    message = ctx.message
    if message is None or message.edited:
        return False
    text = message_text(message)
    if message.reply_to:  # about a task only when it replies to one of the task's messages
        target = await ctx.outgoing_for(message.reply_to)
        task = await _task_of_message(ctx, target) if target is not None else None
        if task is None or target is None:
            return False
        return await _reply_to_task(ctx, task, target, message, text)
    if ctx.chat.is_direct or not DONE_WORDS.search(text):
        return False
    # a long message (a weekly report) that mentions work done is not a task's report
    return (len(text) <= _SHORT or bool(message_media(message))) and await _unreplied(ctx, message)


async def _unreplied(ctx: Context, message: Message) -> bool:
    """A short message (or media) saying it is done, not replying to the task: the sender's one
    open task in this group; with several, they are told how to say which. A message with a
    check-in's tag (#周报 …) is a check-in report, not a task's."""
    text = message_text(message)
    tags = {c.tag for c in await every(ctx.app, ctx.db, chat=ctx.chat.key)}
    if any(tag and tag in text for tag in tags):
        return False
    mine = await open_tasks(ctx, owed=True)
    mine = [x for x in mine if x.chat == ctx.chat.key and x.state != "reported"]
    if len(mine) == 1:
        await report_done(ctx, mine[0], _evidence(message))
    elif mine:
        numbers = ctx.t(", ").join(f"T-{x.id}" for x in mine)
        await ctx.reply(
            ctx.t(
                "You have several open tasks ({numbers}): reply to the task's card, or send "
                "/done T-{id} and a few words.",
                numbers=numbers,
                id=mine[0].id,
            )
        )
    return bool(mine)


async def _reply_to_task(
    ctx: Context, task: Task, target: int, message: Message, text: str
) -> bool:
    if target == task.signoff_id and task.state == "reported" and await may_sign(ctx, task):
        return await _signed_by_reply(ctx, task, text)
    said_done = DONE_WORDS.search(text) is not None
    if not said_done and not message_media(message):
        return False  # "收到", "好的": not a report
    if not may_report(ctx, task):
        if said_done:
            raise UsageError(
                ctx.t(
                    "Only the assignees of T-{id} or who assigned it can report it done.",
                    id=task.id,
                )
            )
        return False
    if said_done or task.state == "done":
        await report_done(ctx, task, _evidence(message))  # (says when it is done already)
        return True
    task.pending = {**_evidence(message), "person": ctx.person.id}
    question = ctx.t(
        "Is this the report that task T-{id} ({text}) is done?", id=task.id, text=task.text
    )
    await ctx.reply(
        Reply(question).with_buttons(
            Button(ctx.t("Yes, it is done"), data=IsDone(task.id, True).pack()),
            Button(ctx.t("No"), data=IsDone(task.id, False).pack()),
        )
    )
    return True


async def _signed_by_reply(ctx: Context, task: Task, text: str) -> bool:
    """The assigner's reply to the request for sign-off: 同意, or 退回 and the reason."""
    if _ACCEPT.match(text):
        await accept(ctx, task)
        return True
    back = _RETURN.match(text)
    if back is None:
        return False
    reason = back.group(2).strip()
    if reason:
        await give_back(ctx, task, reason)
    else:
        await ask_reason(ctx, task)
    return True


async def answer_is_done(ctx: Context, pressed: IsDone) -> None:
    """是 / 不是 under the question about a photo or video sent in reply to a task."""
    task = await ctx.db.get(Task, pressed.task)
    if task is None or not task.pending:
        await ctx.reply(ctx.t("This question has already been answered."))
        return
    if int(task.pending.get("person", 0)) != ctx.person.id:
        raise UsageError(ctx.t("Only who sent it can answer."))
    if not pressed.yes:
        task.pending = {}
        await ctx.reply(
            ctx.t("All right: it is not taken as the report that T-{id} is done.", id=task.id)
        )
        return
    await report_done(ctx, task, task.pending)


async def ask_reason(ctx: Context, task: Task) -> None:
    """↩️ pressed, or 退回 replied without a reason: ask for it in a short dialog."""
    if task.state != "reported":
        await ctx.reply(ctx.t("Task T-{id} has not been reported done.", id=task.id))
        return
    if not await may_sign(ctx, task):
        raise UsageError(
            ctx.t(
                "Only {by}, who assigned T-{id}, or the head of the unit above can sign it off.",
                by=task.by_name,
                id=task.id,
            )
        )
    await ctx.start_dialog("task_return", initial={"task": task.id})


def _why(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t("Why is T-{id} given back? Write the reason in a few words.", id=answers["task"])


def _reason(ctx: Context, value: str) -> str:
    if not value.strip():
        raise UsageError(ctx.t("Write the reason in a few words."))
    return value.strip()


async def _given_back(ctx: Context, answers: dict[str, Any]) -> None:
    task = await ctx.db.get(Task, int(answers["task"]))
    if task is not None:
        await give_back(ctx, task, answers["reason"])


RETURN_DIALOG = Dialog(
    "task_return",
    (Step("reason", _why, validate=_reason),),
    on_done=_given_back,
)
