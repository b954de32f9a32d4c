"""What the console remembers: who is speaking, in which chat, and the bot's recent messages.

The bot's messages are kept (the last `limit`) with their pressable buttons, so that
``/press N [M]`` and a bare number find the button. A bare number presses only when the latest
bot message with buttons in the chat came after the speaker's own last input there: a number
typed later is an answer, not a choice. When that message asks for a typed answer
(`Reply.typed_answer`), a bare number is the answer, and a line that is exactly one of its
buttons' labels presses that button instead (same "right after the buttons" rule).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass

from qunzhu.core.adapter import Button, ChatKind, ChatRef, Reply, UsageError, UserRef

from .render import find_label, pressable

__all__ = ["PLATFORM", "SentMessage", "Session"]

PLATFORM = "console"


@dataclass(slots=True)
class SentMessage:
    message_id: str
    chat_id: str
    buttons: tuple[Button, ...]  # pressable ones only, numbered from 1
    seq: int  # when it was sent or last edited, in the session's input/output order
    typed_answer: bool = False  # a bare number answers it; its labels press its buttons


class Session:
    def __init__(self, user: str, chat: str, lang: str | None, *, limit: int = 1000) -> None:
        self.default_lang = lang
        self._langs: dict[str, str | None] = {}
        self.user = self.person(user)
        self.chat = group_chat(chat)
        self._limit = limit
        self._sent: OrderedDict[str, SentMessage] = OrderedDict()
        self._seq = itertools.count(1)
        self._last_input: dict[tuple[str, str], int] = {}

    # -- who and where -------------------------------------------------------------------------
    def person(self, name: str, lang: str | None = None) -> UserRef:
        """The console person `name`; a language given once is remembered for them."""
        if lang is not None:
            self._langs[name] = lang
        lang = self._langs.get(name, self.default_lang)
        return UserRef(PLATFORM, name, display_name=name, lang=lang)

    def switch_user(self, name: str, lang: str | None) -> None:
        self.user = self.person(name, lang)
        if self.chat.is_direct:  # stay in "the private chat", now the new speaker's
            self.chat = direct_chat(self.user)

    def mark_input(self) -> None:
        """The speaker just said something in the current chat."""
        self._last_input[(self.chat.chat_id, self.user.user_id)] = next(self._seq)

    # -- the bot's messages --------------------------------------------------------------------
    def remember(self, chat: ChatRef, message_id: str, reply: Reply) -> None:
        """The bot sent (or edited) `message_id`: it becomes the chat's latest output."""
        self._sent.pop(message_id, None)
        self._sent[message_id] = SentMessage(
            message_id, chat.chat_id, pressable(reply), next(self._seq), reply.typed_answer
        )
        while len(self._sent) > self._limit:
            self._sent.popitem(last=False)

    def latest_with_buttons(self) -> SentMessage | None:
        for sent in reversed(self._sent.values()):
            if sent.chat_id == self.chat.chat_id and sent.buttons:
                return sent
        return None

    def typed_press(self, text: str) -> tuple[SentMessage, Button] | None:
        """The button a typed line presses here and now (a bare number, or a label under a
        question that wants a typed answer), or None when it is plain text."""
        number = text.isascii() and text.isdigit() and len(text) <= 6
        sent = self.latest_with_buttons()
        if sent is None or sent.seq < self._last_input.get(
            (self.chat.chat_id, self.user.user_id), 0
        ):
            return None
        if sent.typed_answer:
            found = None if number else find_label([b.label for b in sent.buttons], text)
            return None if found is None else (sent, sent.buttons[found])
        if not number or not 1 <= int(text) <= len(sent.buttons):
            return None
        return sent, sent.buttons[int(text) - 1]

    def press(self, number: int, message_id: str | None) -> tuple[SentMessage, Button]:
        """Button `number` of bot message `message_id` (default: the latest with buttons here)."""
        if message_id is None:
            sent = self.latest_with_buttons()
            if sent is None:
                raise UsageError("no bot message with buttons in this chat")
        else:
            found = self._sent.get(message_id)
            if found is None:
                msg = f"no bot message #{message_id} (the console remembers the last {self._limit})"
                raise UsageError(msg)
            if found.chat_id != self.chat.chat_id:
                raise UsageError(f"bot message #{message_id} is in another chat")
            sent = found
        if not sent.buttons:
            raise UsageError(f"bot message #{sent.message_id} has no buttons to press")
        if not 1 <= number <= len(sent.buttons):
            msg = (
                f"bot message #{sent.message_id} has buttons 1 to {len(sent.buttons)}, not {number}"
            )
            raise UsageError(msg)
        return sent, sent.buttons[number - 1]


def group_chat(name: str) -> ChatRef:
    return ChatRef(PLATFORM, name, ChatKind.GROUP, title=name)


def direct_chat(user: UserRef) -> ChatRef:
    return ChatRef(PLATFORM, f"dm:{user.user_id}", ChatKind.DIRECT, title=user.user_id)
