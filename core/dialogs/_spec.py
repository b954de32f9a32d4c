"""Multi-step dialogs: ask one question at a time, check the answer's type, remember the answers.

A plugin declares a `Dialog` (a name, `Step`s, and ``on_done``) in `register_dialogs` and starts it
with ``await ctx.start_dialog("report")``. The state (step, answers) lives in SQL keyed by
(platform, chat, user), written in the same transaction as the handler's own work, so a dialog
interrupted by a restart resumes where it was. A dialog ends when answered, when the person sends
``/cancel`` or presses Cancel, or after ``dialogs.timeout`` seconds without an answer.

Every question has a Cancel button (and Skip when the step is optional). Text and number
questions, and location questions that accept a typed address, are sent with
`Reply.typed_answer`: on the console and Matrix, where buttons are a numbered list, a bare ``2``
then answers the question instead of pressing button 2, and typing a button's label (``取消``)
presses it. Choice, photo and location-only questions keep their numbered buttons.

Answers handed to ``on_done``: text → str; number → int or float; choice → the choice's value;
photo → tuple of `Attachment` (the photos); media → tuple of `Attachment` (photos and videos);
location → `Location` (or the typed text when the step
accepts a typed address); a skipped optional step → None.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Choice", "Dialog", "Expect", "Step"]


class Expect(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    PHOTO = "photo"
    MEDIA = "media"  # photos or videos
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class Choice:
    """A button of a choice step: `label` is a message id in the plugin's catalog."""

    label: str
    value: str


Question = str | Callable[[Any, dict[str, Any]], str]
Choices = Sequence[Choice] | Callable[[Any, dict[str, Any]], Sequence[Choice]]
Validator = Callable[[Any, Any], Any] | Callable[[Any, Any, dict[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One question.

    ``question`` is a message id (translated, formatted with the answers so far) or a function
    ``(ctx, answers) -> str``. ``validate(ctx, value)``, or ``validate(ctx, value, answers)``
    when it needs the answers so far (a function, or a coroutine function that may look things
    up in ``ctx.db``), may return a changed value or raise `UsageError` with a message for the
    person; the question is then asked again. When a validator or ``on_done`` fails otherwise,
    the answer is undone, the person is told so in their language and the step is asked again.
    ``when(answers)`` returning False skips the step. A text step may offer `choices` as
    shortcuts: pressing one answers with its value, and anything typed is taken as text.
    """

    key: str
    question: Question
    expect: Expect = Expect.TEXT
    choices: Choices = ()
    optional: bool = False
    allow_address: bool = False
    validate: Validator | None = None
    when: Callable[[dict[str, Any]], bool] | None = None


@dataclass(frozen=True, slots=True)
class Dialog:
    """A named sequence of steps and what to do with the answers."""

    name: str
    steps: tuple[Step, ...]
    on_done: Callable[[Any, dict[str, Any]], Awaitable[None]]
    on_cancel: Callable[[Any, dict[str, Any]], Awaitable[None]] | None = None
    timeout: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: The key of a photo (or media) step that keeps every photo (and video) the person sends
    #: while the dialog is open: people send a second picture when they are asked for the place.
    #: One sent at another step is added there instead of being taken as that step's answer
    #: (a caption would be read as the place), the person is told how many there are, and the
    #: step is asked again; the photo step itself adds to what was gathered before.
    gather: str | None = None


def to_json(value: Any) -> Any:
    """Make an answer storable as JSON (dataclasses become tagged dicts)."""
    from qunzhu.core.model._events import Attachment, Location

    if isinstance(value, tuple) and value and isinstance(value[0], Attachment):
        return {"__photos__": [asdict(a) for a in value]}
    if isinstance(value, Location):
        return {"__location__": asdict(value)}
    return value


def from_json(value: Any) -> Any:
    from qunzhu.core.model._events import Attachment, AttachmentKind, Location

    if isinstance(value, dict) and "__photos__" in value:
        return tuple(
            Attachment(**{**a, "kind": AttachmentKind(a["kind"])}) for a in value["__photos__"]
        )
    if isinstance(value, dict) and "__location__" in value:
        return Location(**value["__location__"])
    return value
