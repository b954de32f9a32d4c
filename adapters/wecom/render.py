"""A `Reply` as WeCom message bodies.

Text is markdown (``<@userid>`` mentions a person in a group). Buttons are template cards of
type ``button_interaction``: at most 6 buttons a card (more become further cards), each button
either a click that comes back as ``template_card_event`` with its ``key`` (the button's data)
and the card's ``task_id``, or a link (``type: 1``). A reply with buttons is its full text
followed by the card(s): a card's title holds a line, not a report. ``task_id`` may hold only
letters, digits and ``_-@`` (128 bytes at most) and must not repeat for one bot, so it is made
from the outbox key; a second card of one reply gets ``__2``, and a click on it is a press on
the first (`card_base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qunzhu.core.adapter import Button, Reply, cut_at_mentions, find_mentions

__all__ = ["Rendered", "card_base", "render"]

BUTTONS_PER_CARD = 6
TITLE_CHARS = 26
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-@]")


@dataclass(frozen=True)
class Rendered:
    """The markdown text (may be empty) and the cards to send after it."""

    text: str
    cards: tuple[dict[str, Any], ...]
    #: The id the core keeps for this message: the first card's task id, else `text_id`.
    message_id: str


def card_base(task_id: str) -> str:
    """The id of the message a card belongs to (its reply's first card)."""
    return task_id.split("__", 1)[0]


def render(reply: Reply, key: str, names: dict[str, str]) -> Rendered:
    """`reply` as markdown and cards; `key` is unique to this outgoing message; `names` maps
    each mentioned identity (``wecom:zhang``) to the name the text calls them by."""
    text = _mentions(reply.text, reply.mentions, names)
    base = "qz" + _UNSAFE.sub("_", key)[:100]
    buttons = reply.flat_buttons
    if not buttons:
        return Rendered(text, (), base)
    title = _title(reply.text)
    cards = []
    for n, start in enumerate(range(0, len(buttons), BUTTONS_PER_CARD), start=1):
        chunk = buttons[start : start + BUTTONS_PER_CARD]
        task_id = base if n == 1 else f"{base}__{n}"
        cards.append(card(task_id, title, chunk))
    return Rendered(text, tuple(cards), base)


def card(task_id: str, title: str, buttons: tuple[Button, ...]) -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "main_title": {"title": title},
        "button_list": [_button(b) for b in buttons],
        "task_id": task_id,
    }


def _button(button: Button) -> dict[str, Any]:
    if button.url:
        return {"text": button.label, "style": 2, "type": 1, "url": button.url}
    return {"text": button.label, "style": 1, "key": button.data}


def _title(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def _mentions(text: str, mentions: tuple[str, ...], names: dict[str, str]) -> str:
    """The text with each mentioned person's name (or, if absent, an appended mention) as
    ``<@userid>``."""
    people = []
    for identity in mentions:
        platform, _, userid = identity.partition(":")
        if platform == "wecom" and userid:
            people.append((userid, [names.get(identity, ""), userid]))
    if not people:
        return text
    found = find_mentions(text, people)
    out = "".join(f"<@{user}>" if user else run for run, user in cut_at_mentions(text, found))
    missing = [user for user, _ in people if user not in {s.user for s in found}]
    return out + "".join(f" <@{user}>" for user in missing)
