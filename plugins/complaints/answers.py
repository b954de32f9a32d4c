"""The reporter's own words for "问题解决了吗？": a 👍 typed or as a reaction, "谢谢，已经清理干净
了", "解决了", "好了" mean solved; "还没有", "没解决", "还在" mean not solved (the ticket reopens as
with the 未解决 button). An answer that says neither, or both ("解决了一半，还在漏"), is asked
back with the buttons: never a silent misreading.

The question stays open for the reporter in the chat where it was asked (a `Pending` of kind
``question``) while the ticket waits for the answer. Meanwhile a message of theirs there is read
as the answer first: in a private chat, or in reply to the question, whatever it says; in a
group, without a reply, only when it clearly says yes or no (other chatter goes on as usual).
An answer read here never starts a new report nor a "登记为问题" offer.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from qunzhu.core import Button, Context, Message, Reaction, Reply

from .buttons import Feedback
from .models import Pending, Ticket
from .report import media_of
from .states import Status

__all__ = ["QUESTION", "answer_reaction", "answer_typed", "remember_question", "understand"]

#: The kind of `Pending` that marks an open "问题解决了吗？".
QUESTION = "question"

_THUMBS_UP = ("👍", "👌", "🙏")
_THUMBS_DOWN = ("👎",)
#: Words that say "not solved" (read before the words for "solved", which they may contain).
_NO = re.compile(
    r"还没|還沒|没解决|沒解決|未解决|未解決|没有解决|沒有解決|没处理|沒處理|没弄好|沒弄好|没修|沒修"
    r"|没好|沒好|还在|還在|还是没|還是沒|依然|仍然|照旧|照舊|不行|没清理|沒清理|没人来|沒人來"
    r"|not solved|not fixed|still",
    re.IGNORECASE,
)
_YES = re.compile(
    r"解决了|解決了|已解决|已解決|好了|修好|弄好|清理干净|清理乾淨|干净了|乾淨了|处理好|處理好"
    r"|谢谢|謝謝|感谢|感謝|多谢|多謝|辛苦|满意|滿意|可以了|没问题|沒問題|搞定"
    r"|solved|fixed|thank",
    re.IGNORECASE,
)
#: Short answers that mean something only on their own ("没有" alone is a no; "是" a yes).
_ALONE_NO = {"没有", "沒有", "没", "沒", "否", "不是", "不", "no", "nope", "n"}
_ALONE_YES = {"是", "是的", "对", "對", "嗯", "嗯嗯", "好", "好的", "行", "ok", "okay", "yes", "y"}
_PUNCTUATION = re.compile(r"[\s，。！？、,.!?~～…]+")


def understand(text: str) -> str | None:
    """``yes``, ``no``, or None (neither, or both) for a typed answer to "问题解决了吗？"."""
    words = text.strip()
    bare = _PUNCTUATION.sub("", words).casefold()
    if not bare:
        return None
    up = any(mark in bare for mark in _THUMBS_UP)
    down = any(mark in bare for mark in _THUMBS_DOWN)
    if bare in _ALONE_NO:
        return "no"
    if bare in _ALONE_YES:
        return "yes"
    no = down or _NO.search(words) is not None
    yes = up or _YES.search(_NO.sub("", words)) is not None
    if yes == no:
        return None
    return "yes" if yes else "no"


def remember_question(
    ticket: Ticket, chat: str, user_key: str, message_id: int, now: datetime
) -> Pending:
    """The open question to `user_key` in `chat` about `ticket`, asked in message `message_id`
    (an outbox id)."""
    return Pending(
        kind=QUESTION,
        created_at=now,
        source=f"{chat} {user_key}",
        report={},
        ticket_id=ticket.id,
        message_id=message_id,
    )


async def _open_question(ctx: Context) -> tuple[Pending, Ticket] | None:
    """The sender's latest question still waiting for an answer in this chat."""
    asked = (
        await ctx.db.scalars(
            select(Pending)
            .where(Pending.kind == QUESTION, Pending.source == f"{ctx.chat.key} {ctx.sender.key}")
            .order_by(Pending.id.desc())
            .limit(5)
        )
    ).all()
    for question in asked:
        ticket = await ctx.db.get(Ticket, question.ticket_id) if question.ticket_id else None
        if ticket is not None and ticket.status == Status.RESOLVED and ticket.feedback is None:
            return question, ticket
    return None


async def answer_typed(ctx: Context, message: Message, *, unclear: bool = False) -> bool:
    """Read `message` as the sender's answer to an open "问题解决了吗？"; whether it was one
    (then nothing else reads it). An answer is read before the other plugins: a reply to the
    question, or words that say yes or no. With `unclear`, after them (when none took the
    message): a private message that says neither, which is asked back about."""
    found = await _open_question(ctx)
    if found is None or message.edited:
        return False
    question, ticket = found
    to_question = False
    if message.reply_to is not None:
        target = await ctx.outgoing_for(message.reply_to)
        if target is None or target != question.message_id:
            return False  # a reply to something else is about that
        to_question = True
    meaning = understand(message.text)
    if meaning is None:
        asked = _asked_back(ctx, message, to_question=to_question, unclear=unclear)
        if asked:
            await ctx.reply(_ask_back(ctx, ticket))
        return asked
    if unclear:
        return False  # read first, already
    from .actions import on_feedback

    await on_feedback(ctx, ticket.id, meaning)
    return True


def _asked_back(ctx: Context, message: Message, *, to_question: bool, unclear: bool) -> bool:
    """Whether words that say neither yes nor no are asked back about now: a reply to the
    question first, a private message last. A photo is kept as photos are (`media`), not
    asked about here; the reporter's chatter in a group is not the answer."""
    if to_question:
        return not unclear
    return unclear and ctx.chat.is_direct and not media_of(message)


async def answer_reaction(ctx: Context, reaction: Reaction) -> None:
    """A 👍 (or 👎) on the question itself answers it."""
    if reaction.removed:
        return
    found = await _open_question(ctx)
    if found is None:
        return
    question, ticket = found
    if await ctx.outgoing_for(reaction.target_id) != question.message_id:
        return
    key = reaction.key
    if key.startswith(_THUMBS_UP):
        meaning = "yes"
    elif key.startswith(_THUMBS_DOWN):
        meaning = "no"
    else:
        await ctx.send(_ask_back(ctx, ticket))
        return
    from .actions import on_feedback

    await on_feedback(ctx, ticket.id, meaning)


def _ask_back(ctx: Context, ticket: Ticket) -> Reply:
    text = ctx.t(
        "Sorry, I am not sure: is the problem of {number} solved? Please press one of the buttons.",
        number=ticket.number,
    )
    return Reply(text).with_buttons(
        [
            Button(ctx.t("Solved"), data=Feedback(ticket.id, "yes").pack()),
            Button(ctx.t("Not solved"), data=Feedback(ticket.id, "no").pack()),
        ]
    )
