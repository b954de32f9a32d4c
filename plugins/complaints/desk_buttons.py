"""The buttons of the problem desk (``/desk``, 问题台): a filter and a page, the list of units
to filter by, and an item to route. Declared once, each under Telegram's 64 bytes."""

from __future__ import annotations

import enum
from typing import Annotated

from qunzhu.core import ButtonData, MaxLen

__all__ = ["DeskFilter", "DeskOpen", "DeskPage", "DeskUnits"]

#: The longest unit key a filter button carries (a longer one is filtered by typing its name).
UNIT_KEY = 20


class DeskFilter(enum.StrEnum):
    """What the desk shows: everything, overdue, not yet taken up (未受理: unfiled offers and
    tickets nobody acknowledged), raised this week, or one unit's."""

    ALL = "all"
    OVERDUE = "late"
    UNTAKEN = "new"
    WEEK = "week"
    UNIT = "unit"


class DeskPage(ButtonData, prefix="complaints:dk"):
    """A filter (with its unit's key) and a page of the desk."""

    which: DeskFilter
    unit: Annotated[str, MaxLen(UNIT_KEY)]
    page: int


class DeskUnits(ButtonData, prefix="complaints:dku"):
    """按单位: the units with problems, to pick one."""

    page: int


class DeskOpen(ButtonData, prefix="complaints:dko"):
    """An item of the desk: ``o`` an offer not filed (its `Pending` id), ``t`` a ticket."""

    kind: Annotated[str, MaxLen(1)]
    item: int
