"""Reading a person's message or button press as the answer to a dialog's step: text, a number,
a choice, photos or media, a location (or a typed address); `Reask` when it is not one, with what
to say. Also the photos a message brings to a dialog that gathers them (`Dialog.gather`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qunzhu.core.dialogs._spec import Dialog, Expect, Step
from qunzhu.core.model._events import (
    AttachmentKind,
    ButtonPress,
    Event,
    Message,
)

if TYPE_CHECKING:
    from qunzhu.core.context import Context

__all__ = ["DIALOG_PREFIX", "Reask", "choices_of", "gathered", "parse_answer"]

DIALOG_PREFIX = "dlg:"
_MEDIA = (AttachmentKind.PHOTO, AttachmentKind.VIDEO)
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


class Reask(Exception):
    """Not an answer to the step: say `hint` and ask again."""

    def __init__(self, hint: str) -> None:
        self.hint = hint


def parse_answer(ctx: Context, step: Step, event: Event, answers: dict[str, Any]) -> Any:
    t = ctx.t.core
    if step.expect is Expect.CHOICE or not isinstance(event, Message):
        return _pressed(ctx, step, event, answers)
    if step.expect in (Expect.PHOTO, Expect.MEDIA):
        return _media(ctx, step, event)
    text = (event.text or "").strip()
    if step.expect is Expect.TEXT:
        if not text:
            raise Reask(t("Please answer with text."))
        return text
    if step.expect is Expect.NUMBER:
        match = _NUMBER.search(text)
        if match is None:
            raise Reask(t("Please answer with a number, for example 500."))
        num = float(match.group().replace(",", "."))
        return int(num) if num.is_integer() else num
    if event.location is not None:
        return event.location
    if step.allow_address and text:
        return text  # a typed address: kept as text, to be geocoded by the plugin if it can
    raise Reask(t("Please share a location."))


def _pressed(ctx: Context, step: Step, event: Event, answers: dict[str, Any]) -> str:
    """The answer to a choice step (a button, or its number or label typed), or a shortcut
    button of a text step."""
    picked = _pick(ctx, list(choices_of(step, ctx, answers)), event)
    if step.expect is Expect.CHOICE:
        if picked is None:
            raise Reask(ctx.t.core("Please choose one of the buttons."))
        return picked
    if step.expect is Expect.TEXT and isinstance(event, ButtonPress) and picked is not None:
        return picked
    raise Reask(ctx.t.core("Please answer the question above."))


def gathered(dialog: Dialog, event: Event) -> tuple[Any, ...]:
    """The photos (and videos, when the gathering step takes media) `event` brings to a dialog
    that gathers them (`Dialog.gather`)."""
    if dialog.gather is None or not isinstance(event, Message):
        return ()
    into = next((s for s in dialog.steps if s.key == dialog.gather), None)
    kinds = _MEDIA if into is not None and into.expect is Expect.MEDIA else _MEDIA[:1]
    return tuple(a for a in event.attachments if a.kind in kinds)


def _media(ctx: Context, step: Step, event: Message) -> tuple[Any, ...]:
    """The photos (a PHOTO step) or the photos and videos (a MEDIA step) of `event`."""
    if step.expect is Expect.PHOTO:
        if not event.photos:
            raise Reask(ctx.t.core("Please send a photo."))
        return event.photos
    media = tuple(a for a in event.attachments if a.kind in _MEDIA)
    if not media:
        raise Reask(ctx.t.core("Please send a photo or a video."))
    return media


def _pick(ctx: Context, choices: list[Any], event: Event) -> str | None:
    if isinstance(event, ButtonPress):
        prefix = f"{DIALOG_PREFIX}c:"
        if event.data.startswith(prefix) and event.data[len(prefix) :].isdigit():
            index = int(event.data[len(prefix) :])
            return str(choices[index].value) if index < len(choices) else None
        return None
    if not isinstance(event, Message):
        return None
    text = event.text.strip().casefold()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return str(choices[int(text) - 1].value)
    for c in choices:
        if text in (ctx.t(c.label).casefold(), c.label.casefold(), str(c.value).casefold()):
            return str(c.value)
    return None


def choices_of(step: Step, ctx: Context, answers: dict[str, Any]) -> list[Any]:
    return list(step.choices(ctx, answers) if callable(step.choices) else step.choices)
