"""Event ids of Telegram messages, and back.

A message's event id is its ``message_id`` (``"42"``); an edit's is the message id and the edit's
date (``"42:1767600000"``), so that each edit is recorded once. When a basic group becomes a
supergroup, the core keeps the basic group's chat id (history, settings and roles stay with the
chat), but the supergroup numbers its messages from 1 again: message ids from there carry an
``s`` (``"s42"``) so they never collide with the old group's.
"""

from __future__ import annotations

__all__ = ["edit_event_id", "message_event_id", "parse_event_id"]

SUPERGROUP = "s"


def message_event_id(message_id: int, moved: bool) -> str:
    """The event id of message `message_id` (`moved`: in a supergroup that replaced a group)."""
    return f"{SUPERGROUP if moved else ''}{message_id}"


def edit_event_id(message_id: int, edit_date: int, moved: bool) -> str:
    return f"{message_event_id(message_id, moved)}:{edit_date}"


def parse_event_id(event_id: str) -> tuple[int, bool] | None:
    """``"s42:1767600000"`` → ``(42, True)``: the Telegram message id an event id names and
    whether it lives in the supergroup; None for ids that name no message (a button press)."""
    head = event_id.split(":", 1)[0]
    moved = head.startswith(SUPERGROUP)
    digits = head[1:] if moved else head
    if not digits.isdigit():
        return None
    return int(digits), moved
