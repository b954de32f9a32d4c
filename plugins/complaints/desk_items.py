"""What the problem desk lists: the problems of every group a person supervises, filed or not,
ranked (the data; `desk` shows it).

Whose problems: by the organisation model, the units where the person is head or member and
every unit below them, with their group chats (a ``supervisor`` or an admin sees everything).
An item is a "登记为问题" offer nobody acted on (a message detected as a problem in one of
those groups, not older than `OFFER_DAYS`, also while its author is asked whether it repeats a
ticket), or an open ticket of those units or raised in those groups. Offers about the same
problem (`duplicates.alike`: same category, same group or place, close in time) are one item
that counts each person who raised it ("👥 3人反映"). Two indexed queries read only the columns
shown; ranking is done on the rows read:

1. urgent first;
2. the longest overdue first (working time past the deadline to acknowledge or to resolve);
3. reopened, then the most people reporting the same thing ("me too");
4. the oldest first.

Who may route an item from the desk (`may_route`) is narrower than who sees it: supervisors
(and admins) and the heads of the units above it, by its group or the unit that has it; a
unit's member sees the list and is told he may not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select

from qunzhu.core import Context, Org, OrgUnit, Person, aware

from .config import ComplaintsConfig
from .desk_buttons import DeskFilter
from .directory import base_config
from .duplicates import alike
from .models import Pending, Ticket
from .report import Report
from .states import OPEN, WITH_DEPARTMENT, Status

__all__ = [
    "ASKED",
    "OFFER_DAYS",
    "SHOWN",
    "UNTAKEN",
    "Item",
    "Scope",
    "gather",
    "key",
    "may_route",
    "offer_items",
    "pick",
    "rank",
    "scope_of",
    "ticket_item",
    "tickets_in",
]

#: An offer older than this is no longer listed (the group has moved on).
OFFER_DAYS = 30
#: At most this many rows of each kind are read (a province's desk is paged by unit).
_LIMIT = 5000
_QUOTE = 36
_NEVER = datetime.max.replace(tzinfo=UTC)
#: An offer as the desk reads it: a `Pending`, or a row of its id, time, group and report.
_Offer = Pending | Row[*tuple[Any, ...]]
#: Not taken up: nobody acknowledged it (or it came back to be routed again).
#: An offer's `Pending.ticket_id` while its author answers a question first (a similar
#: report? which unit?): still not filed, still on the desk (as `intake`, `by_group`).
ASKED = -1
UNTAKEN = frozenset({Status.NEW, Status.ASSIGNED, Status.REOPENED, Status.NOT_RESPONSIBLE})
#: The columns an item shows, read as plain rows: a city's desk reads thousands, and whole
#: objects (every column, JSON decoded, each tracked by the session) took most of its time.
SHOWN = (Ticket.id, Ticket.number, Ticket.category, Ticket.status, Ticket.priority,
          Ticket.department, Ticket.source_chat, Ticket.source_title, Ticket.source,
          Ticket.description, Ticket.created_at, Ticket.resolve_due, Ticket.acknowledge_due,
          Ticket.metoo, Ticket.reopened)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scope:
    """The units (keys) and group chats whose problems a person sees; `everything` for a
    supervisor or an admin."""

    units: frozenset[str]
    chats: frozenset[str]
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.units or self.chats)

    def covers(self, department: str | None, chat: str) -> bool:
        return self.everything or department in self.units or chat in self.chats


def scope_of(person: Person, org: Org) -> Scope:
    """What `person` supervises (see the module's docstring)."""
    if person.is_admin or person.has_role("supervisor"):
        return Scope(frozenset(u.key for u in org.units), frozenset(), everything=True)
    units: dict[str, OrgUnit] = {}
    for own in org.units_of(person):
        units.update((u.key, u) for u in org.subtree(own))
    chats = frozenset(chat for unit in units.values() for chat in unit.chats)
    return Scope(frozenset(units), chats)


def may_route(person: Person, org: Org, department: str | None, chat: str) -> bool:
    """Whether `person` may route from the desk an item raised in group `chat` (or held by
    `department`): a supervisor or an admin, or the head of a unit above it."""
    if person.is_admin or person.has_role("supervisor"):
        return True
    owner = org.unit_of_chat(chat) if chat else None
    above = [*(org.chain(owner) if owner else ()), *(org.chain(department) if department else ())]
    return any(org.is_head(person, unit) for unit in above)


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the desk. `kind`: ``o`` an offer (`id` its `Pending`), ``t`` a ticket."""

    kind: str
    id: int
    number: str
    category: str
    status: str
    urgent: bool
    department: str | None
    chat: str
    title: str
    quote: str
    created: datetime
    #: Past which deadline, and when it was (None: not overdue).
    late_since: datetime | None
    #: How many people reported it (the reporter and every "me too").
    count: int = 1
    reopened: int = 0
    #: An offer's item: the ids of every offer about the same problem, its own first.
    members: tuple[int, ...] = ()

    @property
    def untaken(self) -> bool:
        return self.kind == "o" or self.status in UNTAKEN


def _quote(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _QUOTE else line[: _QUOTE - 1] + "…"


def _late_since(row: Ticket | Row[*tuple[Any, ...]], now: datetime) -> datetime | None:
    """When the deadline it missed was (as `models.overdue` reads it), or None."""
    if row.status not in WITH_DEPARTMENT:
        return None
    resolve, ack = aware(row.resolve_due), aware(row.acknowledge_due)
    if resolve <= now:
        return resolve
    if row.status in (Status.ASSIGNED, Status.REOPENED) and ack <= now:
        return ack
    return None


async def gather(ctx: Context, scope: Scope) -> list[Item]:
    """Every item of `scope`, unranked (tickets by id, then offers)."""
    now = ctx.now()
    tickets = select(*SHOWN).where(Ticket.status.in_(OPEN), *tickets_in(scope))
    tickets = tickets.order_by(Ticket.id).limit(_LIMIT)
    items = [ticket_item(row, now) for row in await ctx.db.execute(tickets)]
    return items + await offer_items(ctx, scope)


def tickets_in(scope: Scope) -> list[ColumnElement[bool]]:
    """The condition on tickets of `scope` (none for everything)."""
    if scope.everything:
        return []
    return [or_(Ticket.department.in_(scope.units), Ticket.source_chat.in_(scope.chats))]


async def offer_items(ctx: Context, scope: Scope) -> list[Item]:
    """The offers of `scope` nobody acted on, one item per problem, oldest first."""
    offers = select(Pending.id, Pending.created_at, Pending.chat, Pending.report).where(
        Pending.kind == "offer",
        or_(Pending.ticket_id.is_(None), Pending.ticket_id == ASKED),
        Pending.created_at >= ctx.now() - timedelta(days=OFFER_DAYS),
    )
    if not scope.everything:
        offers = offers.where(Pending.chat.in_(scope.chats))
    rows = await ctx.db.execute(offers.order_by(Pending.created_at, Pending.id).limit(_LIMIT))
    return [_offer_item(same) for same in _same_problems(base_config(ctx), list(rows))]


def _same_problems(config: ComplaintsConfig, offers: list[_Offer]) -> list[list[_Offer]]:
    """`offers` (oldest first) in groups about the same problem: each joins the first group
    whose latest offer it is `alike`. Only the groups it may be alike are looked at: those of
    its category whose latest offer was raised in the same group chat, or has a position when
    it has one (`alike` needs one or the other), and not already older than
    ``duplicate_days`` (offers come oldest first, so such a group takes no later one); an
    offer's `Report` is made only to compare it. A city's desk reads thousands of offers in
    thousands of groups: comparing each with every group took seconds."""
    groups: list[list[tuple[_Offer, datetime]]] = []
    by_chat: dict[tuple[object, object], set[int]] = {}
    placed: dict[object, set[int]] = {}
    reports: dict[int, Report] = {}
    days = timedelta(days=config.duplicate_days)

    def buckets(data: dict[str, Any]) -> list[set[int]]:
        found = []
        chat = data.get("source_chat")
        if data.get("source_kind", "group") == "group" and chat:
            found.append(by_chat.setdefault((data.get("category"), chat), set()))
        if data.get("latitude") is not None and data.get("longitude") is not None:
            found.append(placed.setdefault(data.get("category"), set()))
        return found

    def report(row: _Offer) -> Report:
        if row.id not in reports:
            reports[row.id] = Report.from_json(row.report)
        return reports[row.id]

    for row in offers:
        at = aware(row.created_at)
        chosen = None
        for index in sorted(set[int]().union(*buckets(row.report))):
            last, last_at = groups[index][-1]
            if at - last_at > days:  # too old for this offer and every later one
                for bucket in buckets(last.report):
                    bucket.discard(index)
            elif alike(config, report(last), last_at, report(row), at):
                chosen = index
                break
        if chosen is None:
            groups.append([])
            chosen = len(groups) - 1
        else:
            for bucket in buckets(groups[chosen][-1][0].report):
                bucket.discard(chosen)
        groups[chosen].append((row, at))
        for bucket in buckets(row.report):
            bucket.add(chosen)
    return [[row for row, _ in group] for group in groups]


def ticket_item(row: Ticket | Row[*tuple[Any, ...]], now: datetime) -> Item:
    return Item(
        kind="t",
        id=row.id,
        number=row.number,
        category=row.category,
        status=row.status,
        urgent=row.priority == "urgent",
        department=row.department,
        chat=row.source_chat,
        title=row.source_title if row.source == "group" else "",
        quote=_quote(row.description),
        created=aware(row.created_at),
        late_since=_late_since(row, now),
        count=1 + row.metoo,
        reopened=row.reopened,
    )


def _offer_item(same: Sequence[_Offer]) -> Item:
    """One item for the offers `same` about one problem, the oldest its quote and group."""
    row, report = same[0], same[0].report
    if len(same) == 1:  # most of a city's thousands
        people: Sized = same
        titles = [str(report.get("source_title") or "")]
        urgent = report.get("priority") == "urgent"
    else:
        people = {str(o.report.get("reporter_key") or o.id) for o in same}
        titles = list(dict.fromkeys(str(o.report.get("source_title") or "") for o in same))
        urgent = any(o.report.get("priority") == "urgent" for o in same)
    return Item(
        kind="o",
        id=row.id,
        number="",
        category=str(report.get("category") or ""),
        status="",
        urgent=urgent,
        department=None,
        chat=row.chat,
        title="、".join(t for t in titles if t),
        quote=_quote(str(report.get("description") or "")),
        created=aware(row.created_at),
        late_since=None,
        count=len(people),
        members=tuple(o.id for o in same),
    )


def key(item: Item) -> tuple[bool, bool, datetime, bool, int, datetime]:
    """Where `item` ranks (`rank`): most urgent, longest overdue, reopened, most reported,
    oldest first. `desk_slice` orders the same in SQL (ties: tickets by id, then offers)."""
    late = item.late_since
    return (
        not item.urgent,
        late is None,
        late or _NEVER,  # the longest overdue first; the others by what follows
        not item.reopened,
        -item.count,
        item.created,
    )


def rank(items: Iterable[Item]) -> list[Item]:
    """Most urgent, longest overdue, reopened, most reported, oldest first."""
    return sorted(items, key=key)


def pick(
    items: list[Item], which: DeskFilter, unit: str, org: Org, week_start: datetime
) -> list[Item]:
    """The items a filter keeps (`unit`: a unit's key, for `DeskFilter.UNIT`: its items and
    those of the units below it, by department or by group)."""
    if which is DeskFilter.OVERDUE:
        return [i for i in items if i.late_since is not None]
    if which is DeskFilter.UNTAKEN:
        return [i for i in items if i.untaken]
    if which is DeskFilter.WEEK:
        return [i for i in items if i.created >= week_start]
    if which is DeskFilter.UNIT:
        below = org.subtree(unit)
        keys = {u.key for u in below}
        chats = {c for u in below for c in u.chats}
        return [i for i in items if i.department in keys or i.chat in chats]
    return list(items)
