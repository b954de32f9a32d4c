"""The morning digest (08:00 in bot.timezone, working days): what is new, overdue and
reopened, by department and category ("好事不关注，专门找问题"). People with the role
``supervisor`` get it privately; ``digest.chats`` get it too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select

from qunzhu.core import ChatRef, Context, Org, Translator, UserRef, job

from .config import ComplaintsConfig
from .directory import base_config, department_name, t_for_chat
from .models import Ticket, TicketEvent, overdue
from .states import Status
from .texts import category_name

__all__ = ["digest", "digest_text"]


@job("digest", cron="0 8 * * *", misfire="skip", help="Morning digest for supervisors")
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
    for chat in config.digest.chats:
        t = t_for_chat(ctx, chat)
        await ctx.send(await digest_text(ctx, config, t, now, since), chat=ChatRef.parse(chat))
    for person in await ctx.with_role("supervisor"):
        t = t_for_chat(ctx, "", person.lang)
        text = await digest_text(ctx, config, t, now, since)
        for identity in person.identities:
            platform, _, user_id = identity.partition(":")
            if platform in ctx.app.adapters:
                await ctx.send_direct(UserRef(platform, user_id, person.name), text)
                break


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


async def digest_text(
    ctx: Context,
    config: ComplaintsConfig,
    t: Translator,
    now: datetime,
    since: datetime | None = None,
) -> str:
    """New (since `since`, default a day ago), overdue now, reopened since `since`, and any
    tickets waiting for a supervisor to route them (new, or returned by a department)."""
    since = since or now - timedelta(days=1)
    new = (await ctx.db.scalars(select(Ticket).where(Ticket.created_at >= since))).all()
    late = (await ctx.db.scalars(select(Ticket).where(overdue(now)))).all()
    reopened_ids = (
        await ctx.db.scalars(
            select(TicketEvent.ticket_id).where(
                TicketEvent.action == "reopen", TicketEvent.at >= since
            )
        )
    ).all()
    reopened = await _tickets(ctx, set(reopened_ids))
    waiting = (
        await ctx.db.scalars(
            select(Ticket).where(Ticket.status.in_((Status.NEW, Status.NOT_RESPONSIBLE)))
        )
    ).all()
    day = now.astimezone(ctx.calendar.tz).strftime("%Y-%m-%d")
    lines = [t("📊 Complaints digest {day}", day=day)]
    for label, group in (
        (t("New"), new),
        (t("Overdue"), late),
        (t("Reopened"), reopened),
    ):
        lines.append(t("{what}: {n}", what=label, n=len(group)))
        lines += _breakdown(config, ctx.org, t, group)
    if waiting:
        lines.append(t("{what}: {n}", what=t("Waiting to be routed"), n=len(waiting)))
        returned = sum(1 for x in waiting if x.status == Status.NOT_RESPONSIBLE)
        if returned:
            lines.append("  · " + t("returned by a department: {n}", n=returned))
    return "\n".join(lines)


async def _tickets(ctx: Context, ids: set[int]) -> list[Ticket]:
    if not ids:
        return []
    return list((await ctx.db.scalars(select(Ticket).where(Ticket.id.in_(ids)))).all())


def _breakdown(
    config: ComplaintsConfig, org: Org, t: Translator, tickets: Iterable[Ticket]
) -> list[str]:
    by: Counter[tuple[str, str]] = Counter((x.department or "", x.category) for x in tickets)
    lines = []
    for (department, category), n in sorted(by.items(), key=lambda kv: (-kv[1], kv[0])):
        name = department_name(org, department, t.lang) or t("not routed")
        label = category_name(config, category, t.lang)
        lines.append(
            "  · " + t("{department} / {category}: {n}", department=name, category=label, n=n)
        )
    return lines
