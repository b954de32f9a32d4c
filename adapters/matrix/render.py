"""`Reply` → the content of an ``m.room.message``: plain ``body`` and HTML ``formatted_body``.

`Reply.text` is plain text: every ``<``, ``>`` and ``&`` is escaped in the HTML, and newlines
become ``<br>``. The only markup is what `Reply.mentions` asks for: each ``matrix:@user:server``
becomes a pill (a ``https://matrix.to/#/@user:server`` link, which clients show as the person and
which notifies them) where the text names them, ``@Name`` before a plain ``Name`` (the core's
`find_mentions` chooses the place, in the same order on every platform), or on their name
appended (their localpart when there is no name); they are listed in ``m.mentions`` too.

Buttons follow the text as a numbered list (``1. Yes``), numbered as the console numbers them;
their data goes in the content (`choices.BUTTONS_KEY`) so that a number typed back finds them.
A message that asks for a typed answer (`Reply.typed_answer`) shows them without numbers, as the
console does (``[跳过]  [取消]``), since a number typed back is its answer; their labels go in
the content too (`choices.LABELS_KEY`), for the label typed back to press them. URL buttons
become links. ``silent`` sends an ``m.notice`` (clients do not notify for those).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qunzhu.adapters.console.render import pressable
from qunzhu.core.adapter import Reply, cut_at_mentions, find_mentions

from .choices import BUTTONS_KEY, LABELS_KEY

__all__ = ["TEXT_LIMIT", "Span", "content", "edit_content", "image_content", "spans"]

#: Characters of text in one message (an event holds 64 KiB, body and HTML together).
TEXT_LIMIT = 16_000
_PREFIX = "matrix:"
Names = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text; a pill for Matrix user `user_id` when it is set."""

    text: str
    user_id: str | None = None


def spans(
    text: str, mentions: Sequence[str], names: Names, people: Mapping[str, str] | None = None
) -> list[Span]:
    """`text` with the Matrix users in `mentions` made pills (see the module's docstring).
    `people` are the names the bot's people go by, by identity (``@福州市长``): a text names
    people by those, so they are looked for first, then the room's display name, then (with
    neither) the user's localpart; where in the text is `find_mentions`'s choice, the same on
    every platform."""
    wanted: dict[str, list[str]] = {}
    for key in mentions:
        if key.startswith(_PREFIX + "@"):
            user_id = key[len(_PREFIX) :]
            candidates = [n for n in ((people or {}).get(key), names(user_id)) if n]
            wanted.setdefault(user_id, candidates or [user_id[1:].partition(":")[0]])
    found = find_mentions(text, list(wanted.items()))
    out = [Span(run, user_id) for run, user_id in cut_at_mentions(text, found)]
    linked = {span.user for span in found}
    for user_id, candidates in wanted.items():
        if user_id not in linked:
            out += [Span(" ")] if out else []
            out.append(Span(f"@{candidates[0]}", user_id))
    return out


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _truncate(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _body(
    reply: Reply, names: Names, people: Mapping[str, str] | None = None
) -> tuple[str, str, list[str]]:
    """The plain and HTML text of `reply` (text, then buttons) and the users it mentions."""
    parts = spans(_truncate(reply.text), reply.mentions, names, people)
    plain = "".join(p.text for p in parts)
    rich = "".join(
        f'<a href="https://matrix.to/#/{html.escape(p.user_id)}">{_html(p.text)}</a>'
        if p.user_id
        else _html(p.text)
        for p in parts
    )
    mentioned = list(dict.fromkeys(p.user_id for p in parts if p.user_id))
    lines, listed = _buttons(reply)
    if lines:
        plain = f"{plain}\n\n" + "\n".join(lines) if plain else "\n".join(lines)
        rich = f"{rich}<br><br>{listed}" if rich else listed
    return plain, rich, mentioned


def _buttons(reply: Reply) -> tuple[list[str], str]:
    """`reply`'s buttons as plain lines and as HTML: a numbered list (for a typed answer, one
    line of ``[label]``s without numbers), and the URL buttons as links."""
    data = pressable(reply)
    urls = [b for b in reply.flat_buttons if not b.data]
    links = [f'<a href="{html.escape(b.url, quote=True)}">{_html(b.label)}</a>' for b in urls]
    if reply.typed_answer and data:
        shown = "  ".join(f"[{b.label}]" for b in data)
        return [shown, *(f"{b.label}: {b.url}" for b in urls)], "<br>".join([_html(shown), *links])
    lines, number = [], 0
    for button in reply.flat_buttons:
        if button.data:
            number += 1
            lines.append(f"{number}. {button.label}")
        else:
            lines.append(f"{button.label}: {button.url}")
    items = "".join(f"<li>{_html(b.label)}</li>" for b in data)
    return lines, (f"<ol>{items}</ol>" if items else "") + "<br>".join(links)


def _common(reply: Reply, mentioned: list[str]) -> dict[str, Any]:
    extra: dict[str, Any] = {"m.mentions": {"user_ids": mentioned} if mentioned else {}}
    buttons = pressable(reply)
    if buttons:
        extra[BUTTONS_KEY] = [b.data for b in buttons]
        if reply.typed_answer:
            extra[LABELS_KEY] = [b.label for b in buttons]
    return extra


def content(
    reply: Reply,
    names: Names,
    *,
    reply_to: str | None = None,
    people: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An ``m.text`` (``m.notice`` when silent) message showing `reply` without its photo."""
    plain, rich, mentioned = _body(reply, names, people)
    out: dict[str, Any] = {
        "msgtype": "m.notice" if reply.silent else "m.text",
        "body": plain,
        "format": "org.matrix.custom.html",
        "formatted_body": rich,
        **_common(reply, mentioned),
    }
    if reply_to:
        out["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return out


def image_content(
    reply: Reply,
    names: Names,
    *,
    url: str,
    filename: str,
    info: Mapping[str, Any],
    reply_to: str | None = None,
    people: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An ``m.image`` with `reply`'s text as its caption (Matrix 1.10: a ``body`` that differs
    from ``filename`` is the caption)."""
    plain, rich, mentioned = _body(reply, names, people)
    out: dict[str, Any] = {
        "msgtype": "m.image",
        "url": url,
        "filename": filename,
        "body": plain or filename,
        "info": dict(info),
        **_common(reply, mentioned),
    }
    if plain:
        out["format"] = "org.matrix.custom.html"
        out["formatted_body"] = rich
    if reply_to:
        out["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return out


def edit_content(new: Mapping[str, Any], target: str) -> dict[str, Any]:
    """An edit (``m.replace``) of the message `target` to `new`; clients without edits show
    the body with a ``*`` before it."""
    shown = {k: v for k, v in new.items() if k not in ("m.relates_to", "m.mentions")}
    out: dict[str, Any] = {
        **shown,
        "body": f"* {new.get('body', '')}",
        "m.new_content": {k: v for k, v in new.items() if k != "m.relates_to"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": target},
        "m.mentions": {},  # an edit notifies nobody again
    }
    if "formatted_body" in new:
        out["formatted_body"] = f"* {new['formatted_body']}"
    return out
