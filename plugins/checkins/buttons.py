"""The data of the plugin's buttons, declared once (`ButtonData`); the wire format is the one
buttons already sent carry (``checkins:ack:12``)."""

from __future__ import annotations

from qunzhu.core import ButtonData

__all__ = [
    "Accept",
    "Acknowledge",
    "AnswerPrivately",
    "Chart",
    "Delete",
    "Done",
    "GiveBack",
    "IsDone",
    "IsReport",
    "Keep",
]


class Acknowledge(ButtonData, prefix="checkins:ack"):
    """👍 under a report: acknowledge it."""

    report: int


class AnswerPrivately(ButtonData, prefix="checkins:dm"):
    """✍️ under a round's prompt: report in the private chat."""

    round: int


class Done(ButtonData, prefix="checkins:done"):
    """✅ under a task."""

    task: int


class Accept(ButtonData, prefix="checkins:accept"):
    """✅ under a task reported done: the assigner (or a head above) signs it off."""

    task: int


class GiveBack(ButtonData, prefix="checkins:giveback"):
    """↩️ under a task reported done: given back, with a reason."""

    task: int


class IsDone(ButtonData, prefix="checkins:isdone"):
    """是 / 不是 under a photo or video sent in reply to a task: is it the report that it is
    done?"""

    task: int
    yes: bool


class Chart(ButtonData, prefix="checkins:chart"):
    """📊 under the history: ``r<round id>``; buttons sent before carry the campaign's name."""

    target: str

    @classmethod
    def of_round(cls, round_id: int) -> Chart:
        return cls(f"r{round_id}")


class Delete(ButtonData, prefix="checkins:delete"):
    """🗑 confirming that a chat-created campaign goes."""

    campaign: int


class Keep(ButtonData, prefix="checkins:keep"):
    """Keep it: the campaign stays."""

    campaign: int


class IsReport(ButtonData, prefix="checkins:mine"):
    """是 / 否 under a message the bot asked about: is it `person`'s report for `round`?"""

    round: int
    person: int
    yes: bool
