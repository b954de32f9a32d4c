"""From a message to a ticket: the offer under a group message ("登记为问题"), ``/ticket`` as a
reply, and the last step shared by every way in (a possible duplicate is offered first)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import or_, select

from qunzhu.core import Button, Context, Message, Reply, aware

from .behalf import forward_of, tell_reporter
from .buttons import File
from .by_group import ask_unit, group_unit
from .config import ComplaintsConfig
from .detect import matcher_for
from .directory import base_config, department_name, is_official
from .duplicates import candidates, join, offer_reply
from .group_forward import by_forward_origin, named_source
from .models import Pending, Ticket
from .report import Report
from .switch import detection_on
from .texts import category_name, when
from .tickets import file_ticket

__all__ = [
    "confirmation",
    "detect",
    "from_reply",
    "press_file",
    "press_metoo",
    "settle_offer",
    "settle_source",
    "submit",
]

_ASKED = -1  # an offer handed over to the question about a possible duplicate


def confirmation(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> str:
    """What the reporter reads once the ticket exists."""
    lang, tz = ctx.lang, ctx.calendar.tz
    category = category_name(config, ticket.category, lang)
    if ticket.department:
        return ctx.t(
            "Filed as {number} ({category}) and sent to {department}. They must acknowledge it "
            "by {ack} and resolve it by {resolve}; you will hear of its progress.",
            number=ticket.number,
            category=category,
            department=department_name(ctx.org, ticket.department, lang),
            ack=when(aware(ticket.acknowledge_due), tz),
            resolve=when(aware(ticket.resolve_due), tz),
        )
    return ctx.t(
        "Filed as {number} ({category}). A supervisor will send it to the right department; "
        "you will hear of its progress.",
        number=ticket.number,
        category=category,
    )


async def submit(ctx: Context, report: Report, *, reply_to: str | None = None) -> Ticket | None:
    """File `report`, or first ask whether it repeats a nearby ticket. Answers in this chat."""
    config = base_config(ctx)
    if report.source_chat != ctx.chat.key:
        reply_to = None  # asked in private about a group message: nothing here to answer under
    own, other = group_unit(ctx, config, report)
    if other is not None:
        await ask_unit(ctx, config, report, own, other)  # never routed elsewhere unasked
        return None
    if own:
        report = replace(report, department=own)  # the unit's own group: that unit
    found = await candidates(ctx, config, report)
    if found:
        pending = Pending(
            kind="duplicate",
            created_at=ctx.now(),
            source=_source_of(report),  # its offer's: the desk may file it meanwhile
            report=report.to_json(),
            candidates=[t.id for t in found],
        )
        ctx.db.add(pending)
        await ctx.db.flush()
        question = replace(offer_reply(ctx, config, pending.id, found), reply_to=reply_to)
        out = await ctx.send(question)
        pending.message_id = out.id
        return None
    ticket = await file_ticket(ctx, report)
    await ctx.send(Reply(confirmation(ctx, config, ticket), reply_to=reply_to))
    await tell_reporter(ctx, ticket, report)  # filed on someone's behalf: they hear of it
    return ticket


def _source_of(report: Report) -> str:
    """The message a report came from, as `Pending.source` keys it ("" without one)."""
    if not report.source_chat or not report.source_event:
        return ""
    return f"{report.source_chat} {report.source_event}"


async def detect(ctx: Context, message: Message) -> None:
    """Offer to file a group message that reads like a problem report."""
    config: ComplaintsConfig = ctx.config
    if message.edited or message.chat.is_direct:
        return
    match = matcher_for(config).detect(message, config.min_score)
    if match is None or match.category is None or not await detection_on(ctx, config):
        return  # the text first: the group's switch is read only for a likely report
    report = replace(
        Report.from_message(message, match.category, "group"),
        description=named_source(ctx, message, message.text.strip()),
        reporter_id=ctx.person.id,
        reporter_name=ctx.person.name,  # the name people know (/name, the YAML)
        extra={"forwarded": True} if forward_of(message) is not None else {},
    )
    pending = Pending(
        kind="offer",
        created_at=ctx.now(),
        source=f"{message.chat.key} {message.event_id}",
        chat=message.chat.key,
        report=report.to_json(),
    )
    ctx.db.add(pending)
    await ctx.db.flush()
    name = category_name(base_config(ctx), match.category, ctx.lang)
    text = ctx.t("This looks like a problem report ({category}).", category=name)
    button = Button(ctx.t("File as complaint"), data=File(pending.id).pack())
    out = await ctx.reply(Reply(text).with_buttons(button))
    pending.message_id = out.id


async def press_file(ctx: Context, pending_id: int) -> None:
    """ "登记为问题" pressed: the author or an official files the message."""
    config = base_config(ctx)
    pending = await ctx.db.get(Pending, pending_id)
    if pending is None:
        await ctx.reply(ctx.t("This offer is no longer available."))
        return
    report = Report.from_json(pending.report)
    if pending.ticket_id == _ASKED:
        await ctx.reply(ctx.t("Please answer the question about a similar report first."))
        return
    if pending.ticket_id is not None:
        ticket = await ctx.db.get(Ticket, pending.ticket_id)
        number = ticket.number if ticket else "?"
        await ctx.reply(ctx.t("Already filed as {number}.", number=number))
        return
    if ctx.sender.key != report.reporter_key and not is_official(ctx.person, config):
        await ctx.reply(
            ctx.t("Only the author of the message or an official may file it as a complaint.")
        )
        return
    forwarded = await _forwarded(ctx, report)
    if forwarded is not None and await by_forward_origin(ctx, forwarded, "", "group"):
        return  # the writer's report: who and how is asked in private
    ticket = await submit(ctx, report, reply_to=report.source_event or None)
    if ticket is not None:
        pending.ticket_id = ticket.id
        if pending.message_id is not None:
            await ctx.edit(
                pending.message_id, Reply(ctx.t("Filed as {number}.", number=ticket.number))
            )
    elif pending.message_id is not None:
        pending.ticket_id = _ASKED
        await ctx.edit(pending.message_id, Reply(ctx.t("One question first, below.")))


async def _forwarded(ctx: Context, report: Report) -> Message | None:
    """The group message of an offer, when it was forwarded (its origin is on the event)."""
    if not report.extra.get("forwarded"):
        return None
    event = await ctx.recorded(report.source_event, report.source_ref())
    return event if isinstance(event, Message) else None


async def press_metoo(ctx: Context, pending_id: int, ticket_id: int | None) -> None:
    """The answer to "is it one of these?": join `ticket_id`, or (None) file a new ticket."""
    config = base_config(ctx)
    pending = await ctx.db.get(Pending, pending_id)
    if pending is None or pending.kind != "duplicate":
        await ctx.reply(ctx.t("This offer is no longer available."))
        return
    report = Report.from_json(pending.report)
    if ctx.sender.key != report.reporter_key and not is_official(ctx.person, config):
        await ctx.reply(ctx.t("Only the person who reported it may answer this."))
        return
    if pending.ticket_id is not None:
        ticket = await ctx.db.get(Ticket, pending.ticket_id)
        await ctx.reply(
            ctx.t("Already answered: {number}.", number=ticket.number if ticket else "?")
        )
        return
    if ticket_id is None:
        ticket = await file_ticket(ctx, report)
        text = confirmation(ctx, config, ticket)
        await tell_reporter(ctx, ticket, report)
    else:
        found = await ctx.db.get(Ticket, ticket_id)
        if found is None or ticket_id not in pending.candidates:
            await ctx.reply(ctx.t("This offer is no longer available."))
            return
        ticket = found
        await join(ctx, config, ticket, report)
        text = ctx.t(
            "You joined {number}: {n} people have reported this problem. You will hear of its "
            "progress.",
            number=ticket.number,
            n=ticket.metoo + 1,
        )
    pending.ticket_id = ticket.id
    await _answered(ctx, pending, ticket)
    if pending.message_id is not None:
        await ctx.edit(pending.message_id, Reply(text))
    else:
        await ctx.reply(text)


async def _answered(ctx: Context, pending: Pending, ticket: Ticket) -> None:
    """The question about a similar report was answered: the offer it came from (and the
    question of which unit, if one was asked first) is settled, and leaves the desk. An offer
    still open (the message was filed by ``/ticket``, or from a private chat) says so."""
    if not pending.source:
        return
    waiting = await ctx.db.scalars(
        select(Pending).where(
            Pending.kind.in_(("offer", "route")),
            Pending.source == pending.source,
            or_(Pending.ticket_id == _ASKED, Pending.ticket_id.is_(None)),
        )
    )
    for offer in waiting:
        still_open = offer.ticket_id is None
        offer.ticket_id = ticket.id
        if still_open and offer.message_id is not None:
            text = ctx.t("Filed as {number}.", number=ticket.number)
            await ctx.edit(offer.message_id, Reply(text))


async def settle_offer(ctx: Context, message: Message, ticket: Ticket) -> None:
    """The message was filed another way (``/ticket``): its "登记为问题" offer says so."""
    await settle_source(ctx, f"{message.chat.key} {message.event_id}", ticket)


async def settle_source(ctx: Context, source: str, ticket: Ticket) -> int:
    """The message `source` names ("chat event") was filed as `ticket`: its open offers say
    so; how many there were."""
    offers = (
        await ctx.db.scalars(
            select(Pending).where(Pending.source == source, Pending.ticket_id.is_(None))
        )
    ).all()
    for offer in offers:
        offer.ticket_id = ticket.id
        if offer.message_id is not None:
            text = ctx.t("Filed as {number}.", number=ticket.number)
            await ctx.edit(offer.message_id, Reply(text))
    return len(offers)


async def from_reply(ctx: Context, message: Message) -> Message | None:
    """The message `message` replies to, as the bot received it (None if it never saw it)."""
    if not message.reply_to:
        return None
    event = await ctx.recorded(message.reply_to, message.chat)
    return event if isinstance(event, Message) else None
