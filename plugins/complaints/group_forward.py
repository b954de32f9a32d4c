"""A forwarded message in a group (issue 14): on Telegram a forward says who wrote it
(`Message.forwarded_from`), and in a group it was taken for the forwarder's own report.

A message forwarded from a person is that person's report, as in the private on-behalf flow
(`behalf`): whoever presses 登记为问题 under it, or replies ``/ticket`` to it, is asked in
their private chat with the bot, by the same dialog, what only they may decide: who the writer
is when they hide their account (the name on a button, or a name and phone typed), and whether
the unit may see the reporter's name. A phone and an anonymous choice are never posted in the
group. The bot says so in the group, under the message; once filed, the message's offer (or a
reply under it) gives the number. The presser who cannot be written to privately yet (Telegram,
before Start) is told how to start the private chat, and nothing is filed meanwhile.

A message forwarded from a group or a channel (a notice, a news post) has no person behind it:
it is the forwarder's report, its source named after the description ("（转发自「…」）").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from qunzhu.core import Context, Message, Reply

from .behalf import forward_of, start_behalf
from .models import Ticket
from .report import Report

__all__ = ["already_filed", "by_forward_origin", "from_group", "named_source", "settle_group"]


def named_source(ctx: Context, message: Message, description: str) -> str:
    """`description` with the group or channel a forwarded `message` came from, if it did."""
    origin = message.forwarded_from
    if origin is None or origin.is_person or not origin.name.strip():
        return description
    line = ctx.t("(forwarded from {name})", name=origin.name.strip()[:60])
    return f"{description}\n{line}" if description else line


async def by_forward_origin(ctx: Context, message: Message, text: str, source: str) -> bool:
    """File the group `message`, forwarded from a person, as theirs: the presser (or the
    sender of ``/ticket``, whose words `text` may name the reporter) is asked in private.
    `source`: the report's source (``group`` for an offer, ``command`` for ``/ticket``).
    False when `message` is nobody else's words (then it is filed as the group's way)."""
    origin = forward_of(message)
    if origin is None or origin.get("key") == message.sender.key:
        return False  # not forwarded from a person, or his own words forwarded back
    if not await ctx.can_write_privately(ctx.sender):
        username = ctx.app.adapter_for(ctx.chat.platform).bot_username
        bot = f"@{username}" if username else ctx.t("a private chat with me")
        await ctx.reply(
            ctx.t(
                "{name}, this message was forwarded from someone else: I ask who reported it "
                "in private, and I cannot write to you there yet. Open {bot}, press Start and "
                "try again.",
                name=ctx.person.name,
                bot=bot,
            )
        )
        return True
    chat = await ctx.direct_chat()
    quote = message.text.strip()[:60] or "…"
    await ctx.send(
        ctx.t(
            "About the message forwarded in {group}: “{text}”",
            group=message.chat.title or "-",
            text=quote,
        ),
        chat=chat,
    )
    loc = message.location
    group: dict[str, Any] = {
        "chat": message.chat.key,
        "title": message.chat.title,
        "source": source,
        "latitude": loc.latitude if loc else None,
        "longitude": loc.longitude if loc else None,
        "address": loc.address if loc else "",
    }
    await start_behalf(ctx, message, text, {"group": group}, chat=chat)
    await ctx.reply(
        ctx.t(
            "This message was forwarded from someone else: I have written to you privately "
            "to ask who reported it."
        )
    )
    return True


def from_group(report: Report, answers: dict[str, Any]) -> Report:
    """`report`, made in the private dialog, as the group message it files (when it does)."""
    group = answers.get("group")
    if not isinstance(group, dict):
        return report
    return replace(
        report,
        source=str(group.get("source") or "group"),
        source_chat=str(group["chat"]),
        source_kind="group",
        source_title=str(group.get("title") or ""),
        latitude=group.get("latitude"),
        longitude=group.get("longitude"),
        address=str(group.get("address") or ""),
    )


async def settle_group(ctx: Context, report: Report, ticket: Ticket) -> None:
    """A group message filed from the private dialog: its offer says what it became, or,
    without one (``/ticket``), a reply under it does."""
    from .intake import settle_source

    if report.source_kind != "group" or not report.source_event:
        return
    if await settle_source(ctx, f"{report.source_chat} {report.source_event}", ticket):
        return
    group = report.source_ref()
    if group is not None:
        filed = ctx.t("Filed as {number}.", number=ticket.number)
        await ctx.send(Reply(filed, reply_to=report.source_event), chat=group)


async def already_filed(ctx: Context, report: Report) -> str | None:
    """The number a group message got meanwhile (pressed twice, or filed from the desk)."""
    if report.source_kind != "group" or not report.source_event:
        return None
    filed: str | None = await ctx.db.scalar(
        select(Ticket.number)
        .where(
            Ticket.source_chat == report.source_chat,
            Ticket.source_event == report.source_event,
        )
        .limit(1)
    )
    return filed
