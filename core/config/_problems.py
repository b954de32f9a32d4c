"""One configuration problem, where it is, and how it is printed.

Every problem is printed `FILE:LINE:COLUMN: key.path: message` (line and column 1-based), sorted by
position, so a person can fix the whole file in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["KeyPath", "Position", "Problem", "format_path", "format_problems", "suggest"]

KeyPath = tuple[str | int, ...]
"""Where a value sits in the file: mapping keys and list indexes, outermost first."""

Position = tuple[int, int]
"""1-based (line, column)."""


@dataclass(frozen=True)
class Problem:
    """A problem found at `line`:`column` for the value at `path`."""

    line: int
    column: int
    path: KeyPath
    message: str

    def format(self, file: str) -> str:
        """The problem as one line: `FILE:LINE:COLUMN: key.path: message`."""
        return f"{file}:{self.line}:{self.column}: {format_path(self.path)}: {self.message}"


def format_path(path: KeyPath) -> str:
    """`("people", 0, "identities")` -> `people[0].identities`; keys holding dots are quoted."""
    if not path:
        return "(top level)"
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = f'"{part}"' if (not part or "." in part or part != part.strip()) else part
        out += f".{text}" if out else text
    return out


def format_problems(file: str, problems: Iterable[Problem]) -> list[str]:
    """Problems as lines, sorted by position, duplicates dropped."""
    ordered = sorted(problems, key=lambda p: (p.line, p.column))
    return list(dict.fromkeys(p.format(file) for p in ordered))


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The valid choice closest to a misspelled `word`, if any is close enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
