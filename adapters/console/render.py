"""How the console prints: the bot's messages, echoed input, errors and its own help.

    [lobby] qunzhu #b3 ↩ 5:
      Thanks, Ana. Shall I register this as a problem?
      [photo: /tmp/map.png]
      [1] 登记为问题  [2] Cancel
    > [lobby] ana #6: 1
    [lobby] qunzhu reacted 👌 to #6

Only buttons with ``data`` are numbered (they are what ``/press N`` and a bare ``N`` press); URL
buttons show their address. A message asking for a typed answer (`Reply.typed_answer`: a
dialog's text or number question) shows its buttons without numbers, ``[取消]``: there a bare
number is the answer, and the label typed presses the button (`find_label`).

Control characters are shown escaped (``\\x1b``), so neither a person nor a plugin can move the
cursor or recolor the terminal. ANSI colors only when asked for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from qunzhu.core.adapter import Button, ChatRef, Reply

__all__ = ["HELP", "Renderer", "chat_label", "find_label", "pressable"]

HELP = """\
Console commands (every other line goes to the bot as typed, /help included):
  /as NAME [LANG]       speak as NAME, e.g. /as ana zh-Hans
  /in CHAT              go to the group chat CHAT
  /dm                   go to your private chat with the bot
  /photo PATH [TEXT]    send a photo with a caption (/file and /video likewise)
  /loc LAT LON [ADDR]   share a location
  /reply N TEXT         answer message #N (5, or b3 for the bot's)
  /react N EMOJI        react to message #N (/unreact N EMOJI takes it back)
  /join NAME            NAME joins this group (/leave NAME: leaves it)
  /press N [M]          press button N of the latest bot message here (or of #M);
                        right after the buttons, a bare N presses too; under a
                        question that wants a typed answer, N is the answer and
                        a button shown as [取消] is pressed by typing 取消
  /say TEXT             send TEXT exactly as typed (even /as, a number or a label)
  /console, /?          this list
  /quit                 stop (Ctrl-D too)"""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RESET = "\x1b[0m"
_STYLES = {
    "bot": "\x1b[1;36m",
    "echo": "\x1b[2m",
    "error": "\x1b[31m",
    "buttons": "\x1b[33m",
    "prompt": "\x1b[1m",
    "info": "\x1b[32m",
}


def pressable(reply: Reply) -> tuple[Button, ...]:
    """The buttons a person can press, in the order they are numbered (1, 2, ...)."""
    return tuple(b for b in reply.flat_buttons if b.data)


def find_label(labels: Sequence[str], text: str) -> int | None:
    """The index of the label `text` is, or None: spaces around it, letter case and full-width
    forms do not count (``cancel`` is ``Cancel``, ``ＯＫ`` is ``OK``)."""
    typed = _fold(text)
    if not typed:
        return None
    for index, label in enumerate(labels):
        if _fold(label) == typed:
            return index
    return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def chat_label(chat: ChatRef) -> str:
    """``lobby`` for a group, ``dm ana`` for a private chat."""
    if chat.is_direct:
        return "dm " + (chat.title or chat.chat_id.removeprefix("dm:"))
    return chat.chat_id


def clean(text: str) -> str:
    """`text` with control characters (except newline and tab) written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class Renderer:
    """Turns what happens into lines of text; `color` adds ANSI styles."""

    def __init__(self, *, color: bool, bot_name: str = "qunzhu") -> None:
        self.color = color
        self.bot_name = bot_name

    def style(self, kind: str, text: str) -> str:
        return f"{_STYLES[kind]}{text}{_RESET}" if self.color and text else text

    def message(self, chat: ChatRef, message_id: str, reply: Reply, *, edited: bool = False) -> str:
        """A bot message: header, text indented by two spaces, photo, buttons (numbered, unless
        the message asks for a typed answer)."""
        marks = f" ↩ {clean(reply.reply_to)}" if reply.reply_to else ""
        if edited:
            marks = " (edited)"
        header = f"[{clean(chat_label(chat))}] {self.bot_name} #{message_id}{marks}:"
        lines = [self.style("bot", header)]
        if reply.text:
            lines += ["  " + line if line else "" for line in clean(reply.text).split("\n")]
        if reply.photo:
            lines.append(f"  [photo: {clean(reply.photo)}]")
        number = 0
        for row in reply.buttons:
            shown = []
            for button in row:
                if button.data and reply.typed_answer:
                    shown.append(f"[{clean(button.label)}]")
                elif button.data:
                    number += 1
                    shown.append(f"[{number}] {clean(button.label)}")
                else:
                    shown.append(f"[{clean(button.label)}: {clean(button.url)}]")
            if shown:
                lines.append("  " + self.style("buttons", "  ".join(shown)))
        return "\n".join(lines)

    def reaction(self, chat: ChatRef, target: str, key: str, *, removed: bool = False) -> str:
        """A bot reaction: ``[lobby] qunzhu reacted 👌 to #5`` (``took back 👌 from #5``)."""
        what = f"took back {clean(key)} from" if removed else f"reacted {clean(key)} to"
        text = f"[{clean(chat_label(chat))}] {self.bot_name} {what} #{clean(target)}"
        return self.style("bot", text)

    def echo(self, chat: ChatRef, speaker: str, event_id: str | None, line: str) -> str:
        """An input line as the transcript shows it: ``> [lobby] ana #5: text``."""
        number = f" #{event_id}" if event_id else ""
        text = f"> [{clean(chat_label(chat))}] {clean(speaker)}{number}: {clean(line)}"
        return self.style("echo", text)

    def error(self, text: str) -> str:
        return self.style("error", "! " + clean(text))

    def info(self, text: str) -> str:
        return self.style("info", "* " + clean(text))

    def prompt(self, chat: ChatRef, speaker: str, next_id: str) -> str:
        """``[lobby] ana #5> ``: where you are, who you are, the number your next line gets."""
        return self.style("prompt", f"[{clean(chat_label(chat))}] {clean(speaker)} #{next_id}> ")
