"""Asking a person for a deadline, the same way in every plugin: a task's (check-ins), the
leader's when he routes a problem (complaints desk, and its web page).

`read_deadline` reads what the person typed (`find_deadline` on the working calendar) and refuses
what cannot be read ("请这样写期限：…", with the caller's examples) or has passed ("… 已经过去，
请给一个还没到的期限。"). A doubtful reading (`Deadline.doubt`) is never used silently:
`ask_deadline_back` asks it back, "“3点前”：您是指 11月20日（周五） 15:00 吗？", preceded by why
when the day said is a day off ("10月3日（周六）是国庆假期。").

`deadline_steps` are the three dialog steps that do it: the deadline (skipped when the dialog
starts with one already read, such as the words of ``/task``), 是 / 换一个时间 when the reading
is doubtful, and another time, taken as read (the person saw the first reading);
`chosen_deadline` is the reading the person settled on.

A reading is kept in the dialog's answers as `Deadline.to_json` gives it: ``due`` (ISO),
``phrase``, ``said`` (the day off named, ISO, or None), ``doubt`` (None when clear). The texts
are the core's (``t.core``): the same words wherever a deadline is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from qunzhu.core.dialogs._spec import Choice, Expect, Question, Step
from qunzhu.core.errors import UsageError
from qunzhu.core.i18n._catalogs import N_
from qunzhu.core.scheduling._deadline import find_deadline
from qunzhu.core.scheduling._deadline_days import day_off_note, due_label

if TYPE_CHECKING:
    from qunzhu.core.context import Context

__all__ = ["ask_deadline_back", "chosen_deadline", "deadline_steps", "read_deadline"]

#: The answers of the confirming step (是 / 换一个时间).
_YES, _OTHER = "yes", "other"


def work_ends(ctx: Context) -> time:
    """The end of the working day ("下班"): the end of the calendar's last working period
    (23:59 for a calendar that works until midnight)."""
    last = ctx.calendar.hours[-1][1]
    return time(23, 59) if last == time.max else last


def read_deadline(
    ctx: Context, text: Any, *, examples: str, end_of_work: time | None = None
) -> dict[str, Any]:
    """The deadline in `text` as a dialog keeps it (``doubt`` set when it must be asked back).

    `UsageError` when there is none (the message shows `examples`, a message id of the caller's
    catalog) or when it has passed. A day without a time means `end_of_work` (by default the
    end of the calendar's working day)."""
    now = ctx.now()
    until = end_of_work or work_ends(ctx)
    found = find_deadline(str(text or ""), now, ctx.calendar.tz, ctx.calendar, until)
    if found is None:
        raise UsageError(
            ctx.t.core("Please write the deadline like this: {examples}", examples=ctx.t(examples))
        )
    if found.due <= now:
        raise UsageError(
            ctx.t.core(
                "{when} has passed; please give a deadline still ahead.",
                when=due_label(ctx.t, found.due, ctx.calendar.tz),
            )
        )
    return found.to_json()


def ask_deadline_back(ctx: Context, reading: dict[str, Any]) -> str:
    """``“3点前”：您是指 11月20日（周五） 15:00 吗？``, after why when the day said is a day off
    (``10月3日（周六）是国庆假期。``)."""
    moment = datetime.fromisoformat(reading["due"])
    question = ctx.t.core(
        "“{phrase}”: do you mean {when}?",
        phrase=reading["phrase"],
        when=due_label(ctx.t, moment, ctx.calendar.tz),
    )
    if not reading.get("said"):
        return question
    today = ctx.now().astimezone(ctx.calendar.tz).date()
    why = day_off_note(ctx.t, ctx.calendar, date.fromisoformat(reading["said"]), today)
    return why + "\n" + question


def chosen_deadline(answers: dict[str, Any], key: str = "due") -> dict[str, Any]:
    """The reading the person settled on in `deadline_steps`: the first, unless it was doubtful
    and he gave another time."""
    if _doubtful(answers, key) and answers.get(f"{key}_ok") != _YES:
        return dict(answers[f"{key}_again"])
    return dict(answers[key])


def deadline_steps(
    question: Question,
    *,
    examples: str,
    again: Question | None = None,
    end_of_work: Callable[[Context], time] = work_ends,
    key: str = "due",
) -> tuple[Step, Step, Step]:
    """The steps that ask for a deadline: `key` (`question`; skipped when the dialog starts
    with a reading under `key`, which may be doubtful), ``{key}_ok`` (是 / 换一个时间, when the
    reading is doubtful), ``{key}_again`` (`again`, by default `question`: taken as read).
    `examples` is a message id of the plugin's catalog, shown when a deadline cannot be read;
    `end_of_work(ctx)` is what a day without a time means."""

    def first(ctx: Context, value: Any) -> dict[str, Any]:
        return read_deadline(ctx, value, examples=examples, end_of_work=end_of_work(ctx))

    def second(ctx: Context, value: Any) -> dict[str, Any]:
        return {**first(ctx, value), "doubt": None}

    def confirm(ctx: Context, answers: dict[str, Any]) -> str:
        return ask_deadline_back(ctx, answers[key])

    return (
        Step(key, question, validate=first, when=lambda answers: key not in answers),
        Step(
            f"{key}_ok",
            confirm,
            Expect.CHOICE,
            (Choice(N_("Yes"), _YES), Choice(N_("Another time"), _OTHER)),
            when=lambda answers: _doubtful(answers, key),
        ),
        Step(
            f"{key}_again",
            again or question,
            validate=second,
            when=lambda answers: _doubtful(answers, key) and answers.get(f"{key}_ok") != _YES,
        ),
    )


def _doubtful(answers: dict[str, Any], key: str) -> bool:
    return bool((answers.get(key) or {}).get("doubt"))
