"""What the bot says about a quantity or a price it read (`quantity.Reading`): the conversion
("三百条 ≈ 1,350 斤（按每条约4.5斤）"), the question when it is a guess, and why it is refused, in
the reader's language with examples in it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qunzhu.core import N_

from .quantity import Conversion, Reading
from .render import qty

__all__ = ["PROBLEMS", "conversion_note", "number", "price_problem", "problem_text"]

#: Why a quantity is refused, by `Reading.problem`.
PROBLEMS = {
    "unreadable": N_("Please write how many {unit} as a number, for example 500 or 2000."),
    "exponent": N_("Please write the number itself, without an exponent: for example 2000."),
    "negative": N_("The quantity must be more than 0: for example 500."),
    "zero": N_("The quantity must be more than 0: for example 500."),
    "too_large": N_("That is far more than anyone can order: please check the number."),
    "vague": N_("Please write one exact quantity, for example 500 {unit}."),
    "unit": N_(
        "This product is sold by the {unit}, and I do not know how many {unit} one {word} is. "
        "Please write it in {unit}, for example 500 {unit}."
    ),
}
_PRICE_PROBLEMS = {
    "exponent": N_("Please write the price itself, without an exponent: for example 12.5."),
    "negative": N_("A price cannot be below 0: for example 12.5."),
    "too_large": N_("That price is far too high: please check it (for example 12.5)."),
}


def number(value: Decimal) -> str:
    """4.5 as "4.5", 20.0 as "20"."""
    return format(value.normalize(), "f")


def problem_text(t: Any, problem: str, unit: str, word: str = "") -> str:
    return str(t(PROBLEMS.get(problem, PROBLEMS["unreadable"]), unit=unit, word=word))


def price_problem(t: Any, problem: str) -> str:
    fallback = N_("Please write the price as a number of yuan, for example 12.5.")
    return str(t(_PRICE_PROBLEMS.get(problem, fallback)))


def conversion_note(t: Any, reading: Reading, unit: str) -> str:
    """ "三百条 ≈ 1,350 斤（按每条约4.5斤）", or "" when nothing was converted."""
    c: Conversion | None = reading.conversion
    if c is None or reading.amount is None:
        return ""
    values = {"written": reading.written, "n": qty(reading.amount), "unit": unit,
              "each": c.unit, "per": number(c.per)}  # fmt: skip
    if c.approx:
        return str(t("{written} ≈ {n} {unit} (at about {per} {unit} per {each})", **values))
    return str(t("{written} = {n} {unit} ({per} {unit} per {each})", **values))
