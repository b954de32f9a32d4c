"""The morning digest ("好事不关注，专门找问题"): at ``digest.time`` (08:00 by default, in
bot.timezone; working days only unless told otherwise) what is new, overdue and reopened by
department and category, and under "needs attention" the tickets themselves: number, unit, source
group, how late and a short line of text, reopened ones first, then the most overdue. People
with the role ``supervisor`` get it privately, ``digest.chats`` too; with ``digest.heads`` the
head of each unit gets it privately too, of the problems his desk shows (`digest_heads`). When
there is nothing to report nothing is sent.

Other plugins add their sections for each recipient through the core's ``digest_sections``
hook (the check-ins plugin: the overdue tasks that person assigned or supervises), and for each
of ``digest.chats`` through ``digest_chat_sections`` (what a whole group may read: the overdue
tasks of the group's unit and below), gathered once per digest; a recipient with no complaint to
read but an overdue task gets a digest of that section alone.

The figures are read once per digest (and once per distinct scope of the heads), in a few
grouped queries (counts by department and category, the first tickets by how late they are),
and the text written once per language and scope, however many recipients there are: cheap at
100,000 open tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from qunzhu.core import ChatRef, Context, DigestSection, Person, Translator, UserRef, aware, job

from .config import ComplaintsConfig
from .desk_items import Scope, scope_of
from .digest_heads import ScopeKey, scope_key, unit_heads, within
from .directory import base_config, department_name, t_for_chat
from .models import Ticket, TicketEvent, overdue
from .notices import short_text
from .states import WITH_DEPARTMENT, Status
from .texts import SOURCES, category_name, overdue_amount

__all__ = ["Digest", "digest", "digest_text", "plan_digest", "read_digest"]

Counts = list[tuple[str, str, int]]  # department, category, how many


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


@job("digest", misfire="skip", help="Morning digest for supervisors")
async def digest(ctx: Context) -> None:
    config = base_config(ctx)
    now = ctx.now()
    if not config.digest.enabled:
        return
    if config.digest.workdays_only and not ctx.calendar.is_workday(
        now.astimezone(ctx.calendar.tz).date()
    ):
        return
    since = _last_digest(ctx, config, now)
    readings: dict[ScopeKey | None, Digest] = {None: await read_digest(ctx, config, now, since)}
    texts: dict[tuple[ScopeKey | None, str], str] = {}

    async def text_in(t: Translator, scope: Scope | None, others: list[DigestSection]) -> str:
        """The digest for `scope` (None: everything) in `t`'s language, with `others`'
        sections; "" when there is nothing to say."""
        key = scope_key(scope) if scope is not None else None
        if key not in readings:
            readings[key] = await read_digest(ctx, config, now, since, scope)
        found = readings[key]
        if found.empty and not others:
            return ""
        if (key, t.lang) not in texts:
            texts[key, t.lang] = digest_text(ctx, config, t, now, found)
        parts = [texts[key, t.lang]] if not found.empty else [_title(ctx, t, now)]
        return "\n\n".join([*parts, *(x.text() for x in others)])

    chats = list(config.digest.chats)
    for_chats = await ctx.digest_chat_sections(chats, since)  # a unit's overdue tasks
    for chat in chats:
        text = await text_in(t_for_chat(ctx, chat), None, for_chats.get(chat, []))
        if text:
            await ctx.send(text, chat=ChatRef.parse(chat))
    supervisors = await ctx.with_role("supervisor")
    heads = await unit_heads(ctx, supervisors) if config.digest.heads else []
    sections = await ctx.digest_sections([*supervisors, *heads], since)  # overdue tasks
    for person in [*supervisors, *heads]:
        scope = None if person.has_role("supervisor") else scope_of(person, ctx.org)
        t = t_for_chat(ctx, "", person.lang)
        text = await text_in(t, scope, sections.get(person.id, []))
        if text:
            await _send_privately(ctx, person, text)


async def _send_privately(ctx: Context, person: Person, text: str) -> None:
    """To `person`'s first identity on a platform the bot is connected to."""
    for identity in person.identities:
        platform, _, user_id = identity.partition(":")
        if platform in ctx.app.adapters:
            await ctx.send_direct(UserRef(platform, user_id, person.name), text)
            return


async def plan_digest(ctx: Context) -> None:
    """At start-up: the digest at ``digest.time``, or none when it is off."""
    config = base_config(ctx)
    if config.digest.enabled:
        await ctx.schedule("digest", cron=config.digest.cron, key="morning")
    else:
        await ctx.unschedule("digest", "morning")


def _last_digest(ctx: Context, config: ComplaintsConfig, now: datetime) -> datetime:
    """When the previous digest went out: a day ago, or on Monday the last working day's
    morning, so that what came in over the weekend is in Monday's digest."""
    since = now - timedelta(days=1)
    if not config.digest.workdays_only:
        return since
    calendar = ctx.calendar
    for _ in range(31):  # the longest holiday is far shorter
        if calendar.is_workday(since.astimezone(calendar.tz).date()):
            break
        since -= timedelta(days=1)
    return since


async def read_digest(
    ctx: Context,
    config: ComplaintsConfig,
    now: datetime,
    since: datetime | None = None,
    scope: Scope | None = None,
) -> Digest:
    """New (since `since`, default a day ago), overdue now, reopened since `since`, and the
    tickets waiting for a supervisor to route them (new, or returned by a department); only
    the tickets `scope` covers (a unit head's desk) when given."""
    since = since or now - timedelta(days=1)
    scoped = within(scope)

    def where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(*conditions, scoped) if scoped is not None else and_(*conditions)

    reopened = (
        select(TicketEvent.ticket_id)
        .where(TicketEvent.action == "reopen", TicketEvent.at >= since)
        .distinct()
        .scalar_subquery()
    )
    found = Digest(
        new=await _counts(ctx, where(Ticket.created_at >= since)),
        late=await _counts(ctx, where(overdue(now))),
        reopened=await _counts(ctx, where(Ticket.id.in_(reopened))),
    )
    waiting = (
        await ctx.db.execute(
            select(
                func.count(),
                func.sum(case((Ticket.status == Status.NOT_RESPONSIBLE, 1), else_=0)),
            ).where(where(Ticket.status.in_((Status.NEW, Status.NOT_RESPONSIBLE))))
        )
    ).one()
    found.waiting, found.returned = int(waiting[0] or 0), int(waiting[1] or 0)
    limit = config.digest.items
    if limit:
        again = (
            await ctx.db.scalars(
                select(Ticket)
                .where(where(Ticket.id.in_(reopened)))
                .order_by(Ticket.id)
                .limit(limit)
            )
        ).all()
        late = (
            await ctx.db.scalars(
                select(Ticket)
                .where(where(overdue(now), Ticket.id.not_in(reopened)))
                .order_by(_late_since(), Ticket.id)
                .limit(max(0, limit - len(again)))
            )
        ).all()
        found.attention = [*again, *late]
        found.reopened_ids = frozenset(x.id for x in again)
        found.late_listed = len(late) + sum(1 for x in again if _is_late(x, now))
    return found


def _is_late(ticket: Ticket, now: datetime) -> bool:
    """`models.overdue` for one ticket in hand."""
    if ticket.status not in WITH_DEPARTMENT:
        return False
    waiting = ticket.status in _WAITING
    return aware(ticket.resolve_due) <= now or (waiting and aware(ticket.acknowledge_due) <= now)


_WAITING = (Status.ASSIGNED, Status.REOPENED)


def _late_against(ticket: Ticket) -> datetime:
    """The first deadline an overdue ticket missed: to acknowledge while it waits for that,
    else to resolve."""
    if ticket.status in _WAITING:
        return min(aware(ticket.acknowledge_due), aware(ticket.resolve_due))
    return aware(ticket.resolve_due)


def _late_since() -> ColumnElement[datetime]:
    """`_late_against` in SQL, to list the most overdue first."""
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


def digest_text(
    ctx: Context, config: ComplaintsConfig, t: Translator, now: datetime, found: Digest
) -> str:
    day = now.astimezone(ctx.calendar.tz).strftime("%Y-%m-%d")
    lines = [t("📊 Complaints digest {day}", day=day)]
    for label, counts in (
        (t("New"), found.new),
        (t("Overdue"), found.late),
        (t("Reopened"), found.reopened),
    ):
        lines.append(t("{what}: {n}", what=label, n=sum(n for _, _, n in counts)))
        lines += _breakdown(ctx, config, t, counts)
    if found.waiting:
        lines.append(t("{what}: {n}", what=t("Waiting to be routed"), n=found.waiting))
        if found.returned:
            lines.append("  · " + t("returned by a department: {n}", n=found.returned))
    if found.attention:
        lines.append(t("Needs attention:"))
        lines += [
            "  · " + _item(ctx, t, x, now, x.id in found.reopened_ids) for x in found.attention
        ]
        rest = sum(n for _, _, n in found.late) - found.late_listed
        if rest > 0:
            lines.append("  " + t("… and {n} more: send /tickets overdue", n=rest))
    return "\n".join(lines)


def _title(ctx: Context, t: Translator, now: datetime) -> str:
    """The head of a digest with nothing about complaints, only other plugins' sections."""
    day = now.astimezone(ctx.calendar.tz).strftime("%Y-%m-%d")
    return t("📊 Digest {day}", day=day)


def _item(ctx: Context, t: Translator, ticket: Ticket, now: datetime, reopened: bool) -> str:
    """``Q-2026-0001 住建局 · 工地 · 已超期 2 天：三标段混凝土没按规范养护``."""
    unit = department_name(ctx.org, ticket.department, t.lang) or t("not routed")
    if ticket.source == "group" and ticket.source_chat:  # a group by its name; a person never
        where = ticket.source_title or ChatRef.parse(ticket.source_chat).chat_id
    else:
        where = t(SOURCES.get(ticket.source, ticket.source))
    due = _late_against(ticket)
    if reopened:
        state = t("reopened")
    elif due <= now:
        state = t("{late} overdue", late=overdue_amount(t, ctx.calendar, due, now))
    else:
        state = ""
    head = " · ".join(x for x in (f"{ticket.number} {unit}", where, state) if x)
    text = short_text(ticket.description)
    return t("{line}: {text}", line=head, text=text) if text else head


def _breakdown(ctx: Context, config: ComplaintsConfig, t: Translator, counts: Counts) -> list[str]:
    lines = []
    for department, category, n in sorted(counts, key=lambda x: (-x[2], x[0], x[1])):
        name = department_name(ctx.org, department, t.lang) or t("not routed")
        label = category_name(config, category, t.lang)
        lines.append(
            "  · " + t("{department} / {category}: {n}", department=name, category=label, n=n)
        )
    return lines
