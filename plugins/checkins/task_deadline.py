"""A task's deadline asked for, or asked back, with the core's `deadline_steps`: "您是指
10月8日（周四） 17:30 吗？" with 是 / 换一个时间 when the reading is in doubt (`Deadline.doubt`),
"期限是什么时候？" with examples in the reader's language when no deadline could be read. Never
guessed silently."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qunzhu.core import Context, Dialog, chosen_deadline, deadline_steps

from .tasks import EXAMPLES, create, end_of_work

__all__ = ["DEADLINE_DIALOG"]


def _by_when(ctx: Context, answers: dict[str, Any]) -> str:
    return ctx.t("By when? For example: {examples}", examples=ctx.t(EXAMPLES))


async def _deadline_given(ctx: Context, answers: dict[str, Any]) -> None:
    chosen = chosen_deadline(answers)
    said = date.fromisoformat(chosen["said"]) if chosen.get("said") else None
    due = datetime.fromisoformat(chosen["due"])
    await create(ctx, answers, answers["text"], due, chosen["phrase"], said=said)


DEADLINE_DIALOG = Dialog(
    "deadline",
    deadline_steps(_by_when, examples=EXAMPLES, end_of_work=end_of_work),
    on_done=_deadline_given,
)
