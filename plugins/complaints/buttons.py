"""The data of the plugin's buttons, declared once (`ButtonData`). The wire format is the one
buttons already posted in groups carry (``complaints:ack:12``, ``complaints:fb:12:yes``), so a
ticket card, an offer or the stars sent before this module existed still work when pressed."""

from __future__ import annotations

import enum
from typing import Annotated

from qunzhu.core import ButtonData, MaxLen

__all__ = [
    "CARD_ACTIONS",
    "Acknowledge",
    "Feedback",
    "File",
    "MeToo",
    "More",
    "NewProblem",
    "Page",
    "Reassign",
    "ReportMedia",
    "RouteTo",
    "Resolve",
    "Start",
    "TicketList",
    "Urge",
]


class Acknowledge(ButtonData, prefix="complaints:ack"):
    """接单 on a ticket card."""

    ticket: int


class Start(ButtonData, prefix="complaints:start"):
    """处理中 on a ticket card."""

    ticket: int


class Resolve(ButtonData, prefix="complaints:resolve"):
    """已解决 on a ticket card (or an upper department's card): ask for the resolution."""

    ticket: int


class Reassign(ButtonData, prefix="complaints:reassign"):
    """派单 / 转办 on a ticket card: choose the department."""

    ticket: int


#: The card buttons that `actions.on_card_button` takes, by the action name it is given.
CARD_ACTIONS: dict[str, type[Acknowledge | Start | Resolve | Reassign]] = {
    "ack": Acknowledge,
    "start": Start,
    "resolve": Resolve,
    "reassign": Reassign,
}


class More(ButtonData, prefix="complaints:more"):
    """更多… on a ticket card: the rarer steps."""

    ticket: int


class Urge(ButtonData, prefix="complaints:urge"):
    """催办 on an upper department's card: urge the department below."""

    ticket: int


class File(ButtonData, prefix="complaints:file"):
    """登记为问题 under a message that looks like a problem report."""

    pending: int


class MeToo(ButtonData, prefix="complaints:metoo"):
    """我也遇到 under "is it one of these?": join the earlier ticket."""

    pending: int
    ticket: int


class NewProblem(ButtonData, prefix="complaints:new"):
    """不是，登记新问题 under "is it one of these?": file a new ticket."""

    pending: int


class ReportMedia(ButtonData, prefix="complaints:media"):
    """反映问题 under "收到 2 张照片。要反映问题吗？": report with the photos kept."""

    pending: int


class RouteTo(ButtonData, prefix="complaints:route"):
    """A unit's button under "raised in the group of A, but its kind is B's: which?"
    (`which`: 0 the group's unit, 1 the category's)."""

    pending: int
    which: int


class Feedback(ButtonData, prefix="complaints:fb"):
    """The reporter's answer: ``yes`` (solved) or ``no`` under "is it solved?", then the
    stars, ``1`` to ``5``."""

    ticket: int
    answer: Annotated[str, MaxLen(3)]


class TicketList(enum.StrEnum):
    """Which tickets ``/tickets`` lists."""

    MINE = "mine"
    DEPARTMENT = "department"
    OVERDUE = "overdue"
    OPEN = "open"


class Page(ButtonData, prefix="complaints:page"):
    """◀ / ▶ under a ``/tickets`` page."""

    which: TicketList
    page: int
