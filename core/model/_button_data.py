"""`ButtonData`: typed button data, declared once (aiogram's ``CallbackData`` is the model).

    class Ack(ButtonData, prefix="checkins:ack"):
        report: int

    Button("👍", data=Ack(report=12).pack())     # "checkins:ack:12"
    Ack.unpack(ctx.event.data)                   # Ack(report=12), or None for other data

A subclass is a frozen dataclass of its typed fields (``str``, ``int``, ``bool``, an ``enum``, or
``X | None`` of one); ``pack`` joins the prefix and the fields with the separator, which must not
occur in a field (it is refused when packing). Telegram carries at most 64 bytes of button data:
a class whose fields all have a known size (``int``, ``bool``, an enum, ``Annotated[str,
MaxLen(n)]``) and could exceed it fails when declared; every ``pack`` checks the real length.
The prefix may hold the separator (``checkins:ack``), so buttons sent before a plugin declared
its data keep their wire format.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any, ClassVar, Self, dataclass_transform

__all__ = ["MAX_BUTTON_DATA", "ButtonData", "ButtonDataError", "MaxLen"]

#: Telegram's limit on ``callback_data``, in bytes (UTF-8).
MAX_BUTTON_DATA = 64
#: The packed size of an int field at most: a signed 64-bit integer.
_INT_SIZE = 20


class ButtonDataError(ValueError):
    """Button data that cannot be packed (too long, a separator in a field) or unpacked (data
    with this class's prefix whose fields do not parse)."""


@dataclasses.dataclass(frozen=True, slots=True)
class MaxLen:
    """The most bytes (UTF-8) a ``str`` field holds: ``label: Annotated[str, MaxLen(20)]``;
    a longer value is refused when packed."""

    size: int


@dataclass_transform(frozen_default=True)
class ButtonData:
    """Base of typed button data; declare ``class X(ButtonData, prefix="plugin:action")``."""

    __prefix__: ClassVar[str]
    __separator__: ClassVar[str]
    __kinds__: ClassVar[dict[str, tuple[type, bool]]]
    __sizes__: ClassVar[dict[str, int]]

    def __init_subclass__(cls, *, prefix: str, sep: str = ":", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or not sep:
            msg = f"{cls.__name__}: the prefix and the separator must not be empty"
            raise TypeError(msg)
        cls.__prefix__, cls.__separator__ = prefix, sep
        dataclasses.dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        kinds, sizes = {}, {}
        size: int | None = len(prefix.encode())
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            kind, optional, most = _kind(cls, f.name, hints[f.name])
            kinds[f.name] = (kind, optional)
            if kind is str and most is not None:
                sizes[f.name] = most
            size = size + len(sep) + most if size is not None and most is not None else None
        cls.__kinds__, cls.__sizes__ = kinds, sizes
        if size is not None and size > MAX_BUTTON_DATA:
            msg = (
                f"{cls.__name__} packs to up to {size} bytes; Telegram allows "
                f"{MAX_BUTTON_DATA}: shorten the prefix or the fields"
            )
            raise TypeError(msg)

    def pack(self) -> str:
        """The button's data: the prefix and the fields, joined by the separator."""
        sep, parts = self.__separator__, [self.__prefix__]
        for name in self.__kinds__:
            value = _encode(getattr(self, name))
            if sep in value:
                msg = f"{type(self).__name__}.{name}={value!r} holds the separator {sep!r}"
                raise ButtonDataError(msg)
            if len(value.encode()) > self.__sizes__.get(name, MAX_BUTTON_DATA):
                msg = f"{type(self).__name__}.{name}={value!r} is longer than its MaxLen"
                raise ButtonDataError(msg)
            parts.append(value)
        data = sep.join(parts)
        if len(data.encode()) > MAX_BUTTON_DATA:
            msg = f"{data!r} is {len(data.encode())} bytes; Telegram allows {MAX_BUTTON_DATA}"
            raise ButtonDataError(msg)
        return data

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """The instance `data` packs, or None when `data` is not of this class (another prefix).
        Raises `ButtonDataError` when the prefix is this class's but the fields do not parse."""
        head = cls.__prefix__ + cls.__separator__
        if not data.startswith(head) and not (data == cls.__prefix__ and not cls.__kinds__):
            return None
        rest = data[len(head) :]
        parts = rest.split(cls.__separator__) if cls.__kinds__ else ([] if not rest else [rest])
        if len(parts) != len(cls.__kinds__):
            msg = f"{data!r}: {cls.__name__} has {len(cls.__kinds__)} fields, not {len(parts)}"
            raise ButtonDataError(msg)
        values = {}
        for (name, (kind, optional)), text in zip(cls.__kinds__.items(), parts, strict=True):
            values[name] = None if optional and text == "" else _decode(cls, name, kind, text)
        return cls(**values)


def _kind(cls: type, name: str, hint: Any) -> tuple[type, bool, int | None]:
    """The field's type, whether it may be None, and its packed size at most (None: unknown)."""
    most = None
    if typing.get_origin(hint) is typing.Annotated:
        hint, *extras = typing.get_args(hint)
        most = next((e.size for e in extras if isinstance(e, MaxLen)), None)
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional, hint = len(args) < len(typing.get_args(hint)), args[0] if len(args) == 1 else hint
    if hint is bool:
        return bool, optional, 1
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint, optional, max(len(str(m.value).encode()) for m in hint)
    if hint is int:
        return int, optional, _INT_SIZE
    if hint is str:
        return str, optional, most
    msg = f"{cls.__name__}.{name}: a button's data holds str, int, bool or an enum, not {hint!r}"
    raise TypeError(msg)


def _encode(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _decode(cls: type, name: str, kind: type, text: str) -> object:
    try:
        if kind is bool:
            if text not in ("0", "1"):
                raise ValueError(text)
            return text == "1"
        if issubclass(kind, enum.Enum):
            member_type = type(next(iter(kind)).value)
            return kind(member_type(text))
        return int(text) if kind is int else text
    except ValueError:
        msg = f"{cls.__name__}.{name}: {text!r} is not a {kind.__name__}"
        raise ButtonDataError(msg) from None
