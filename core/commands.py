"""Commands: ``/name args`` typed into a chat, declared with the `command` decorator.

A command is an async function. Parameters named after what the `Context` offers (``ctx``,
``message``, ``db``, ``clock``, ``person``, ``config``, ``t``, ``chat``, ``sender``) are injected;
every other parameter is a command argument, parsed from the text by its annotation
(``str``, ``int``, ``float``, ``bool``, ``Decimal``, ``date``, or `Text` for the rest of the line)
and optional when it has a default::

    @command("weather", aliases=["天气"], help=N_("Forecast for a city"))
    async def weather(ctx: Context, city: str, days: int = 1) -> None: ...
"""

from __future__ import annotations

import inspect
import io
import shlex
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from qunzhu.core.i18n._catalogs import N_

__all__ = ["INJECTABLE", "ArgumentError", "Command", "Param", "Text", "command", "split_command"]

_REST = object()
Text = Annotated[str, _REST]
"""Annotation for a last parameter that takes the rest of the line, spaces included."""

INJECTABLE = frozenset(
    {"ctx", "message", "event", "db", "clock", "person", "config", "t", "chat", "sender"}
)
_TYPE_NAMES = {
    str: N_("text"),
    int: N_("number"),
    float: N_("number"),
    bool: N_("yes/no"),
    Decimal: N_("number"),
    date: N_("date"),
}
_TRUE = {"1", "true", "yes", "on", "y", "是", "对", "开"}
_FALSE = {"0", "false", "no", "off", "n", "否", "不", "关"}
_REQUIRED: Any = inspect.Parameter.empty

Handler = Callable[..., Awaitable[None]]


class ArgumentError(ValueError):
    """The text does not fit the command's parameters; the dispatcher answers with its usage.
    `problem` is ``"missing"``, ``"too_many"`` or ``"type"``."""

    def __init__(self, problem: str, param: str = "", raw: str = "", kind: str = "") -> None:
        self.problem, self.param, self.raw, self.kind = problem, param, raw, kind
        super().__init__(f"{problem}: {param} {raw!r} {kind}".strip())


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: type
    default: Any = _REQUIRED
    rest: bool = False

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def convert(self, raw: str) -> Any:
        try:
            if self.type is bool:
                low = raw.strip().lower()
                if low in _TRUE:
                    return True
                if low in _FALSE:
                    return False
                raise ValueError(raw)
            if self.type is date:
                return date.fromisoformat(raw)
            if self.type is Decimal:
                return Decimal(raw)
            return self.type(raw)
        except (ValueError, InvalidOperation) as exc:
            kind = _TYPE_NAMES.get(self.type, self.type.__name__)
            raise ArgumentError("type", self.name, raw, kind) from exc


@dataclass(frozen=True, slots=True)
class Command:
    """A declared command. ``help`` is a message id translated in the plugin's catalog."""

    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    role: str | None = None
    help: str = ""
    params: tuple[Param, ...] = ()
    inject: tuple[str, ...] = ()
    hidden: bool = False
    plugin: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for p in self.params:
            label = f"{p.name}…" if p.rest else p.name
            parts.append(f"<{label}>" if p.required else f"[{label}]")
        return " ".join(parts)

    def parse(self, args: str) -> dict[str, Any]:
        """Parse the text after the command name into keyword arguments."""
        values: dict[str, Any] = {}
        rest_param = self.params[-1] if self.params and self.params[-1].rest else None
        positional = self.params[:-1] if rest_param else self.params
        tokens, remainder = _tokens(args, len(positional) if rest_param else None)
        if len(tokens) > len(positional):
            raise ArgumentError("too_many")
        for param, raw in zip(positional, tokens, strict=False):
            values[param.name] = param.convert(raw)
        for param in positional[len(tokens) :]:
            if param.required:
                raise ArgumentError("missing", param.name)
            values[param.name] = param.default
        if rest_param is not None:
            if remainder:
                values[rest_param.name] = remainder
            elif rest_param.required:
                raise ArgumentError("missing", rest_param.name)
            else:
                values[rest_param.name] = rest_param.default
        return values

    def bound(self, plugin: str) -> Command:
        return Command(
            self.name,
            self.handler,
            self.aliases,
            self.role,
            self.help,
            self.params,
            self.inject,
            self.hidden,
            plugin,
        )


def command(
    name: str,
    *,
    aliases: Sequence[str] = (),
    role: str | None = None,
    help: str = "",  # noqa: A002 - the word users and plugin authors expect
    hidden: bool = False,
) -> Callable[[Handler], Command]:
    """Declare a command from an async function; return it from `register_commands`."""

    def decorate(fn: Handler) -> Command:
        if not inspect.iscoroutinefunction(fn):
            msg = f"command /{name}: {fn.__qualname__} must be an async function"
            raise TypeError(msg)
        params, inject = _signature(fn, name)
        return Command(
            name.lower(),
            fn,
            tuple(a.lower() for a in aliases),
            role,
            help or (inspect.getdoc(fn) or "").split("\n")[0],
            params,
            inject,
            hidden,
        )

    return decorate


def split_command(text: str) -> tuple[str, str, str] | None:
    """``"/Ticket@qz_bot Q-1 x"`` → ``("ticket", "Q-1 x", "qz_bot")``: the name, the rest of the
    text, and the bot it was addressed to (empty when none); None when `text` is no command."""
    if not text or text[0] not in "/／":
        return None
    head, _, args = text[1:].partition(" ")
    newline = head.find("\n")
    if newline >= 0:  # "/done\nnotes": the command ends at the line break
        args = head[newline + 1 :] + (" " + args if args else "")
        head = head[:newline]
    name, _, addressee = head.partition("@")
    if not name or not name[0].isalnum():
        return None
    return name.lower(), args.strip(), addressee


def _signature(fn: Handler, name: str) -> tuple[tuple[Param, ...], tuple[str, ...]]:
    hints = typing.get_type_hints(fn, include_extras=True)
    params: list[Param] = []
    inject: list[str] = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in INJECTABLE:
            inject.append(p.name)
            continue
        hint = hints.get(p.name, str)
        rest = False
        if typing.get_origin(hint) is Annotated:
            rest = _REST in typing.get_args(hint)[1:]
            hint = typing.get_args(hint)[0]
        if typing.get_origin(hint) in (typing.Union, __import__("types").UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if hint not in _TYPE_NAMES:
            msg = f"command /{name}: parameter {p.name!r} has unsupported type {hint!r}"
            raise TypeError(msg)
        if params and params[-1].rest:
            msg = f"command /{name}: only the last parameter may be Text"
            raise TypeError(msg)
        params.append(Param(p.name, hint, p.default, rest))
    return tuple(params), tuple(inject)


def _tokens(args: str, limit: int | None) -> tuple[list[str], str]:
    """Split into shell-like tokens (quotes, including Chinese “”, group words). With `limit`,
    take that many tokens and return the untouched remainder of the line too."""
    text = args.replace("“", '"').replace("”", '"').replace("\u3000", " ")
    if limit is None:
        try:
            return shlex.split(text), ""
        except ValueError:
            return text.split(), ""
    tokens: list[str] = []
    stream = io.StringIO(text)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        while len(tokens) < limit:
            tok = lexer.get_token()
            if tok is None or tok == lexer.eof:
                break
            tokens.append(tok)
        remainder = stream.read().strip()
    except ValueError:
        words = text.split(maxsplit=limit)
        tokens, remainder = words[:limit], (words[limit] if len(words) > limit else "")
    return tokens, remainder
