"""The plugin's commands: ``/report`` (a private report), ``/ticket`` (file the message you
reply to, or show a ticket by number), ``/tickets`` (lists) and ``/hotline``;
``/export_tickets`` is in `links`."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, or_, select

from qunzhu.core import N_, Button, Context, Message, Reply, Text, UsageError, aware, command

from .behalf import start_behalf
from .buttons import Page, TicketList
from .cards import card_buttons
from .detect import matcher_for
from .directory import base_config, department_name, is_official, may_act
from .group_forward import by_forward_origin, named_source
from .hotline import BodyError, import_records, read_body
from .intake import from_reply, settle_offer, submit
from .links import export_command
from .manual import close_command, reopen_command
from .media import waiting_media
from .models import Follower, Ticket, TicketEvent, overdue
from .numbers import parse_number
from .report import Report, media_of
from .states import HISTORY, OPEN
from .texts import category_name, place, status_label, status_line, when
from .tickets import find

__all__ = ["COMMANDS"]

_PAGE = 10


@command("report", aliases=["报告", "反映", "報告"], help=N_("Report a problem, step by step"))
async def report(ctx: Context) -> None:
    chat = await ctx.direct_chat()
    await ctx.start_dialog("report", chat=chat, initial=await waiting_media(ctx, chat))
    if not ctx.chat.is_direct:
        await ctx.reply(ctx.t("I have written to you privately; please continue there."))


@command(
    "ticket",
    aliases=["登记", "登記", "工单", "工單"],
    help=N_("Reply to a message with /ticket to file it; /ticket Q-2026-0001 shows a ticket"),
)
async def ticket_command(ctx: Context, text: Text = "") -> None:
    message = ctx.message
    assert message is not None
    config = base_config(ctx)
    found = await find(ctx, text) if text else None
    if found is not None:
        if not await _may_see(ctx, found):
            raise UsageError(
                ctx.t("Only its reporters and officials may see {number}.", number=found.number)
            )
        shown = Reply(await _show(ctx, found))
        if may_act(ctx.person, ctx.org, found):  # the card's buttons, where there is no card
            shown = shown.with_buttons(*card_buttons(ctx.t, found))
        await ctx.reply(shown)
        return
    if text and not message.reply_to and parse_number(text) == text.strip().upper():
        raise UsageError(ctx.t("There is no ticket {number}.", number=text.strip()))
    if not is_official(ctx.person, config) and not message.chat.is_direct:
        raise UsageError(
            ctx.t(
                "Only officials may file messages as tickets; "
                "send /report to report a problem yourself."
            )
        )
    original = await from_reply(ctx, message) if message.reply_to else None
    if message.reply_to and original is None:
        raise UsageError(
            ctx.t(
                "I cannot see that message (I was not in the chat then?). "
                "Write /ticket and the problem instead."
            )
        )
    if message.chat.is_direct and not is_official(ctx.person, config):
        await _report_dialog(ctx, original, text)  # a resident: asked step by step
        return
    if message.chat.is_direct:  # an official passing on what someone told him
        await start_behalf(ctx, original, text, await waiting_media(ctx, ctx.chat))
        return
    if original is None and not text:
        if message.chat.is_direct:
            await ctx.start_dialog("report", initial=await waiting_media(ctx, ctx.chat))
            return
        raise UsageError(
            ctx.t("Reply to the message with /ticket, or write /ticket and the problem.")
        )
    if original is not None and await by_forward_origin(ctx, original, text, "command"):
        return  # a person's words forwarded here: theirs, asked about in private
    source = original or message
    content = (source.text if original else text).strip() or text.strip()
    category = matcher_for(config).category(f"{content} {text}") or ""
    author = await ctx.person_of(original.sender) if original else ctx.person
    filed = replace(
        Report.from_message(source, category, "command"),
        description=named_source(ctx, source, content or text),
        reporter_id=author.id,
        reporter_name=author.name,  # the name people know (/name, the YAML), not the account's
    )
    ticket = await submit(ctx, filed, reply_to=source.event_id)
    if ticket is not None and original is not None:
        await settle_offer(ctx, original, ticket)


async def _report_dialog(ctx: Context, original: Message | None, text: str) -> None:
    """A resident's ``/ticket`` in private is a report like any other: the dialog asks what
    is missing (a photo, the place, the kind) and whether the department may see the name."""
    words = (original.text if original is not None else text).strip()
    initial: dict[str, object] = {"description": words} if words else {}
    if original is not None and media_of(original):
        initial["photo"] = media_of(original)
    await ctx.start_dialog("report", initial=initial)


async def _may_see(ctx: Context, ticket: Ticket) -> bool:
    if is_official(ctx.person, base_config(ctx)):
        return True
    follows = await ctx.db.scalar(
        select(Follower.id).where(
            Follower.ticket_id == ticket.id, Follower.user_key.in_(ctx.person.identities)
        )
    )
    return follows is not None or ticket.reporter_key in ctx.person.identities


async def _show(ctx: Context, ticket: Ticket) -> str:
    config = base_config(ctx)
    lang, tz = ctx.lang, ctx.calendar.tz
    lines = [
        f"{ticket.number} · {category_name(config, ticket.category, lang)}"
        + (" · " + ctx.t("⚡ urgent") if ticket.priority == "urgent" else ""),
        status_line(ctx.t, ticket.status, department_name(ctx.org, ticket.department, lang)),
        ticket.description,
    ]  # fmt: skip
    where = place(ticket.address, ticket.latitude, ticket.longitude)
    if where:
        lines.append(f"📍 {where}")
    lines.append(ctx.t("Acknowledge by {ack} · resolve by {resolve}",
                       ack=when(aware(ticket.acknowledge_due), tz),
                       resolve=when(aware(ticket.resolve_due), tz)))  # fmt: skip
    if ticket.metoo:
        lines.append(ctx.t("👥 {n} more people reported the same", n=ticket.metoo))
    history = (
        await ctx.db.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    ).all()
    lines.append(ctx.t("Timeline:"))
    officials = is_official(ctx.person, config)
    reveal = ctx.person.is_admin and ctx.chat.is_direct
    for event in history:
        actor = event.actor_name or "-"
        if not officials:
            actor = "-"
        elif ticket.anonymous and not reveal and _by_reporter(ticket, event):
            actor = ctx.t("the reporter")
        elif ticket.anonymous and not reveal and event.action in ("created", "metoo"):
            actor = "-"
        note = f" · {event.note}" if event.note and event.action not in ("created",) else ""
        action = ctx.t(HISTORY.get(event.action, event.action))
        lines.append(f"  {when(aware(event.at), tz)} {action} · {actor}{note}")
    return "\n".join(lines)


def _by_reporter(ticket: Ticket, event: TicketEvent) -> bool:
    """Whether the reporter did this (confirmed, reopened, rated...)."""
    if event.actor_id is not None and event.actor_id == ticket.reporter_id:
        return True
    return bool(ticket.reporter_name) and event.actor_name == ticket.reporter_name


@command(
    "tickets",
    aliases=["工单列表", "工單列表"],
    help=N_("List tickets: /tickets [mine|department|overdue|open] [page]"),
)
async def tickets_command(ctx: Context, which: str = "", page: int = 1) -> None:
    now = ctx.now()
    which = _KINDS.get(which, which) or ("department" if ctx.person.scopes("member") else "mine")
    query = select(Ticket)
    if which == "mine":
        query = query.where(
            or_(Ticket.reporter_id == ctx.person.id, Ticket.reporter_key == ctx.sender.key)
        )
    elif which == "department":
        scopes = ctx.person.scopes("member")
        if not scopes:
            raise UsageError(ctx.t("You belong to no department; try /tickets mine."))
        query = query.where(Ticket.department.in_(scopes), Ticket.status.in_(OPEN))
    elif which in ("overdue", "open"):
        if not (ctx.person.has_role("supervisor") or ctx.person.scopes("member")):
            raise UsageError(ctx.t("Only supervisors and departments may list all tickets."))
        query = query.where(overdue(now) if which == "overdue" else Ticket.status.in_(OPEN))
    else:
        raise UsageError(ctx.t("Choose one of: mine, department, overdue, open."))
    total = await ctx.db.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // _PAGE))
    page = min(max(page, 1), pages)
    rows = (
        await ctx.db.scalars(
            query.order_by(Ticket.id.desc()).offset((page - 1) * _PAGE).limit(_PAGE)
        )
    ).all()
    if not rows:
        await ctx.reply(ctx.t("No tickets."))
        return
    lines = [
        ctx.t(
            "Tickets ({which}), page {page} of {pages}:",
            which=ctx.t(_WHICH[which]),
            page=page,
            pages=pages,
        )
    ]
    for x in rows:
        text = x.description if len(x.description) <= 30 else x.description[:29] + "…"
        dept = department_name(ctx.org, x.department, ctx.lang) or "-"
        lines.append(f"{x.number} · {status_label(ctx.t, x.status)} · {dept} · {text}")
    buttons = []
    if page > 1:
        buttons.append(Button(ctx.t("◀ Previous"), data=Page(TicketList(which), page - 1).pack()))
    if page < pages:
        buttons.append(Button(ctx.t("Next ▶"), data=Page(TicketList(which), page + 1).pack()))
    reply = Reply("\n".join(lines))
    await ctx.reply(reply.with_buttons(buttons) if buttons else reply)


_WHICH = {
    "mine": N_("mine"),
    "department": N_("my department"),
    "overdue": N_("overdue"),
    "open": N_("open"),
}
_KINDS = {
    "我的": "mine",
    "本部门": "department",
    "部门": "department",
    "超期": "overdue",
    "待办": "open",
}


@command(
    "hotline",
    aliases=["热线", "熱線"],
    role="supervisor",
    help=N_("Import 12345 records: send a CSV file with the caption /hotline"),
)
async def hotline_command(ctx: Context) -> None:
    message = ctx.message
    assert message is not None
    source = message if message.attachments else await from_reply(ctx, message)
    files = [a for a in (source.attachments if source else ()) if a.kind.value == "file"]
    if not files:
        raise UsageError(
            ctx.t("Send the CSV file with the caption /hotline, or reply /hotline to it.")
        )
    body = await ctx.download(files[0])
    try:
        records = read_body(body, csv=True)
    except BodyError as exc:
        await ctx.reply(
            ctx.t("Nothing was imported: {reason}", reason=ctx.t(exc.msgid, **exc.fields))
        )
        return
    done = await import_records(ctx, base_config(ctx), records)
    await ctx.reply(done.summary(ctx.t))


COMMANDS = (
    report,
    ticket_command,
    tickets_command,
    export_command,
    hotline_command,
    close_command,
    reopen_command,
)
