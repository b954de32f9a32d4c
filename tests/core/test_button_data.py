"""`ButtonData`: typed button data packed to a string and back, its size held to Telegram's
64 bytes, foreign data told apart."""

from __future__ import annotations

import enum
from typing import Annotated

import pytest

from qunzhu.core import MAX_BUTTON_DATA, ButtonData, ButtonDataError, MaxLen


class Action(enum.StrEnum):
    ACK = "ack"
    RESOLVE = "resolve"


class Stars(enum.IntEnum):
    ONE = 1
    FIVE = 5


class Card(ButtonData, prefix="complaints"):
    action: Action
    ticket: int


class Feedback(ButtonData, prefix="complaints:fb"):
    ticket: int
    stars: Stars | None = None
    solved: bool = False


class Page(ButtonData, prefix="pg", sep="|"):
    which: Annotated[str, MaxLen(12)]
    page: int


def test_pack_and_unpack_round_trip() -> None:
    assert Card(Action.ACK, 12).pack() == "complaints:ack:12"
    assert Card.unpack("complaints:resolve:7") == Card(Action.RESOLVE, 7)
    assert Feedback(3, Stars.FIVE, solved=True).pack() == "complaints:fb:3:5:1"
    assert Feedback.unpack("complaints:fb:3::0") == Feedback(3, None, solved=False)
    assert Page.unpack(Page("mine:open", 2).pack()) == Page("mine:open", 2)  # ":" is not its sep


def test_foreign_data_is_none_and_broken_data_of_the_prefix_is_an_error() -> None:
    assert Card.unpack("checkins:ack:12") is None
    assert Feedback.unpack("complaints:ack:12") is None
    assert Card.unpack("complaintsX:ack:1") is None
    with pytest.raises(ButtonDataError, match=r"Card\.ticket: 'x' is not a int"):
        Card.unpack("complaints:ack:x")
    with pytest.raises(ButtonDataError, match="2 fields, not 3"):
        Card.unpack("complaints:ack:1:2")
    with pytest.raises(ButtonDataError, match="Card.action"):
        Card.unpack("complaints:unknown:1")


def test_the_separator_cannot_hide_in_a_field() -> None:
    class Named(ButtonData, prefix="chart"):
        name: str

    assert Named("水源保护").pack() == "chart:水源保护"
    with pytest.raises(ButtonDataError, match="holds the separator ':'"):
        Named("a:b").pack()


def test_too_long_data_fails_at_pack_and_a_class_that_can_never_fit_fails_when_declared() -> None:
    class Free(ButtonData, prefix="free"):
        text: str

    assert len(Free("x" * 59).pack().encode()) == MAX_BUTTON_DATA
    with pytest.raises(ButtonDataError, match="65 bytes; Telegram allows 64"):
        Free("x" * 60).pack()
    with pytest.raises(ButtonDataError, match="longer than its MaxLen"):
        Page("x" * 13, 1).pack()
    with pytest.raises(TypeError, match="packs to up to 66 bytes"):

        class Wide(ButtonData, prefix="wide"):
            a: int
            b: int
            c: Annotated[str, MaxLen(19)]


def test_fields_must_be_packable_and_a_prefix_is_required() -> None:
    with pytest.raises(TypeError, match="str, int, bool or an enum"):

        class Floaty(ButtonData, prefix="f"):
            x: float

    with pytest.raises(TypeError):

        class NoPrefix(ButtonData):  # type: ignore[call-arg]
            x: int
