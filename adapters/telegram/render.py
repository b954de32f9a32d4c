"""`Reply` → the Bot API calls that show it: HTML text, inline keyboards, long texts in parts.

`Reply.text` is plain text: every ``<``, ``>`` and ``&`` a person or a plugin wrote is escaped, and
the only markup is what `Reply.mentions` asks for: each ``telegram:<id>`` becomes a link to that
person (``<a href="tg://user?id=…">``, which notifies them even without a user name) where the
text names them, ``@Name`` before a plain ``Name`` (the core's `find_mentions` chooses the place,
in the same order on every platform), or, when the text does not name them, on their name
appended to the text (their user id when the bot knows no name). ``@username`` mentions need
nothing: Telegram links those itself.

The name looked for is the one the bot's people go by (``people:``, ``/name``: ``@福州市长``),
then the person's Telegram name; an appended mention shows the former.

Limits: a text holds 4096 characters, a caption 1024. A longer text is cut into parts at a
paragraph, a line or a word (never inside a link); a photo whose caption would be too long is
sent bare, followed by the text. The keyboard goes on the last part, whose id is the message's
(so an edit changes the part with the buttons).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from qunzhu.core.adapter import Button, PermanentFailure, Reply, cut_at_mentions, find_mentions

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "Part", "Span", "keyboard", "plan", "spans", "split"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_PREFIX = "telegram:"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text; a link to Telegram user `user_id` when it is set."""

    text: str
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """One Bot API call of a send: ``photo`` (with `html` as its caption) or ``text``."""

    kind: str
    html: str
    markup: InlineKeyboardMarkup | None = None
    is_reply: bool = False


def spans(
    text: str,
    mentions: Sequence[str],
    names: Mapping[int, str],
    people: Mapping[str, str] | None = None,
) -> list[Span]:
    """`text` with the Telegram users in `mentions` linked (see the module's docstring).
    `names` are Telegram's names of the users, `people` the names the bot's people go by, by
    identity: a text names people by the latter (``@福州市长``), tried first; where in the text
    is `find_mentions`'s choice, the same on every platform."""
    wanted: dict[int, list[str]] = {}
    for key in mentions:
        if key.startswith(_PREFIX) and key[len(_PREFIX) :].isdigit():
            user_id = int(key[len(_PREFIX) :])
            wanted.setdefault(
                user_id, [n for n in ((people or {}).get(key), names.get(user_id)) if n]
            )
    found = find_mentions(text, list(wanted.items()))
    out = [Span(run, user_id) for run, user_id in cut_at_mentions(text, found)]
    linked = {span.user for span in found}
    for user_id, candidates in wanted.items():
        if user_id not in linked:
            out += [Span(" ")] if out else []
            out.append(Span(f"@{candidates[0] if candidates else user_id}", user_id))
    return out


def to_html(parts: Sequence[Span]) -> str:
    return "".join(
        html.escape(s.text, quote=False)
        if s.user_id is None
        else f'<a href="tg://user?id={s.user_id}">{html.escape(s.text, quote=False)}</a>'
        for s in parts
    )


def length(parts: Sequence[Span]) -> int:
    return sum(len(s.text) for s in parts)


def split(parts: Sequence[Span], limit: int) -> list[list[Span]]:
    """Cut into pieces of at most `limit` characters, preferring a paragraph break, then a line
    break, then a space in the second half of each piece; pieces that are only blanks go."""
    pieces: list[list[Span]] = []
    rest = list(parts)
    while length(rest) > limit:
        head, rest = _cut(rest, _cut_point(rest, limit))
        pieces.append(head)
    pieces.append(rest)
    return [p for p in pieces if "".join(s.text for s in p).strip()]


def truncate(parts: Sequence[Span], limit: int) -> list[Span]:
    """The first `limit` characters, ending in "…" when something was cut (edits)."""
    if length(parts) <= limit:
        return list(parts)
    head, _ = _cut(list(parts), _cut_point(list(parts), limit - 1))
    return [*head, Span("…")]


def _cut_point(parts: list[Span], limit: int) -> int:
    """Where to cut: a good break within `limit`, moved off any link it would split."""
    text = "".join(s.text for s in parts)
    point = limit
    for mark in ("\n\n", "\n", " "):
        found = text.rfind(mark, limit // 2, limit)
        if found > 0:
            point = found + len(mark)
            break
    start = 0
    for span in parts:  # a link is never cut: the cut moves before it
        end = start + len(span.text)
        if span.user_id is not None and start < point < end:
            return start if start > 0 else end
        start = end
    return point


def _cut(parts: list[Span], point: int) -> tuple[list[Span], list[Span]]:
    head: list[Span] = []
    start = 0
    for i, span in enumerate(parts):
        end = start + len(span.text)
        if end <= point:
            head.append(span)
        else:
            keep = point - start
            if keep > 0:
                head.append(Span(span.text[:keep], span.user_id))
                return head, [Span(span.text[keep:], span.user_id), *parts[i + 1 :]]
            return head, parts[i:]
        start = end
    return head, []


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """`Reply.buttons` as an inline keyboard: data buttons send callback_data, url buttons open
    their address. Telegram allows 1-64 bytes of callback_data. (Built once per set of buttons:
    a broadcast sends one keyboard a thousand times.)"""
    return _keyboard(reply.buttons)


@functools.lru_cache(maxsize=256)
def _keyboard(rows_of: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for row in rows_of:
        buttons = []
        for button in row:
            if button.url:
                buttons.append(InlineKeyboardButton(text=button.label, url=button.url))
                continue
            if len(button.data.encode()) > 64:
                msg = f"button {button.label!r}: Telegram allows at most 64 bytes of data"
                raise PermanentFailure(msg)
            buttons.append(InlineKeyboardButton(text=button.label, callback_data=button.data))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def plan(
    reply: Reply, names: Mapping[int, str], people: Mapping[str, str] | None = None
) -> list[Part]:
    """The calls that send `reply`, in order; the first carries the reply-to, the last the
    keyboard. `names` and `people` name the mentioned users (see `spans`)."""
    text = spans(reply.text, reply.mentions, names, people)
    markup = keyboard(reply)
    if reply.photo and length(text) <= CAPTION_LIMIT:
        return [Part("photo", to_html(text), markup, True)]
    head = [Part("photo", "", None, True)] if reply.photo else []
    chunks = split(text, TEXT_LIMIT) or ([] if head else [[]])
    body = [Part("text", to_html(c), None, not head and i == 0) for i, c in enumerate(chunks)]
    parts = head + body
    last = parts[-1]
    parts[-1] = Part(last.kind, last.html, markup, last.is_reply)
    return parts
