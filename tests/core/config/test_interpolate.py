"""The `${VAR}` mini-language on its own."""

from __future__ import annotations

import pytest

from qunzhu.core.config._interpolate import interpolate

ENV = {"A": "1", "EMPTY": "", "NAME": "群主"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${A}", "1"),
        ("x${A}y${NAME}", "x1y群主"),
        ("${MISSING:-fallback}", "fallback"),
        ("${MISSING:-}", ""),
        ("${EMPTY:-fallback}", "fallback"),
        ("${A:-fallback}", "1"),
        ("${MISSING:-a:-b c}", "a:-b c"),
        ("$${A}", "${A}"),
        ("cost: $5", "cost: $5"),
        ("$A", "$A"),
    ],
)
def test_replacements(text: str, expected: str) -> None:
    assert interpolate(text, ENV) == (expected, [])


def test_unset_variable() -> None:
    value, [problem] = interpolate("a ${NOPE} b", ENV)
    assert value == "a ${NOPE} b"
    assert (problem.offset, problem.text) == (2, "${NOPE}")
    assert problem.message.startswith("environment variable NOPE is not set")


def test_bad_references() -> None:
    _, problems = interpolate("${1BAD} ${A", ENV)
    assert [p.text for p in problems] == ["${1BAD}", "${"]
    assert problems[0].message.startswith("invalid reference '${1BAD}'")
    assert problems[1].message.startswith("unterminated '${'")
