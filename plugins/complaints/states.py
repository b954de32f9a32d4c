"""A ticket's states and who may move it from one to the next.

    new ──route──▶ assigned ──acknowledge──▶ acknowledged ──start──▶ in_progress
                      │  ▲                        │                     │
                      │  └──────reassign──────────┴─────────────────────┤
                      └────────────────resolve────────────────────────▶ resolved
    resolved ──confirm──▶ confirmed      resolved ──(no answer)──▶ closed
    resolved/confirmed/closed ──reopen──▶ reopened (then as assigned)
    any open state ──reject / duplicate──▶ rejected / duplicate (supervisors)
    assigned/acknowledged ──decline──▶ not_responsible (back to the supervisors to route)

Who: ``department`` = members of the ticket's department (role ``member:<department>``) or of a
department above it; ``supervisor`` = role supervisor; ``reporter`` = who reported it; admins
may do everything; ``system`` = the bot's own jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from qunzhu.core import N_

__all__ = ["ACTIONS", "HISTORY", "LABELS", "OPEN", "WITH_DEPARTMENT", "Action", "Status"]


class Status:
    NEW = "new"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    REOPENED = "reopened"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    NOT_RESPONSIBLE = "not_responsible"


#: The states in which a ticket still waits for a department.
OPEN = frozenset(
    {
        Status.NEW,
        Status.ASSIGNED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.REOPENED,
        Status.NOT_RESPONSIBLE,
    }
)
#: Open and already in a department's hands: deadlines run.
WITH_DEPARTMENT = frozenset(
    {Status.ASSIGNED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED}
)

LABELS = {
    Status.NEW: N_("new, not routed"),
    Status.ASSIGNED: N_("assigned"),
    Status.ACKNOWLEDGED: N_("acknowledged"),
    Status.IN_PROGRESS: N_("in progress"),
    Status.RESOLVED: N_("resolved, awaiting the reporter"),
    Status.CONFIRMED: N_("confirmed solved"),
    Status.CLOSED: N_("closed"),
    Status.REOPENED: N_("reopened"),
    Status.REJECTED: N_("rejected"),
    Status.DUPLICATE: N_("duplicate"),
    Status.NOT_RESPONSIBLE: N_("returned: not our responsibility"),
}


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (reassign keeps "assigned")
    who: frozenset[str]


def _action(name: str, sources: set[str], target: str | None, *who: str) -> Action:
    return Action(name, frozenset(sources), target, frozenset(who))


ACTIONS = {
    a.name: a
    for a in (
        _action(
            "route", {Status.NEW, Status.NOT_RESPONSIBLE}, Status.ASSIGNED, "supervisor", "system"
        ),
        _action(
            "acknowledge", {Status.ASSIGNED, Status.REOPENED}, Status.ACKNOWLEDGED, "department"
        ),
        _action("start", {Status.ACKNOWLEDGED}, Status.IN_PROGRESS, "department"),
        _action(
            "resolve",
            {Status.ASSIGNED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED},
            Status.RESOLVED,
            "department",
        ),
        _action("reassign", set(OPEN), Status.ASSIGNED, "department", "supervisor"),
        _action(
            "decline",
            {Status.ASSIGNED, Status.ACKNOWLEDGED, Status.REOPENED},
            Status.NOT_RESPONSIBLE,
            "department",
        ),
        _action("confirm", {Status.RESOLVED}, Status.CONFIRMED, "reporter", "supervisor"),
        _action(
            "reopen",
            {Status.RESOLVED, Status.CONFIRMED, Status.CLOSED},
            Status.REOPENED,
            "reporter",
            "supervisor",
        ),
        _action("close", {Status.RESOLVED, *OPEN}, Status.CLOSED, "supervisor", "system"),
        _action("reject", set(OPEN), Status.REJECTED, "supervisor"),
        _action("duplicate", set(OPEN), Status.DUPLICATE, "supervisor"),
    )
}


#: What a timeline row's action reads like.
HISTORY = {
    "created": N_("filed"),
    "on_behalf": N_("filed on the reporter's behalf"),
    "route": N_("routed"),
    "acknowledge": N_("acknowledged"),
    "start": N_("in progress"),
    "resolve": N_("resolved"),
    "reassign": N_("reassigned"),
    "decline": N_("returned"),
    "confirm": N_("confirmed solved"),
    "reopen": N_("reopened"),
    "close": N_("closed"),
    "reject": N_("rejected"),
    "duplicate": N_("duplicate"),
    "metoo": N_("me too"),
    "rated": N_("rated"),
    "overdue": N_("overdue"),
    "escalated": N_("escalated"),
    "instruct": N_("leader's instruction"),
}
