"""Overdue and escalation notices people can read: one message per unit per scan.

A scan gathers, for each unit, the tickets it found late (in the supervision group: "⚠️ 超期：
住建局 3 件" and a line per ticket: its number, how late, a short line of its text) and, for each
unit above, the tickets escalated to it (in that unit's group: one ticket gets its escalation card
with buttons, several one list). The first `MAX_LINES` are listed, the rest counted: "…及另外 N
件，发送 /工单列表 超期 查看". A scan that goes on in further batches (each its own transaction)
keeps what it gathered in ``complaints_notice`` and the batch that ends it posts it all, so a
first scan over 100,000 tickets posts one message per unit, not one per ticket.

A posted list is edited in place as its tickets move on: a ticket acknowledged, resolved or sent
elsewhere reads "（现：已接单）" on its line (`refresh_notices`, called by `tickets.move`), for
`KEEP_POSTED` after the notice was posted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from qunzhu.core import N_, ChatRef, Context, Translator

from .cards import post_escalation_card
from .config import ComplaintsConfig
from .directory import department_name, t_for_chat
from .models import Notice, NoticeTicket, Ticket
from .texts import overdue_amount, status_label

__all__ = ["KEEP_POSTED", "MAX_LINES", "Gathered", "keep", "post", "refresh_notices", "short_text"]

#: How long a posted notice is kept current (then forgotten).
KEEP_POSTED = timedelta(days=2)

#: Lines listed in one notice (a Telegram message holds 4,096 characters).
MAX_LINES = 30
#: Characters of a ticket's text on its line.
TEXT_CHARS = 24
_LONG_NUMBER = re.compile(r"\d{7,}")
_SPACES = re.compile(r"\s+")

Key = tuple[str, str, str]  # chat, unit, kind

_LINES = {
    "ack": N_("{number} is {late} late to acknowledge"),
    "resolve": N_("{number} is {late} overdue, not resolved"),
    "escalated": N_("{number} is {late} overdue, not resolved; escalated to {upper}"),
}


def short_text(text: str, limit: int = TEXT_CHARS) -> str:
    """The ticket's text on one short line; long digit runs (a phone, an id card) masked."""
    flat = _SPACES.sub(" ", _LONG_NUMBER.sub("***", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Gathered:
    """What one batch of a scan found, by (chat, unit, kind)."""

    def __init__(self) -> None:
        self.items: dict[Key, list[dict[str, Any]]] = defaultdict(list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def late(
        self, chat: str, ticket: Ticket, what: str, due: datetime, now: datetime, *, upper: str = ""
    ) -> None:
        """`ticket` is late (`what`: ack, resolve, escalated): a line in `chat` under its unit,
        one per ticket (named late and escalated in one scan, it reads as escalated)."""
        items = self.items[(chat, ticket.department or "", "overdue")]
        if items and items[-1]["id"] == ticket.id:
            items.pop()
        items.append(_item(ticket, what, due, now, upper))

    def escalated(
        self, chat: str, upper: str, ticket: Ticket, due: datetime, now: datetime
    ) -> None:
        """`ticket` was escalated to `upper`, whose group is `chat`."""
        self.items[(chat, upper, "escalated")].append(_item(ticket, "escalated", due, now, upper))


def _item(ticket: Ticket, what: str, due: datetime, now: datetime, upper: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ticket.id,
        "number": ticket.number,
        "what": what,
        "department": ticket.department or "",
        "upper": upper,
        "text": short_text(ticket.description),
        "status": ticket.status,
        "due": due.isoformat(),
        "now": now.isoformat(),
    }
    if ticket.source == "hotline" and ticket.external_id and ticket.external_id[0] != "#":
        data["record"] = ticket.external_id
    return data


async def keep(ctx: Context, gathered: Gathered) -> None:
    """Add what a batch gathered to the notices waiting for the scan's end."""
    if not gathered:
        return
    waiting = await ctx.db.scalars(select(Notice).where(Notice.message_id.is_(None)))
    rows = {(n.chat, n.unit, n.kind): n for n in waiting.all()}
    for key, items in gathered.items.items():
        row = rows.get(key)
        if row is None:
            chat, unit, kind = key
            row = Notice(chat=chat, unit=unit, kind=kind, total=0, items=[])
            ctx.db.add(row)
        room = max(0, MAX_LINES + 1 - len(row.items))  # one more: a single escalation's card
        row.items = [*row.items, *items[:room]]  # a new list: JSON is saved
        row.total += len(items)


async def post(ctx: Context, config: ComplaintsConfig, gathered: Gathered) -> None:
    """Post every notice waiting (and what `gathered` holds): one message per unit."""
    await keep(ctx, gathered)
    now = ctx.now()
    waiting = select(Notice).where(Notice.message_id.is_(None)).order_by(Notice.id)
    rows = list((await ctx.db.scalars(waiting)).all())
    for row in rows:
        t = t_for_chat(ctx, row.chat)
        if row.kind == "escalated" and row.total == 1:
            await _card(ctx, config, t, row)  # the card is kept current by the ticket itself
            await ctx.db.delete(row)
            continue
        out = await ctx.send(_render(ctx, t, row), chat=ChatRef.parse(row.chat))
        row.message_id, row.posted_at = out.id, now
        for ticket_id in {int(data["id"]) for data in row.items[:MAX_LINES]}:
            ctx.insert(NoticeTicket, notice_id=row.id, ticket_id=ticket_id)
    if rows:
        await _forget(ctx, now - KEEP_POSTED)


async def refresh_notices(ctx: Context, ticket: Ticket) -> None:
    """Edit the posted notices that list `ticket`, to show where each of their tickets is now."""
    listing = select(NoticeTicket.notice_id).where(NoticeTicket.ticket_id == ticket.id)
    posted = await ctx.db.scalars(
        select(Notice).where(Notice.id.in_(listing), Notice.message_id.is_not(None))
    )
    for row in posted.all():
        ids = [int(data["id"]) for data in row.items[:MAX_LINES]]
        found = await ctx.db.execute(select(Ticket.id, Ticket.status).where(Ticket.id.in_(ids)))
        now = {ticket_id: status for ticket_id, status in found.all()}
        assert row.message_id is not None
        await ctx.edit(row.message_id, _render(ctx, t_for_chat(ctx, row.chat), row, now))


async def _forget(ctx: Context, before: datetime) -> None:
    """Posted notices older than `before` are no longer kept current."""
    old = select(Notice.id).where(Notice.posted_at < before)
    await ctx.db.execute(delete(NoticeTicket).where(NoticeTicket.notice_id.in_(old)))
    await ctx.db.execute(delete(Notice).where(Notice.posted_at < before))


def _render(
    ctx: Context, t: Translator, row: Notice, statuses: dict[int, str] | None = None
) -> str:
    """The notice's text; with `statuses` (the tickets' states now), each line whose ticket
    has moved on since says where it is now."""
    unit = department_name(ctx.org, row.unit, t.lang) or t("not routed")
    if row.kind == "escalated":
        head = t(
            "⬆️ Escalated to you: {n} overdue tickets of the units below "
            "(send /ticket and a number to see it and urge)",
            n=row.total,
        )
    else:
        head = t("⚠️ Overdue at {department}: {n}", department=unit, n=row.total)
    lines = [head]
    for data in row.items[:MAX_LINES]:
        line = _line(ctx, t, data, with_unit=row.kind == "escalated")
        status = (statuses or {}).get(int(data["id"]), data.get("status"))
        if status != data.get("status"):
            line = t("{line} (now: {status})", line=line, status=status_label(t, str(status)))
        lines.append("· " + line)
    rest = row.total - min(len(row.items), MAX_LINES)
    if rest > 0:
        lines.append(t("… and {n} more: send /tickets overdue", n=rest))
    return "\n".join(lines)


def _line(ctx: Context, t: Translator, data: dict[str, Any], *, with_unit: bool) -> str:
    due, now = datetime.fromisoformat(data["due"]), datetime.fromisoformat(data["now"])
    number = data["number"]
    if data.get("record"):
        number = t("{number} (12345 record {record})", number=number, record=data["record"])
    if with_unit:
        unit = department_name(ctx.org, data["department"], t.lang) or t("not routed")
        number = f"{number} {unit}"
    upper = department_name(ctx.org, data["upper"], t.lang)
    late = overdue_amount(t, ctx.calendar, due, now)
    what = "resolve" if with_unit else data["what"]  # in the upper unit's group: it is theirs
    line = t(_LINES[what], number=number, late=late, upper=upper)
    return t("{line}: {text}", line=line, text=data["text"]) if data["text"] else line


async def _card(ctx: Context, config: ComplaintsConfig, t: Translator, row: Notice) -> None:
    """A single escalation: the ticket's card, with its buttons (催办 / 已解决 / 转办)."""
    [data] = row.items[:1]
    ticket = await ctx.db.get(Ticket, int(data["id"]))
    if ticket is None:
        return
    due, now = datetime.fromisoformat(data["due"]), datetime.fromisoformat(data["now"])
    head = t(
        "⬆️ Escalated to you: {number} of {department} is {late} overdue.",
        number=ticket.number,
        department=department_name(ctx.org, ticket.department, t.lang),
        late=overdue_amount(t, ctx.calendar, due, now),
    )
    await post_escalation_card(ctx, config, ticket, row.chat, head)
