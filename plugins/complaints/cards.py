"""The ticket card a department's group receives, with the buttons of the next steps.

The card never names an anonymous reporter: departments see the report, not who sent it. A
photo is shown when it was taken on the same platform as the group (a platform's file reference
means nothing on another one); otherwise the card says how many photos there are.
"""

from __future__ import annotations

from qunzhu.core import Button, Context, Reply, Translator

from .config import ComplaintsConfig
from .directory import chat_of, department_name, t_for_chat
from .models import Ticket, aware
from .states import Status
from .texts import SOURCES, category_name, place, status_line, when

__all__ = ["card", "post_card", "refresh_card", "reporter_line"]

PREFIX = "complaints:"


def reporter_line(t: Translator, ticket: Ticket) -> str:
    if ticket.anonymous or not (ticket.reporter_name or ticket.reporter_phone):
        return t("Reporter: anonymous") if ticket.anonymous else t("Reporter: not given")
    contact = " ".join(x for x in (ticket.reporter_name, ticket.reporter_phone) if x)
    return t("Reporter: {name}", name=contact)


def _buttons(t: Translator, ticket: Ticket) -> list[list[Button]]:
    tid = ticket.id
    status = ticket.status
    if status in (Status.NEW, Status.NOT_RESPONSIBLE):
        return [[Button(t("Route"), data=f"{PREFIX}reassign:{tid}")]]
    if status in (Status.ASSIGNED, Status.REOPENED):
        first = Button(t("Acknowledge"), data=f"{PREFIX}ack:{tid}")
    elif status == Status.ACKNOWLEDGED:
        first = Button(t("In progress"), data=f"{PREFIX}start:{tid}")
    elif status == Status.IN_PROGRESS:
        first = None
    else:
        return []
    row = [b for b in (first,) if b is not None]
    row += [
        Button(t("Resolved"), data=f"{PREFIX}resolve:{tid}"),
        Button(t("Reassign"), data=f"{PREFIX}reassign:{tid}"),
    ]
    return [row]


def card(ctx: Context, config: ComplaintsConfig, ticket: Ticket, t: Translator, chat: str) -> Reply:
    """The card as it reads now, in `t`'s language, for the group `chat`."""
    tz = ctx.calendar.tz
    lang = t.lang
    lines = [
        f"📋 {ticket.number} · {category_name(config, ticket.category, lang)}",
        status_line(t, ticket.status, department_name(config, ticket.department, lang)),
        "",
        ticket.description or t("(no description)"),
    ]
    where = place(ticket.address, ticket.latitude, ticket.longitude)
    if where:
        lines.append(f"📍 {where}")
    source = t(SOURCES.get(ticket.source, ticket.source))
    if ticket.source_title and ticket.source == "group":
        source = t("{source} in {chat}", source=source, chat=ticket.source_title)
    lines.append(t("Source: {source}", source=source))
    lines.append(reporter_line(t, ticket))
    if ticket.assignee_name:
        lines.append(t("Handled by: {name}", name=ticket.assignee_name))
    lines.append(
        t(
            "Acknowledge by {ack} · resolve by {resolve}",
            ack=when(aware(ticket.acknowledge_due), tz),
            resolve=when(aware(ticket.resolve_due), tz),
        )
    )
    if ticket.metoo:
        lines.append(t("👥 {n} more people reported the same", n=ticket.metoo))
    if ticket.reopened:
        lines.append(t("🔁 Reopened {n} times", n=ticket.reopened))
    if ticket.resolution:
        lines.append(t("Result: {note}", note=ticket.resolution))
    photo = _photo_for(ticket, chat)
    if photo is None and ticket.photos:
        lines.append(t("📷 {n} photos", n=len(ticket.photos)))
    reply = Reply("\n".join(lines), photo=photo)
    return reply.with_buttons(*_buttons(t, ticket))


def _photo_for(ticket: Ticket, chat: str) -> str | None:
    platform = chat.partition(":")[0]
    for photo in ticket.photos:
        if photo.get("platform") == platform and photo.get("ref"):
            return str(photo["ref"])
    return None


def _card_chat(config: ComplaintsConfig, ticket: Ticket) -> str | None:
    department = config.departments.get(ticket.department or "")
    if department is not None and department.chat:
        return department.chat
    return config.supervision_chat


async def post_card(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> None:
    """Post the card in the department's group (or, unrouted, in the supervision group)."""
    chat = _card_chat(config, ticket)
    if chat is None:
        ticket.card_id, ticket.card_chat = None, ""
        return
    t = t_for_chat(ctx, chat)
    out = await ctx.send(card(ctx, config, ticket, t, chat), chat=chat_of(chat))
    ticket.card_id, ticket.card_chat = out.id, chat


async def refresh_card(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> None:
    """Edit the posted card to show the ticket as it is now."""
    if ticket.card_id is None or not ticket.card_chat:
        return
    t = t_for_chat(ctx, ticket.card_chat)
    await ctx.edit(ticket.card_id, card(ctx, config, ticket, t, ticket.card_chat))
