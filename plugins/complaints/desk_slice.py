"""One page of the problem desk, selected, ranked and paged by the database: the chat
``/desk`` and the web console's desk both show `desk_slice`, in `desk_items.rank`'s order.

A city's desk has tens of thousands of open tickets; ranking them in Python read every one on
every view. A desk of up to 2,000 tickets (a unit's, a week's) is still read whole, by the
index that finds them, and ranked as `desk_items.rank` ranks. A larger one is counted by the
indexes, and its order (`desk_items.key`) falls in three blocks, each read only as far as the
page reaches:

1. urgent: the urgent tickets (few), ranked by the database, and the urgent offers;
2. overdue: the other overdue tickets, the longest overdue first. Each status and deadline
   (to resolve; to acknowledge, when the time to resolve has not run out) is read in the order
   of its index (status, deadline), as far as the page, all in one statement, then merged;
3. the rest: reopened, most reported, oldest first, and the other offers.

The counts (overdue, not taken up, this week, the sizes of the blocks) are counts the indexes
answer: (status, deadlines) and (priority, status, deadlines) (migration 0007). Offers
(problems detected and not filed) are few, grouped and ranked in Python
(`desk_items.offer_items`) and merged with the tickets: ties go to tickets (by id), as `rank`
keeps tickets before offers.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    case,
    func,
    not_,
    or_,
    select,
    union_all,
)

from qunzhu.core import Context, Org

from .desk_buttons import DeskFilter
from .desk_items import (
    SHOWN,
    UNTAKEN,
    Item,
    Scope,
    key,
    offer_items,
    pick,
    rank,
    ticket_item,
    tickets_in,
)
from .models import Ticket, late_to_acknowledge, late_to_resolve, overdue
from .states import OPEN, WITH_DEPARTMENT, Status

__all__ = ["DeskSlice", "desk_slice", "unit_counts"]

_WAITING = (Status.ASSIGNED, Status.REOPENED)
#: Up to this many tickets (a unit's desk, a week's), all are read (by the index that finds
#: them) and ranked as `rank` does; more (a city's): counted, and read in blocks.
_FEW = 2000


@dataclass(frozen=True, slots=True)
class DeskSlice:
    """A page of the desk (`items`, ranked), how many the filter keeps in all and of them
    overdue, not taken up and filed this week; the page shown and how many there are."""

    items: list[Item]
    total: int
    late: int
    untaken: int
    week: int
    page: int
    pages: int


def _filter(
    which: DeskFilter, unit: str, org: Org, week_start: datetime, now: datetime
) -> list[ColumnElement[bool]]:
    """What `desk_items.pick` keeps, on tickets."""
    if which is DeskFilter.OVERDUE:
        return [overdue(now)]
    if which is DeskFilter.UNTAKEN:
        return [Ticket.status.in_(UNTAKEN)]
    if which is DeskFilter.WEEK:
        return [Ticket.created_at >= week_start]
    if which is DeskFilter.UNIT:
        below = org.subtree(unit)
        chats = [c for u in below for c in u.chats]
        return [or_(Ticket.department.in_([u.key for u in below]), Ticket.source_chat.in_(chats))]
    return []


def _count(*where: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(Ticket).where(*where).scalar_subquery()


def _tail() -> tuple[Any, ...]:
    """The order after urgency and lateness: reopened, most reported, oldest, then by id."""
    return (case((Ticket.reopened > 0, 0), else_=1), Ticket.metoo.desc(), Ticket.created_at,
            Ticket.id)  # fmt: skip


def _late_first(now: datetime) -> tuple[Any, ...]:
    """The overdue first, the longest overdue first (when its missed deadline was)."""
    late_since = case(
        (late_to_resolve(now), Ticket.resolve_due),
        (late_to_acknowledge(now), Ticket.acknowledge_due),
    )
    return late_since.is_(None), late_since


async def _read(
    ctx: Context, query: Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]], now: datetime
) -> list[Item]:
    return [ticket_item(row, now) for row in await ctx.db.execute(query)]


def _merged(streams: Iterable[Sequence[Item]]) -> list[Item]:
    """Ranked streams as one, ties to tickets by id, then offers in their order."""
    return list(heapq.merge(*streams, key=lambda i: (key(i), i.kind == "o", i.id)))


async def desk_slice(
    ctx: Context,
    scope: Scope,
    which: DeskFilter,
    unit: str,
    week_start: datetime,
    *,
    page: int,
    per_page: int,
) -> DeskSlice:
    """Page `page` (from 1; kept within the pages there are) of `per_page` items of `scope`'s
    desk as filter `which` keeps it (`unit` for `DeskFilter.UNIT`)."""
    now = ctx.now()
    base = [Ticket.status.in_(OPEN), *tickets_in(scope),
            *_filter(which, unit, ctx.org, week_start, now)]  # fmt: skip
    offers = pick(rank(await offer_items(ctx, scope)), which, unit, ctx.org, week_start)
    query = select(Ticket.status, func.count()).where(*base).group_by(Ticket.status)
    by_status = {status: int(n) for status, n in await ctx.db.execute(query)}
    total = sum(by_status.values())
    if total <= _FEW:  # a unit's desk, a week's: every one read, by the filter's index
        found = await _read(ctx, select(*SHOWN).where(*base).order_by(Ticket.id), now)
        items = rank([*found, *offers])
        return _page_of(items, items, week_start, page, per_page)
    untaken = sum(n for status, n in by_status.items() if status in UNTAKEN)
    return await _large(
        ctx, base, offers, (total, untaken), week_start, page=page, per_page=per_page
    )


def _page_of(
    shown: list[Item], every: list[Item], week_start: datetime, page: int, per_page: int
) -> DeskSlice:
    """The slice of `every` item (ranked) on `page`: `shown` if `every` is that page's only."""
    pages = max(1, -(-len(every) // per_page))
    page = min(max(page, 1), pages)
    return DeskSlice(
        items=shown[(page - 1) * per_page : page * per_page],
        total=len(every),
        late=sum(1 for i in every if i.late_since is not None),
        untaken=sum(1 for i in every if i.untaken),
        week=sum(1 for i in every if i.created >= week_start),
        page=page,
        pages=pages,
    )


async def _large(
    ctx: Context,
    base: list[ColumnElement[bool]],
    offers: list[Item],
    counted: tuple[int, int],
    week_start: datetime,
    *,
    page: int,
    per_page: int,
) -> DeskSlice:
    """A city's desk: counted by the indexes, the page's blocks read as far as it reaches
    (`counted`: how many tickets in all and not taken up, counted by status)."""
    total, untaken = counted
    now = ctx.now()
    urgent = Ticket.priority == "urgent"
    late = or_(late_to_resolve(now), late_to_acknowledge(now))
    counts = (
        await ctx.db.execute(
            select(
                _count(*base, late_to_resolve(now)),
                _count(*base, late_to_acknowledge(now)),
                _count(*base, Ticket.created_at >= week_start),
                _count(*base, urgent),
                _count(*base, urgent, late_to_resolve(now)),
                _count(*base, urgent, late_to_acknowledge(now)),
            )
        )
    ).one()
    by_resolve, by_ack, week, urgent_n, urgent_resolve, urgent_ack = (int(n) for n in counts)
    urgent_offers = [o for o in offers if o.urgent]
    other_offers = [o for o in offers if not o.urgent]
    everything = total + len(offers)
    pages = max(1, -(-everything // per_page))
    page = min(max(page, 1), pages)
    start, end = (page - 1) * per_page, page * per_page
    late_n = by_resolve + by_ack
    sizes = (urgent_n + len(urgent_offers), late_n - urgent_resolve - urgent_ack)
    items: list[Item] = []
    # 1. urgent
    first, last = start, min(end, sizes[0])
    if last > first:
        query = select(*SHOWN).where(*base, urgent)
        query = query.order_by(*_late_first(now), *_tail()).limit(last)
        items += _merged([await _read(ctx, query, now), urgent_offers])[first:last]
    # 2. overdue, not urgent: one stream per status and deadline, each in its index's order,
    # read in one statement (a round trip each was a good part of the page on PostgreSQL)
    first, last = max(start - sizes[0], 0), min(end - sizes[0], sizes[1])
    if last > first:
        streams = [
            select(*SHOWN)
            .where(*base, not_(urgent), Ticket.status == status, Ticket.resolve_due <= now)
            .order_by(Ticket.resolve_due, *_tail())
            .limit(last)
            for status in sorted(WITH_DEPARTMENT)
        ]
        streams += [
            select(*SHOWN)
            .where(*base, not_(urgent), Ticket.status == status, late_to_acknowledge(now))
            .order_by(Ticket.acknowledge_due, *_tail())
            .limit(last)
            for status in _WAITING
        ]
        both = union_all(*(select(*q.subquery().c) for q in streams))
        found = await _read(ctx, both, now)
        items += sorted(found, key=lambda i: (key(i), i.id))[first:last]
    # 3. the rest
    first, last = max(start - sum(sizes), 0), end - sum(sizes)
    if last > first:
        query = select(*SHOWN).where(*base, not_(urgent), not_(late))
        rest = await _read(ctx, query.order_by(*_tail()).limit(last), now)
        items += _merged([rest, other_offers])[first:last]
    return DeskSlice(
        items=items,
        total=everything,
        late=late_n,
        untaken=untaken + len(offers),
        week=week + sum(1 for o in offers if o.created >= week_start),
        page=page,
        pages=pages,
    )


async def unit_counts(ctx: Context, scope: Scope) -> dict[str, int]:
    """{unit key: how many items of `scope`'s desk are its or below it} (an item counts for
    the units above its unit and above its group's unit, once), counted by the database by
    unit and group, each pair's chains walked once."""
    org = ctx.org
    query = (
        select(Ticket.department, Ticket.source_chat, func.count())
        .where(Ticket.status.in_(OPEN), *tickets_in(scope))
        .group_by(Ticket.department, Ticket.source_chat)
    )
    pairs: dict[tuple[str | None, str], int] = {}
    for department, chat, n in await ctx.db.execute(query):
        pairs[(department, chat)] = pairs.get((department, chat), 0) + int(n)
    for offer in await offer_items(ctx, scope):
        pairs[(None, offer.chat)] = pairs.get((None, offer.chat), 0) + 1
    chains: dict[str | None, frozenset[str]] = {None: frozenset()}

    def chain(unit_key: str | None) -> frozenset[str]:
        if unit_key not in chains:
            chains[unit_key] = frozenset(u.key for u in org.chain(unit_key)) if unit_key else (
                frozenset())  # fmt: skip
        return chains[unit_key]

    owners: dict[str, str | None] = {"": None}
    counts: dict[str, int] = {}
    for (department, chat), n in pairs.items():
        if chat not in owners:
            found = org.unit_of_chat(chat)
            owners[chat] = found.key if found is not None else None
        for unit_key in chain(department) | chain(owners[chat]):
            counts[unit_key] = counts.get(unit_key, 0) + n
    return counts
