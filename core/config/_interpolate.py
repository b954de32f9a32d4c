"""`${VAR}` and `${VAR:-default}` in configuration strings.

`${VAR:-default}` uses `default` when VAR is unset or empty (as in the shell); `$${` writes a
literal `${`. A reference to an unset variable without a default is a problem, never an empty
string, so a missing secret is found at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["InterpolationProblem", "interpolate"]

_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>:-.*)?", re.DOTALL)


@dataclass(frozen=True)
class InterpolationProblem:
    """`text` (as written, e.g. `${TOKEN}`) at `offset` in the string could not be replaced."""

    offset: int
    text: str
    message: str
    #: The variable is not set (rather than the reference written wrongly).
    unset: bool = False


def interpolate(value: str, env: Mapping[str, str]) -> tuple[str, list[InterpolationProblem]]:
    """Replace every `${...}` in `value` from `env`; return the result and the problems."""
    if "$" not in value:
        return value, []
    problems: list[InterpolationProblem] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        body = match.group("body")
        found = _BODY.fullmatch(body) if body is not None else None
        if found is None:
            message = (
                f"unterminated '${{' in {value!r}; write '$${{' for a literal '${{'"
                if body is None
                else f"invalid reference {token!r}; write ${{NAME}} or ${{NAME:-default}}"
            )
            problems.append(InterpolationProblem(match.start(), token, message))
            return token
        name, default = found.group("name"), found.group("default")
        current = env.get(name)
        if default is not None and not current:
            return default[2:]
        if current is None:
            message = (
                f"environment variable {name} is not set "
                f"(set it, or write ${{{name}:-default}} to give a default)"
            )
            problems.append(InterpolationProblem(match.start(), token, message, unset=True))
            return token
        return current

    return _TOKEN.sub(replace, value), problems
