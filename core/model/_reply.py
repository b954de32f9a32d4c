"""What the bot sends: a `Reply` with optional photo and rows of `Button`s.

Adapters render what their platform can: Telegram as an inline keyboard, the console and Matrix
as a numbered list whose number, typed back, becomes the same `ButtonPress`. A `Reply` with
``typed_answer=True`` asks for a typed answer (a quantity, a name): there a message that is only
a number answers it, so those two show its buttons without numbers, and a message that is
exactly a button's label presses that button.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["Button", "Reply"]


@dataclass(frozen=True, slots=True)
class Button:
    """A button: pressing it sends `data` back as a `ButtonPress`, or it opens `url`."""

    label: str
    data: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if bool(self.data) == bool(self.url):
            msg = f"Button {self.label!r} needs exactly one of data= or url="
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class Reply:
    """An outgoing message. `photo` is a path, a URL or a platform file reference; `reply_to` the
    event id it answers; `silent` asks the platform not to notify; `typed_answer` says that the
    message asks for a typed answer, so that a message that is only a number answers it rather
    than pressing one of its buttons (the dialogs' text and number questions set it)."""

    text: str = ""
    photo: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    reply_to: str | None = None
    silent: bool = False
    mentions: tuple[str, ...] = ()
    typed_answer: bool = False

    @classmethod
    def of(cls, text: str | Reply, **kwargs: object) -> Reply:
        """Turn plain text into a `Reply`; a `Reply` is returned as it is."""
        if isinstance(text, Reply):
            return text
        return cls(text=text, **kwargs)  # type: ignore[arg-type]

    def with_buttons(self, *rows: Button | list[Button] | tuple[Button, ...]) -> Reply:
        """A copy with the given rows; a bare Button is a row of its own."""
        norm = tuple((r,) if isinstance(r, Button) else tuple(r) for r in rows)
        return replace(self, buttons=norm)

    @property
    def flat_buttons(self) -> tuple[Button, ...]:
        return tuple(b for row in self.buttons for b in row)
