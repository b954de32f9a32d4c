"""The ticket card a department's group receives, with the buttons of the next steps.

The card never names an anonymous reporter: departments see the report, not who sent it. A
reporter's phone (a hotline caller's, for the call-back) is only on the card in the group of
the unit that handles the ticket: never in the supervision group (a ticket waiting to be
routed) nor on an escalation card in the groups above. A
photo is shown when it was taken on the same platform as the group (a platform's file reference
means nothing on another one); otherwise the card says how many photos there are.
"""

from __future__ import annotations

from qunzhu.core import Button, ChatRef, Context, Org, Reply, Translator, aware

from .buttons import Acknowledge, More, Reassign, Resolve, Start, Urge
from .config import ComplaintsConfig
from .desk_texts import instruction_line
from .directory import department_chat, department_name, t_for_chat
from .models import Ticket
from .report import is_video
from .states import WITH_DEPARTMENT, Status
from .texts import SOURCES, category_name, place, status_line, when

__all__ = [
    "card",
    "card_buttons",
    "escalation_card",
    "post_card",
    "post_escalation_card",
    "refresh_card",
    "reporter_line",
    "retire_cards",
]


def reporter_line(t: Translator, ticket: Ticket, *, phone: bool = False) -> str:
    """``反映人：…``: anonymous, or the name, and with `phone` the phone number too."""
    number = ticket.reporter_phone if phone else ""
    if ticket.anonymous or not (ticket.reporter_name or number):
        return t("Reporter: anonymous") if ticket.anonymous else t("Reporter: not given")
    contact = " ".join(x for x in (ticket.reporter_name, number) if x)
    return t("Reporter: {name}", name=contact)


def card_buttons(t: Translator, ticket: Ticket) -> list[list[Button]]:
    """The next steps: the frequent ones in sight, the rarer (reject, duplicate, return)
    behind "更多…"."""
    tid = ticket.id
    status = ticket.status
    more = Button(t("More…"), data=More(tid).pack())
    if status in (Status.NEW, Status.NOT_RESPONSIBLE):
        return [[Button(t("Route"), data=Reassign(tid).pack()), more]]
    if status in (Status.ASSIGNED, Status.REOPENED):
        first = Button(t("Acknowledge"), data=Acknowledge(tid).pack())
    elif status == Status.ACKNOWLEDGED:
        first = Button(t("In progress"), data=Start(tid).pack())
    elif status == Status.IN_PROGRESS:
        first = None
    else:
        return []
    resolve = Button(t("Resolved"), data=Resolve(tid).pack())
    top = [first, resolve] if first is not None else [resolve]
    return [top, [Button(t("Reassign"), data=Reassign(tid).pack()), more]]


def _escalation_buttons(t: Translator, ticket: Ticket) -> list[list[Button]]:
    """An upper department's card: urge the department below, resolve, or reassign."""
    if ticket.status not in WITH_DEPARTMENT or ticket.escalation == 0:
        return []
    tid = ticket.id
    return [
        [
            Button(t("Urge"), data=Urge(tid).pack()),
            Button(t("Resolved"), data=Resolve(tid).pack()),
        ],
        [Button(t("Reassign"), data=Reassign(tid).pack())],
    ]


def _outcome(t: Translator, org: Org, ticket: Ticket, original: str) -> str:
    """Why a ticket left the departments' hands without being resolved."""
    reason = ticket.reason
    if ticket.status == Status.REJECTED:
        return t("Reason: {reason}", reason=reason)
    if ticket.status == Status.DUPLICATE:
        return t("Same problem as {number}: {reason}", number=original or "?", reason=reason)
    if ticket.status == Status.NOT_RESPONSIBLE:
        return t(
            "Returned by {department}: {reason}",
            department=department_name(org, ticket.returned_by, t.lang) or "-",
            reason=reason,
        )
    return ""


def _urgent(t: Translator, ticket: Ticket) -> str:
    return " · " + t("⚡ urgent") if ticket.priority == "urgent" else ""


def card(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    t: Translator,
    chat: str,
    *,
    original: str = "",
) -> Reply:
    """The card as it reads now, in `t`'s language, for the group `chat` (`original`: the
    number of the ticket a duplicate repeats)."""
    tz = ctx.calendar.tz
    lang = t.lang
    lines = [
        f"📋 {ticket.number} · {category_name(config, ticket.category, lang)}{_urgent(t, ticket)}",
        status_line(t, ticket.status, department_name(ctx.org, ticket.department, lang)),
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
    handling = bool(ticket.department) and chat == department_chat(ctx.org, ticket.department)
    lines.append(reporter_line(t, ticket, phone=handling))
    if ticket.assignee_name:
        lines.append(t("Handled by: {name}", name=ticket.assignee_name))
    lines.append(
        t(
            "Acknowledge by {ack} · resolve by {resolve}",
            ack=when(aware(ticket.acknowledge_due), tz),
            resolve=when(aware(ticket.resolve_due), tz),
        )
    )
    if instruction := instruction_line(t, ticket, tz):
        lines.append(instruction)
    if ticket.metoo:
        lines.append(t("👥 {n} more people reported the same", n=ticket.metoo))
    if ticket.reopened:
        lines.append(t("🔁 Reopened {n} times", n=ticket.reopened))
    if ticket.resolution:
        lines.append(t("Result: {note}", note=ticket.resolution))
    outcome = _outcome(t, ctx.org, ticket, original)
    if outcome:
        lines.append(outcome)
    photo = _photo_for(ticket, chat)
    photos = sum(1 for p in ticket.photos if not is_video(p))
    if photo is None and photos:
        lines.append(t("📷 {n} photos", n=photos))
    if videos := len(ticket.photos) - photos:
        lines.append(t("🎬 {n} videos", n=videos))
    reply = Reply("\n".join(lines), photo=photo)
    return reply.with_buttons(*card_buttons(t, ticket))


def _photo_for(ticket: Ticket, chat: str) -> str | None:
    platform = chat.partition(":")[0]
    for photo in ticket.photos:
        if photo.get("platform") == platform and photo.get("ref") and not is_video(photo):
            return str(photo["ref"])
    return None


def _card_chat(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> str | None:
    return department_chat(ctx.org, ticket.department) or config.supervision_chat


async def _original(ctx: Context, ticket: Ticket) -> str:
    if ticket.duplicate_of is None:
        return ""
    found = await ctx.db.get(Ticket, ticket.duplicate_of)
    return found.number if found is not None else ""


async def post_card(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> None:
    """Post the card in the department's group (or, unrouted, in the supervision group)."""
    chat = _card_chat(ctx, config, ticket)
    if chat is None:
        ticket.card_id, ticket.card_chat = None, ""
        return
    t = t_for_chat(ctx, chat)
    original = await _original(ctx, ticket)
    out = await ctx.send(
        card(ctx, config, ticket, t, chat, original=original), chat=ChatRef.parse(chat)
    )
    ticket.card_id, ticket.card_chat = out.id, chat


def escalation_card(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    t: Translator,
    chat: str,
    *,
    head: str,
    original: str = "",
) -> Reply:
    """The card an upper department gets when the ticket escalates to it: `head` says so."""
    body = card(ctx, config, ticket, t, chat, original=original)
    reply = Reply(f"{head}\n\n{body.text}", photo=body.photo)
    return reply.with_buttons(*_escalation_buttons(t, ticket))


async def post_escalation_card(
    ctx: Context, config: ComplaintsConfig, ticket: Ticket, chat: str, head: str
) -> None:
    """Send the escalation card to `chat` and remember it, to keep it current."""
    t = t_for_chat(ctx, chat)
    out = await ctx.send(
        escalation_card(ctx, config, ticket, t, chat, head=head), chat=ChatRef.parse(chat)
    )
    entry = {"id": out.id, "chat": chat, "head": head}
    ticket.escalation_cards = [*ticket.escalation_cards, entry]  # a new list: JSON is saved


async def refresh_card(ctx: Context, config: ComplaintsConfig, ticket: Ticket) -> None:
    """Edit the posted card, and the escalation cards, to show the ticket as it is now. An
    escalation card shown without buttons is final and forgotten."""
    original = await _original(ctx, ticket)
    if ticket.card_id is not None and ticket.card_chat:
        t = t_for_chat(ctx, ticket.card_chat)
        await ctx.edit(
            ticket.card_id, card(ctx, config, ticket, t, ticket.card_chat, original=original)
        )
    if not ticket.escalation_cards:
        return
    for entry in ticket.escalation_cards:
        t = t_for_chat(ctx, entry["chat"])
        head = str(entry.get("head", ""))
        reply = escalation_card(ctx, config, ticket, t, entry["chat"], head=head, original=original)
        await ctx.edit(int(entry["id"]), reply)
    if not _escalation_buttons(t, ticket):
        ticket.escalation_cards = []


async def retire_cards(
    ctx: Context,
    config: ComplaintsConfig,
    ticket: Ticket,
    message: str,
    *,
    department: str | None = None,
) -> None:
    """The ticket leaves its department: its card and escalation cards lose their buttons and
    say `message` (a msgid formatted with ``number`` and ``department``) in each group's
    language."""
    cards = [(c["id"], c["chat"], c.get("head", "")) for c in ticket.escalation_cards]
    if ticket.card_id is not None and ticket.card_chat:
        cards.insert(0, (ticket.card_id, ticket.card_chat, ""))
    for card_id, chat, head in cards:
        t = t_for_chat(ctx, chat)
        new = department_name(ctx.org, department, t.lang)
        text = t(message, number=ticket.number, department=new)
        await ctx.edit(int(card_id), Reply(f"{head}\n\n{text}" if head else text))
    ticket.card_id, ticket.card_chat = None, ""
    ticket.escalation_cards = []
