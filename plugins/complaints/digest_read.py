"""What the morning digest says, read from the tickets: for everything (the supervisors' and
``digest.chats``' digest, `read_digest`), or for the scopes of the unit heads' desks at once
(`read_scoped`).

`read_digest` reads in a few grouped queries and two short lists (the first tickets by how late
they are). `read_scoped` reads as few queries for all the scopes together, never one set per
head: the counts grouped by unit, group and category, and the overdue tickets' ids with their
unit and group in the order they are listed; each scope takes its part of them in memory
(through the unit and group it covers, not by scanning every row), then the tickets listed are
loaded once.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from qunzhu.core import Context, aware

from .config import ComplaintsConfig
from .desk_items import Scope
from .models import Ticket, TicketEvent, overdue
from .states import WITH_DEPARTMENT, Status

__all__ = ["Counts", "Digest", "late_against", "read_digest", "read_scoped"]

Counts = list[tuple[str, str, int]]  # department, category, how many
_WAITING = (Status.ASSIGNED, Status.REOPENED)
_TO_ROUTE = (Status.NEW, Status.NOT_RESPONSIBLE)


@dataclass
class Digest:
    """What a digest says, read once: counts by (department, category) and the tickets that
    need attention (reopened first, then the most overdue)."""

    new: Counts = field(default_factory=list)
    late: Counts = field(default_factory=list)
    reopened: Counts = field(default_factory=list)
    waiting: int = 0
    returned: int = 0
    attention: list[Ticket] = field(default_factory=list)
    reopened_ids: frozenset[int] = frozenset()
    #: How many of `attention` are overdue (the rest of the overdue ones are counted).
    late_listed: int = 0

    @property
    def empty(self) -> bool:
        return not (self.new or self.late or self.reopened or self.waiting)


async def read_digest(
    ctx: Context, config: ComplaintsConfig, now: datetime, since: datetime | None = None
) -> Digest:
    """New (since `since`, default a day ago), overdue now, reopened since `since`, and the
    tickets waiting for a supervisor to route them (new, or returned by a department)."""
    since = since or now - timedelta(days=1)
    reopened = _reopened(since)
    found = Digest(
        new=await _counts(ctx, Ticket.created_at >= since),
        late=await _counts(ctx, overdue(now)),
        reopened=await _counts(ctx, Ticket.id.in_(reopened)),
    )
    waiting = (
        await ctx.db.execute(
            select(
                func.count(),
                func.sum(case((Ticket.status == Status.NOT_RESPONSIBLE, 1), else_=0)),
            ).where(Ticket.status.in_(_TO_ROUTE))
        )
    ).one()
    found.waiting, found.returned = int(waiting[0] or 0), int(waiting[1] or 0)
    limit = config.digest.items
    if limit:
        again = (
            await ctx.db.scalars(
                select(Ticket).where(Ticket.id.in_(reopened)).order_by(Ticket.id).limit(limit)
            )
        ).all()
        late = (
            await ctx.db.scalars(
                select(Ticket)
                .where(overdue(now), Ticket.id.not_in(reopened))
                .order_by(_late_since(), Ticket.id)
                .limit(max(0, limit - len(again)))
            )
        ).all()
        _attend(found, list(again), list(late), now)
    return found


async def read_scoped(
    ctx: Context,
    config: ComplaintsConfig,
    now: datetime,
    since: datetime,
    scopes: Sequence[Scope],
) -> list[Digest]:
    """`read_digest` for each of `scopes` (a unit head's desk: `Scope.covers`), in order."""
    if not scopes:
        return []
    reopened = _reopened(since)
    new = await _places(ctx, Ticket.category, Ticket.created_at >= since)
    late = await _places(ctx, Ticket.category, overdue(now))
    again = await _places(ctx, Ticket.category, Ticket.id.in_(reopened))
    to_route = await _places(ctx, Ticket.status, Ticket.status.in_(_TO_ROUTE))
    limit = config.digest.items
    picks: list[tuple[list[int], list[int]]] = []
    if limit:
        again_rows = await _listed(ctx, Ticket.id.in_(reopened), Ticket.id)
        late_rows = await _listed(ctx, and_(overdue(now), Ticket.id.not_in(reopened)))
        for scope in scopes:
            first = again_rows.first(scope, limit)
            picks.append((first, late_rows.first(scope, limit - len(first))))
    wanted = sorted({i for pair in picks for ids in pair for i in ids})
    tickets: dict[int, Ticket] = {}
    for start in range(0, len(wanted), 5000):  # SQLite's limit of bound values
        chunk = wanted[start : start + 5000]
        tickets.update(
            (x.id, x) for x in await ctx.db.scalars(select(Ticket).where(Ticket.id.in_(chunk)))
        )
    out = []
    for n, scope in enumerate(scopes):
        waiting = to_route.covered(scope)
        found = Digest(
            new=new.counts(scope),
            late=late.counts(scope),
            reopened=again.counts(scope),
            waiting=sum(k for _, _, _, k in waiting),
            returned=sum(k for _, _, status, k in waiting if status == Status.NOT_RESPONSIBLE),
        )
        if picks:
            first, most_late = picks[n]
            _attend(found, [tickets[i] for i in first], [tickets[i] for i in most_late], now)
        out.append(found)
    return out


def _attend(found: Digest, again: list[Ticket], late: list[Ticket], now: datetime) -> None:
    found.attention = [*again, *late]
    found.reopened_ids = frozenset(x.id for x in again)
    found.late_listed = len(late) + sum(1 for x in again if _is_late(x, now))


def _reopened(since: datetime) -> Any:
    """The ids of the tickets reopened since `since`, as a subquery."""
    return (
        select(TicketEvent.ticket_id)
        .where(TicketEvent.action == "reopen", TicketEvent.at >= since)
        .distinct()
        .scalar_subquery()
    )


class _ByPlace:
    """Rows (department, source chat, ...) found by the units and groups a scope covers."""

    def __init__(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.by_unit: dict[str, list[int]] = defaultdict(list)
        self.by_chat: dict[str, list[int]] = defaultdict(list)
        for n, row in enumerate(rows):  # in the order read, so that each list keeps it
            if row[0]:
                self.by_unit[row[0]].append(n)
            if row[1]:
                self.by_chat[row[1]].append(n)

    def positions(self, scope: Scope) -> Iterable[int]:
        """The rows `scope` covers, in the order read, each once."""
        if scope.everything:
            yield from range(len(self.rows))
            return
        lists = [self.by_unit.get(u, []) for u in scope.units]
        lists += [self.by_chat.get(c, []) for c in scope.chats]
        last = -1
        for n in heapq.merge(*(x for x in lists if x)):
            if n != last:
                yield n
                last = n

    def covered(self, scope: Scope) -> list[tuple[Any, ...]]:
        return [self.rows[n] for n in self.positions(scope)]

    def counts(self, scope: Scope) -> Counts:
        """Counts by (department, category) of the rows (department, chat, category, n)."""
        total: dict[tuple[str, str], int] = defaultdict(int)
        for department, _, category, n in self.covered(scope):
            total[department or "", category] += int(n)
        return [(department, category, n) for (department, category), n in total.items()]

    def first(self, scope: Scope, limit: int) -> list[int]:
        """The ids of the first `limit` rows (id, department, chat) `scope` covers."""
        out: list[int] = []
        for n in self.positions(scope):
            if len(out) >= limit:
                break
            out.append(int(self.rows[n][2]))
        return out


async def _places(ctx: Context, what: Any, where: ColumnElement[bool]) -> _ByPlace:
    """Counts by department, source chat and `what` (a column) of the tickets `where`."""
    rows = await ctx.db.execute(
        select(Ticket.department, Ticket.source_chat, what, func.count())
        .where(where)
        .group_by(Ticket.department, Ticket.source_chat, what)
    )
    return _ByPlace([tuple(row) for row in rows.all()])


async def _listed(ctx: Context, where: ColumnElement[bool], *order: Any) -> _ByPlace:
    """(department, source chat, id) of the tickets `where`, the most overdue first."""
    rows = await ctx.db.execute(
        select(Ticket.department, Ticket.source_chat, Ticket.id)
        .where(where)
        .order_by(*(order or (_late_since(), Ticket.id)))
    )
    return _ByPlace([tuple(row) for row in rows.all()])


def _is_late(ticket: Ticket, now: datetime) -> bool:
    """`models.overdue` for one ticket in hand."""
    if ticket.status not in WITH_DEPARTMENT:
        return False
    waiting = ticket.status in _WAITING
    return aware(ticket.resolve_due) <= now or (waiting and aware(ticket.acknowledge_due) <= now)


def late_against(ticket: Ticket) -> datetime:
    """The first deadline an overdue ticket missed: to acknowledge while it waits for that,
    else to resolve."""
    if ticket.status in _WAITING:
        return min(aware(ticket.acknowledge_due), aware(ticket.resolve_due))
    return aware(ticket.resolve_due)


def _late_since() -> ColumnElement[datetime]:
    """`late_against` in SQL, to list the most overdue first."""
    return case(
        (
            and_(Ticket.status.in_(_WAITING), Ticket.acknowledge_due < Ticket.resolve_due),
            Ticket.acknowledge_due,
        ),
        else_=Ticket.resolve_due,
    )


async def _counts(ctx: Context, where: ColumnElement[bool]) -> Counts:
    rows = await ctx.db.execute(
        select(Ticket.department, Ticket.category, func.count())
        .where(where)
        .group_by(Ticket.department, Ticket.category)
    )
    return [(department or "", category, int(n)) for department, category, n in rows.all()]
