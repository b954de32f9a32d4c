"""Reports: a reply to the prompt, a message with the tag, or the private dialog's answers.

A participant has one report per round; a second one updates it (the earlier text is kept in its
history), and an edit of one of its messages before the close replaces its text. A report after
the close is taken as late until the campaign's next round opens (``late_reports``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import desc, select

from qunzhu.core import Attachment, AttachmentKind, Context, Message

from .campaigns import every, is_paused
from .config import Campaign
from .models import Report, Round
from .reading import read_report
from .receipts import confirm
from .rounds import refresh_summary
from .settings import campaign_zone, settings
from .texts import when_label
from .windows import next_opening

__all__ = [
    "attachment_json",
    "bot_message",
    "handle_message",
    "latest_rounds",
    "store_report",
]

_MEDIA = (AttachmentKind.PHOTO, AttachmentKind.VIDEO)


async def bot_message(ctx: Context, message_id: str) -> int | None:
    """The outbox id of the bot's message `message_id` in this chat (a reply's target)."""
    return await ctx.outgoing_for(message_id)


async def latest_rounds(ctx: Context, campaign: Campaign) -> Round | None:
    """The campaign's most recent round (open, or closed and still taking late reports)."""
    found: Round | None = await ctx.db.scalar(
        select(Round).where(Round.campaign == campaign.name).order_by(desc(Round.day)).limit(1)
    )
    return found


def _in_roster(rnd: Round, person_id: int) -> bool:
    return any(int(m["id"]) == person_id for m in rnd.roster)


def message_media(message: Message) -> list[dict[str, Any]]:
    return [
        {"kind": a.kind.value, "ref": a.ref, "mime": a.mime}
        for a in message.attachments
        if a.kind in _MEDIA
    ]


def message_text(message: Message) -> str:
    if message.text:
        return message.text
    return "\n".join(a.caption for a in message.attachments if a.caption)


async def handle_message(ctx: Context) -> None:
    message = ctx.message
    if message is None:
        return
    if message.edited:
        from .edits import apply_edit  # edits import this module

        await apply_edit(ctx, message)
        return
    text = message_text(message)
    if (
        message.reply_to is None
        and not message_media(message)
        and not _tagged_text(ctx, text)
        and not _may_be_report(ctx, text)
    ):
        return  # the usual chatter: no query on every message of every group
    if ctx.chat.is_direct:
        campaigns = await every(ctx.app, ctx.db)
        tagged = [c for c in campaigns if c.tag in text]
        if tagged:
            await _private_tagged(ctx, message, tagged)
        elif message_media(message):
            from .attachments import more_media  # it imports this module

            await more_media(ctx, message, campaigns)
        return
    await _in_group(ctx, message, text)


async def _in_group(ctx: Context, message: Message, text: str) -> None:
    """A group message: a reply to a prompt, a tagged message, or one that may read as a
    report."""
    here = await every(ctx.app, ctx.db, chat=ctx.chat.key)
    if not here:
        return
    if message.reply_to is not None:
        target = await bot_message(ctx, message.reply_to)
        if target is not None:
            from .asking import answer_typed  # it imports this module

            if await answer_typed(ctx, message, target, here):
                return
            for campaign in here:
                rnd = await latest_rounds(ctx, campaign)
                if rnd is not None and target in rnd.messages:
                    await _take(ctx, message, campaign, rnd, "reply")
                    return
    tagged = [c for c in here if c.tag in text]
    if tagged:
        await _tagged(ctx, message, tagged)
        return
    from .asking import read_untagged  # it imports this module

    await read_untagged(ctx, message, here)


def _may_be_report(ctx: Context, text: str) -> bool:
    """Whether `text` could read as a report (`reading`), judged without a query: with the
    questions of the YAML's campaigns (those created in chat use the usual ones)."""
    questions = settings(ctx.app).report_questions
    return read_report(text, media=False, questions=questions) is not None


def _tagged_text(ctx: Context, text: str) -> bool:
    """Whether `text` carries a report tag: a YAML campaign's own, or the default one (which
    every campaign created in chat uses)."""
    return any(tag in text for tag in settings(ctx.app).report_tags)


async def _tagged(ctx: Context, message: Message, campaigns: Sequence[Campaign]) -> None:
    mine: list[tuple[Campaign, Round]] = []
    for campaign in campaigns:
        rnd = await latest_rounds(ctx, campaign)
        if rnd is not None and _in_roster(rnd, ctx.person.id) and _takes(campaign, rnd):
            mine.append((campaign, rnd))
    if len(mine) == 1:
        await _take(ctx, message, *mine[0], "tag")
        return
    if len(mine) > 1:
        names = ctx.t(", ").join(c.name for c, _ in mine)
        await ctx.reply(
            ctx.t(
                "You take part in several check-ins here ({names}): please reply to the prompt "
                "of the one you are reporting for.",
                names=names,
            )
        )
        return
    await _nothing_open(ctx, campaigns)


def _takes(campaign: Campaign, rnd: Round) -> bool:
    return rnd.state == "open" or campaign.late_reports


async def _nothing_open(ctx: Context, campaigns: Sequence[Campaign]) -> None:
    """A tagged message when no round of these campaigns takes reports from the sender."""
    campaign = campaigns[0]
    rnd = await latest_rounds(ctx, campaign)
    if rnd is not None and not _in_roster(rnd, ctx.person.id) and rnd.state == "open":
        await ctx.reply(
            ctx.t(
                "You are not on the list of {name}, so this was not recorded as a report. "
                "Ask an owner of the check-in to add you.",
                name=campaign.name,
            )
        )
        return
    if await is_paused(ctx.app, ctx.db, campaign.name):
        await ctx.reply(
            ctx.t("{name} is paused, so this was not recorded as a report.", name=campaign.name)
        )
        return
    tz = campaign_zone(ctx.app, campaign)
    window = next_opening(campaign, tz, ctx.calendar, ctx.now())
    if window is None:
        await ctx.reply(ctx.t("No check-in is open now, so this was not recorded as a report."))
        return
    await ctx.reply(
        ctx.t(
            "No check-in is open now, so this was not recorded as a report. {name} opens next "
            "on {when}.",
            name=campaign.name,
            when=when_label(ctx.t, window.opens_at, tz),
        )
    )


async def _private_tagged(ctx: Context, message: Message, campaigns: Sequence[Campaign]) -> None:
    mine = []
    for campaign in campaigns:
        rnd = await latest_rounds(ctx, campaign)
        if rnd is not None and _in_roster(rnd, ctx.person.id) and _takes(campaign, rnd):
            mine.append((campaign, rnd))
    if len(mine) == 1:
        await _take(ctx, message, *mine[0], "private")
    elif mine:
        await ctx.reply(ctx.t("You take part in several check-ins: send /checkin to choose one."))
    else:
        await _nothing_open(ctx, campaigns)


async def _take(
    ctx: Context, message: Message, campaign: Campaign, rnd: Round, source: str
) -> None:
    if not _in_roster(rnd, ctx.person.id):
        await ctx.reply(
            ctx.t(
                "You are not on the list of {name}, so this was not recorded as a report. "
                "Ask an owner of the check-in to add you.",
                name=campaign.name,
            )
        )
        return
    if rnd.state != "open" and not campaign.late_reports:
        await _nothing_open(ctx, [campaign])
        return
    await store_report(
        ctx,
        rnd,
        campaign,
        message_text(message),
        message_media(message),
        source=source,
        event_id=message.event_id,
    )


async def store_report(
    ctx: Context,
    rnd: Round,
    campaign: Campaign,
    text: str,
    media: list[dict[str, Any]],
    *,
    source: str,
    event_id: str = "",
    question: int | None = None,
) -> Report:
    """Record (or update) the sender's report for `rnd` and confirm it (in `question`, the
    bot's message that asked whether this was the report, when there is one)."""
    ctx.claim()  # the sender's report: no other plugin reads it as anything else
    now = ctx.now()
    report: Report | None = await ctx.db.scalar(
        select(Report).where(Report.round_id == rnd.id, Report.person_id == ctx.person.id)
    )
    updated = report is not None
    if report is None:
        report = Report(
            round_id=rnd.id,
            person_id=ctx.person.id,
            name=_name(rnd, ctx.person.id, ctx.person.name),
            text=text,
            attachments=media,
            source=source,
            events=[event_id] if event_id else [],
            history=[],
            late=rnd.state != "open",
            created_at=now,
            updated_at=now,
        )
        ctx.db.add(report)
        await ctx.db.flush()
    else:
        if text.strip():
            report.history = [*report.history, {"text": report.text, "at": now.isoformat()}]
            report.text = text
        report.attachments = [*report.attachments, *media]
        report.events = [*report.events, event_id] if event_id else report.events
        report.updated_at = now
    await confirm(ctx, rnd, campaign, report, updated=updated, question=question)
    if rnd.state == "closed":
        await refresh_summary(ctx, rnd)
    return report


def _name(rnd: Round, person_id: int, fallback: str) -> str:
    for m in rnd.roster:
        if int(m["id"]) == person_id:
            return str(m["name"])
    return fallback


def attachment_json(attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    return [{"kind": a.kind.value, "ref": a.ref, "mime": a.mime} for a in attachments]
