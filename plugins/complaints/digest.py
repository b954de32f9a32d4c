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

from datetime import datetime, timedelta

from qunzhu.core import ChatRef, Context, DigestSection, Person, Translator, UserRef, job

from .config import ComplaintsConfig
from .desk_items import scope_of
from .digest_heads import ScopeKey, scope_key, unit_heads
from .digest_read import Counts, Digest, late_against, read_digest, read_scoped
from .directory import base_config, department_name, t_for_chat
from .models import Ticket
from .notices import short_text
from .texts import SOURCES, category_name, overdue_amount

__all__ = ["Digest", "digest", "digest_text", "plan_digest", "read_digest"]


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
    supervisors = await ctx.with_role("supervisor")
    heads = await unit_heads(ctx, supervisors) if config.digest.heads else []
    scopes = {person.id: scope_of(person, ctx.org) for person in heads}
    readings: dict[ScopeKey | None, Digest] = {None: await read_digest(ctx, config, now, since)}
    distinct = {scope_key(scope): scope for scope in scopes.values()}
    scoped = await read_scoped(ctx, config, now, since, list(distinct.values()))
    readings.update(zip(distinct, scoped, strict=True))
    texts: dict[tuple[ScopeKey | None, str], str] = {}

    def text_in(t: Translator, key: ScopeKey | None, others: list[DigestSection]) -> str:
        """The digest of scope `key` (None: everything) in `t`'s language, with `others`'
        sections; "" when there is nothing to say."""
        found = readings[key]
        if found.empty and not others:
            return ""
        if (key, t.lang) not in texts:
            texts[key, t.lang] = digest_text(ctx, config, t, now, found, desk=key is not None)
        parts = [texts[key, t.lang]] if not found.empty else [_title(ctx, t, now)]
        return "\n\n".join([*parts, *(x.text() for x in others)])

    chats = list(config.digest.chats)
    for_chats = await ctx.digest_chat_sections(chats, since)  # a unit's overdue tasks
    for chat in chats:
        text = text_in(t_for_chat(ctx, chat), None, for_chats.get(chat, []))
        if text:
            await ctx.send(text, chat=ChatRef.parse(chat))
    sections = await ctx.digest_sections([*supervisors, *heads], since)  # overdue tasks
    for person in [*supervisors, *heads]:
        key = scope_key(scopes[person.id]) if person.id in scopes else None
        text = text_in(t_for_chat(ctx, "", person.lang), key, sections.get(person.id, []))
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


def digest_text(
    ctx: Context,
    config: ComplaintsConfig,
    t: Translator,
    now: datetime,
    found: Digest,
    *,
    desk: bool = False,
) -> str:
    """The digest of `found`. `desk`: a unit head's, whose overdue tickets beyond the list are
    on his problem desk (``/desk overdue``, the same scope; ``/tickets overdue`` refuses a head
    who is no unit's member and shows a member every unit's); the supervisors' text also goes
    to ``digest.chats``, groups, where the desk is not shown, so it names the ticket list."""
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
        if rest > 0 and desk:
            lines.append("  " + t("… and {n} more: send /desk overdue", n=rest))
        elif rest > 0:
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
    due = late_against(ticket)
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
