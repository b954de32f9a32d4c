"""The participation chart of a campaign's page: one column per round, its height the share of
those due who reported, as the numbers of an SVG drawn on the server (no chart library, no
script: it shows on any phone and prints). A round below half is drawn in the warning colour; a
round still open in grey, since its count is not final."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Column", "ParticipationChart", "participation_chart"]

_WIDTH, _HEIGHT, _TOP, _BOTTOM, _LEFT = 480, 180, 18, 22, 28
OK, LOW, NONE = "#1a7f37", "#b42318", "#8c959f"


@dataclass(frozen=True, slots=True)
class Column:
    x: int
    y: int
    width: int
    height: int
    colour: str
    label: str  # the day
    value: str  # "75%" or "—"
    link: str


@dataclass(frozen=True, slots=True)
class ParticipationChart:
    width: int
    height: int
    base: int  # the y of the 0 % line
    top: int  # the y of the 100 % line
    left: int
    columns: list[Column]


def participation_chart(
    points: Sequence[tuple[str, int | None, str, bool]],
) -> ParticipationChart:
    """`points`: (day label, percent or None when no one was due, link, still open), oldest
    first."""
    span = _HEIGHT - _TOP - _BOTTOM
    step = (_WIDTH - _LEFT) / max(1, len(points))
    width = max(4, round(step * 0.7))
    columns = []
    for i, (label, percent, link, is_open) in enumerate(points):
        height = round(span * (percent or 0) / 100)
        colour = NONE if percent is None or is_open else (LOW if percent < 50 else OK)
        x = round(_LEFT + i * step + (step - width) / 2)
        value = "—" if percent is None else f"{percent}%"
        columns.append(
            Column(x, _TOP + span - height, width, max(1, height), colour, label, value, link)
        )
    return ParticipationChart(_WIDTH, _HEIGHT, _TOP + span, _TOP, _LEFT, columns)
