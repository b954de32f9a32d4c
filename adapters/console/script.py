"""One typed line → one console action.

The console's own commands (``/as``, ``/in``, ``/photo``, ``/press``...) become actions; every other
line, including other ``/commands``, is text for the bot (`Say`). A console command used wrongly
raises `UsageError` with a message meant for the person at the keyboard; nothing is sent then.
Parsing is pure: whether a bare number presses a button, and whether a file exists, is decided by
the adapter, which knows what is on screen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from qunzhu.core.adapter import AttachmentKind, UsageError

__all__ = [
    "Action",
    "ConsoleOnly",
    "EventAction",
    "Member",
    "Press",
    "Quit",
    "React",
    "ReplyTo",
    "Say",
    "SendFile",
    "ShareLocation",
    "ShowHelp",
    "SwitchChat",
    "SwitchDirect",
    "SwitchUser",
    "find_mentions",
    "parse_line",
]


@dataclass(frozen=True, slots=True)
class Say:
    """Text for the bot. `literal` (from ``/say``) means: never read it as a button number."""

    text: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class SwitchUser:
    name: str
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class SwitchChat:
    chat: str


@dataclass(frozen=True, slots=True)
class SwitchDirect:
    pass


@dataclass(frozen=True, slots=True)
class SendFile:
    kind: AttachmentKind
    path: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class ShareLocation:
    latitude: float
    longitude: float
    address: str = ""


@dataclass(frozen=True, slots=True)
class ReplyTo:
    target: str
    text: str


@dataclass(frozen=True, slots=True)
class React:
    target: str
    key: str
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    change: Literal["joined", "left"]


@dataclass(frozen=True, slots=True)
class Press:
    """Press button `button` (1-based) of bot message `message`, or of the latest one (None)."""

    button: int
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class Quit:
    pass


#: Actions that only change the console (who speaks, where) or print something: no event.
ConsoleOnly = SwitchUser | SwitchChat | SwitchDirect | ShowHelp | Quit
#: Actions that become one event for the bot.
EventAction = Say | SendFile | ShareLocation | ReplyTo | React | Member | Press
Action = ConsoleOnly | EventAction

_MENTION = re.compile(r"(?<![\w@])@(\w[\w.\-]*)")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TARGET = re.compile(r"#?([bB]?[0-9]{1,18})")
_BOT_TARGET = re.compile(r"#?[bB]?([0-9]{1,18})")
_COUNT = re.compile(r"[0-9]{1,6}")
_LOC = re.compile(r"(?P<lat>[^\s,]+)\s*(?:,\s*|\s+)(?P<lon>[^\s,]+)(?:\s*,?\s*(?P<addr>.*))?", re.S)


def parse_line(line: str) -> Action | None:
    """The action a typed line asks for; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    if text[0] not in "/／":
        return Say(text)
    head, *tail = text.split(maxsplit=1)
    parser = _PARSERS.get("/" + head[1:])
    if parser is None:
        return Say(text)
    return parser(tail[0].strip() if tail else "")


def find_mentions(text: str) -> tuple[str, ...]:
    """The names after ``@`` in `text`, in order, each once (``"hi @ana."`` → ``("ana",)``)."""
    names = (m.group(1).rstrip(".-") for m in _MENTION.finditer(text))
    return tuple(dict.fromkeys(n for n in names if n))


# -- the console's commands --------------------------------------------------------------------
def _as(rest: str) -> Action:
    args = rest.split()
    if not 1 <= len(args) <= 2 or not (name := args[0].lstrip("@")):
        raise UsageError("usage: /as NAME [LANG]")
    lang = args[1] if len(args) == 2 else None
    if lang is not None and not _LANG.fullmatch(lang):
        raise UsageError(f"{lang!r} is not a language tag (try en, zh-Hans, zh-Hant)")
    return SwitchUser(name, lang)


def _in(rest: str) -> Action:
    args = rest.split()
    if len(args) != 1 or not (chat := args[0].lstrip("#")):
        raise UsageError("usage: /in CHAT")
    if chat.startswith("dm:"):
        raise UsageError("use /dm to go to your private chat with the bot")
    return SwitchChat(chat)


def _dm(rest: str) -> Action:
    if rest:
        raise UsageError("usage: /dm (then /as NAME to be someone else)")
    return SwitchDirect()


def _file(kind: AttachmentKind) -> Callable[[str], Action]:
    def parse(rest: str) -> Action:
        path, caption = _split_path(rest)
        if not path:
            raise UsageError(f"usage: /{kind.value} PATH [caption]")
        return SendFile(kind, path, caption)

    return parse


def _split_path(rest: str) -> tuple[str, str]:
    """``'"my photo.jpg" nice'`` → ``("my photo.jpg", "nice")``; unquoted paths end at a space."""
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end < 0:
            raise UsageError("the path's closing quote is missing")
        return rest[1:end], rest[end + 1 :].strip()
    path, *caption = rest.split(maxsplit=1) or [""]
    return path, caption[0].strip() if caption else ""


def _loc(rest: str) -> Action:
    m = _LOC.fullmatch(rest)
    if m is None:
        raise UsageError("usage: /loc LAT LON [address]")
    lat, lon = _number(m["lat"], "latitude", 90), _number(m["lon"], "longitude", 180)
    return ShareLocation(lat, lon, (m["addr"] or "").strip())


def _number(text: str, what: str, limit: int) -> float:
    value = float(text) if _NUMBER.fullmatch(text) else math.nan
    if not -limit <= value <= limit:
        raise UsageError(f"the {what} must be a number from -{limit} to {limit}, not {text!r}")
    return value


def _reply(rest: str) -> Action:
    args = rest.split(maxsplit=1)
    if len(args) != 2:
        raise UsageError("usage: /reply N TEXT (N: a message number such as 5 or b3)")
    return ReplyTo(_target(args[0]), args[1].strip())


def _react(removed: bool) -> Callable[[str], Action]:
    def parse(rest: str) -> Action:
        args = rest.split()
        if len(args) != 2:
            name = "unreact" if removed else "react"
            raise UsageError(f"usage: /{name} N EMOJI (N: a message number such as 5 or b3)")
        return React(_target(args[0]), args[1], removed)

    return parse


def _member(change: Literal["joined", "left"]) -> Callable[[str], Action]:
    def parse(rest: str) -> Action:
        args = rest.split()
        if len(args) != 1 or not (name := args[0].lstrip("@")):
            raise UsageError(f"usage: /{'join' if change == 'joined' else 'leave'} NAME")
        return Member(name, change)

    return parse


def _press(rest: str) -> Action:
    args = rest.split()
    if not 1 <= len(args) <= 2 or not _COUNT.fullmatch(args[0]) or int(args[0]) < 1:
        raise UsageError("usage: /press N [M] (button N of the latest message, or of message #M)")
    message = None
    if len(args) == 2:
        m = _BOT_TARGET.fullmatch(args[1])
        if m is None:
            raise UsageError(f"{args[1]!r} is not a bot message number (such as b3)")
        message = "b" + str(int(m.group(1)))
    return Press(int(args[0]), message)


def _target(token: str) -> str:
    m = _TARGET.fullmatch(token)
    if m is None:
        raise UsageError(f"{token!r} is not a message number (such as 5, or b3 for the bot's)")
    return m.group(1).lower()


def _say(rest: str) -> Action:
    if not rest:
        raise UsageError("usage: /say TEXT (sends TEXT as it is, even /as or a number)")
    return Say(rest, literal=True)


_PARSERS: dict[str, Callable[[str], Action]] = {
    "/as": _as,
    "/in": _in,
    "/dm": _dm,
    "/photo": _file(AttachmentKind.PHOTO),
    "/file": _file(AttachmentKind.FILE),
    "/video": _file(AttachmentKind.VIDEO),
    "/loc": _loc,
    "/reply": _reply,
    "/react": _react(removed=False),
    "/unreact": _react(removed=True),
    "/join": _member("joined"),
    "/leave": _member("left"),
    "/press": _press,
    "/say": _say,
    "/console": lambda _rest: ShowHelp(),
    "/?": lambda _rest: ShowHelp(),
    "/quit": lambda _rest: Quit(),
}
