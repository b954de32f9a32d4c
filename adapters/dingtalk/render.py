"""A `Reply` as DingTalk message bodies.

Text is markdown (``sampleMarkdown`` for the robot send APIs, ``markdown`` for a session
webhook). A session webhook can mention people: each is written ``@userId`` and listed in
``at.atUserIds`` (DingTalk shows the name and notifies them). The active send APIs cannot
(``groupMessages/send`` has no ``at``): there the text keeps the person's name, with ``@``
before it when the text did not name them; a card notifies them through its
``atUserListJson``. Buttons are an interactive card (``StandardCard``): the reply's text and an
``action`` block of buttons, each a ``request`` (its click comes back on the Stream connection)
or an ``openLink``. DingTalk hands back only the card's ``cardBizId`` and the clicked button's
``id``, so both carry what a press needs: the ``cardBizId`` is made from the outbox key and the
chat (``qz<key>~g<openConversationId>`` or ``~d<userId>``), a button's id is ``b`` and its data
in hex (ids of card components are plain strings; hex keeps any data within them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qunzhu.core.adapter import Button, ChatKind, ChatRef, Reply, cut_at_mentions, find_mentions

__all__ = ["Rendered", "button_data", "card_biz_id", "card_chat", "card_message_id", "render"]

TITLE_CHARS = 26
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


@dataclass(frozen=True)
class Rendered:
    """The markdown text, the userIds it mentions, and the card's data (None: no buttons)."""

    text: str
    title: str
    at: tuple[str, ...]
    card: dict[str, Any] | None


def card_biz_id(key: str, chat: ChatRef) -> str:
    kind = "d" if chat.is_direct else "g"
    return f"qz{_UNSAFE.sub('_', key)[:64]}~{kind}{chat.chat_id}"


def card_chat(biz: str, platform: str) -> ChatRef | None:
    """The chat a card of ours was sent to (None for a card that is not ours)."""
    head, sep, where = biz.partition("~")
    if not (sep and head.startswith("qz") and len(where) > 1):
        return None
    kind = ChatKind.DIRECT if where[0] == "d" else ChatKind.GROUP
    return ChatRef(platform, where[1:], kind)


def card_message_id(biz: str) -> str:
    """The id the core keeps for a card: its ``cardBizId``."""
    return biz


def button_data(action_id: str) -> str | None:
    if not action_id.startswith("b"):
        return None
    try:
        return bytes.fromhex(action_id[1:]).decode()
    except ValueError:
        return None


def render(reply: Reply, names: dict[str, str], *, linked: bool = False) -> Rendered:
    """`reply` as markdown and perhaps a card; `names` maps each mentioned identity
    (``dingtalk:zhang``) to the name the text calls them by; `linked`: for a session webhook,
    where ``@userId`` mentions."""
    text, at = _mentions(reply.text, reply.mentions, names, linked)
    title = _title(reply.text)
    buttons = reply.flat_buttons
    if not buttons:
        return Rendered(text, title, at, None)
    card = {
        "config": {"autoLayout": True, "enableForward": True},
        "header": {"title": {"type": "text", "text": title}},
        "contents": [
            {"type": "markdown", "text": text, "id": "text"},
            {"type": "action", "actions": [_button(b) for b in buttons], "id": "actions"},
        ],
    }
    return Rendered(text, title, at, card)


def _button(button: Button) -> dict[str, Any]:
    label = {"type": "text", "text": button.label}
    if button.url:
        return {
            "type": "button",
            "label": label,
            "actionType": "openLink",
            "url": {"all": button.url},
            "status": "normal",
            "id": "link" + _UNSAFE.sub("_", button.label.encode().hex())[:32],
        }
    return {
        "type": "button",
        "label": label,
        "actionType": "request",
        "status": "primary",
        "id": "b" + button.data.encode().hex(),
    }


def _title(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def _mentions(
    text: str, mentions: tuple[str, ...], names: dict[str, str], linked: bool
) -> tuple[str, tuple[str, ...]]:
    """The text with each mentioned person's name (or, if absent, an appended mention) as
    ``@userId`` when `linked`, else as their name; and those userIds."""
    people = []
    for identity in mentions:
        platform, _, userid = identity.partition(":")
        if platform == "dingtalk" and userid:
            people.append((userid, [names.get(identity, ""), userid]))
    if not people:
        return text, ()
    found = find_mentions(text, people)
    missing = [user for user, _ in people if user not in {s.user for s in found}]
    at = tuple(u for u, _ in people)
    if not linked:
        called = {user: next((n for n in aliases if n), user) for user, aliases in people}
        return text + "".join(f" @{called[user]}" for user in missing), at
    out = "".join(f"@{user}" if user else run for run, user in cut_at_mentions(text, found))
    return out + "".join(f" @{user}" for user in missing), at
