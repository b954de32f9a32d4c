"""Nothing a person sends is dropped: photos and videos sent to the bot in private before any
report was begun ("收到 2 张照片。要反映问题吗？" [反映问题]), and an official's forwarded words
(officials pass on what others told them). They are kept (a `Pending` of kind ``media``; more
sent within `_TOGETHER` join it and the count on the question follows), and the button starts
the report dialog with them attached, a caption as the description (for an official, the
dialog that asks whose report it is: `behalf`).

The bot asks rather than starting the dialog by itself: a private photo may be meant for
another conversation (a check-in report, a product), and a question costs one press.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core import (
    Attachment,
    AttachmentKind,
    Button,
    ChatRef,
    Context,
    Message,
    Reply,
    aware,
)

from .behalf import forward_of, start_behalf
from .buttons import ReportMedia
from .dialogs import photo_problem
from .directory import base_config, is_official
from .models import Pending
from .report import is_video, media_of, photo_refs

__all__ = ["MEDIA", "count_line", "keep_media", "press_report_media", "waiting_media"]

MEDIA = "media"
#: Photos forwarded from different people (or some the sender's own): nobody is assumed.
_MIXED = "mixed"
#: Photos and videos sent within this time of each other are one offer.
_TOGETHER = timedelta(minutes=30)
_USED = -1


def count_line(ctx: Context, refs: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> str:
    """``2 张照片、1 段视频``: what was received, counted by kind."""
    videos = sum(1 for r in refs if is_video(r))
    photos = len(refs) - videos
    parts = []
    if photos:
        parts.append(ctx.t("{n} photos", n=photos) if photos != 1 else ctx.t("1 photo"))
    if videos:
        parts.append(ctx.t("{n} videos", n=videos) if videos != 1 else ctx.t("1 video"))
    return ctx.t(", ").join(parts)


async def keep_media(ctx: Context, message: Message, *, words: bool = False) -> bool:
    """Keep the photos and videos of a private `message` that opens no report (with `words`,
    its text alone too); whether it was kept (then it was answered)."""
    media = media_of(message)
    if not media and not (words and message.text.strip()):
        return False
    problem = photo_problem(ctx, media)
    if problem:
        await ctx.reply(problem)
        return True
    source = f"{ctx.chat.key} {ctx.sender.key}"
    since = ctx.now() - _TOGETHER
    pending = await ctx.db.scalar(
        select(Pending)
        .where(Pending.kind == MEDIA, Pending.source == source, Pending.ticket_id.is_(None))
        .order_by(Pending.id.desc())
        .limit(1)
    )
    if pending is not None and aware(pending.created_at) < since:
        pending.ticket_id = _USED  # too old to belong with these: a new offer
        pending = None
    refs = list(photo_refs(ctx.chat.platform, media))
    caption = message.text.strip()
    origin: dict[str, str] | str | None = forward_of(message)  # whose words they were
    if pending is None:
        pending = Pending(
            kind=MEDIA,
            created_at=ctx.now(),
            source=source,
            report={"media": refs, "text": caption, "from": origin},
        )
        ctx.db.add(pending)
        await ctx.db.flush()
    else:
        kept = pending.report
        text = " ".join(x for x in (kept.get("text", ""), caption) if x)
        if kept.get("from") != origin:
            origin = _MIXED  # forwarded from different people: asked who reported it
        media_now = [*kept.get("media", []), *refs]
        pending.report = {"media": media_now, "text": text, "from": origin}
    question = _question(ctx, pending)
    if pending.message_id is not None:
        await ctx.edit(pending.message_id, Reply(ctx.t("Added to the photos below.")))
    out = await ctx.reply(question)
    pending.message_id = out.id
    return True


def _question(ctx: Context, pending: Pending) -> Reply:
    media = pending.report.get("media", [])
    if media:
        text = ctx.t(
            "Received: {what}. Do you want to report a problem?", what=count_line(ctx, media)
        )
    else:
        text = ctx.t("Do you want to file this as a problem?")
    return Reply(text).with_buttons(
        Button(ctx.t("Report a problem"), data=ReportMedia(pending.id).pack())
    )


async def press_report_media(ctx: Context, pending_id: int) -> None:
    """[反映问题] under the question: the report dialog, with the photos and videos kept."""
    pending = await ctx.db.get(Pending, pending_id)
    if pending is None or pending.kind != MEDIA or pending.ticket_id is not None:
        await ctx.reply(ctx.t("This offer is no longer available."))
        return
    if not pending.source.endswith(f" {ctx.sender.key}"):
        await ctx.reply(ctx.t("Only the person who reported it may answer this."))
        return
    initial = await _take(ctx, pending)
    if is_official(ctx.person, base_config(ctx)):  # passing on what someone told him?
        await start_behalf(ctx, None, "", initial)
    else:
        await ctx.start_dialog("report", initial=initial)


async def waiting_media(ctx: Context, chat: ChatRef) -> dict[str, object]:
    """What ``/report`` in `chat` starts with: the photos and videos the sender sent there
    just before (and their caption), taken from their question."""
    pending = await ctx.db.scalar(
        select(Pending)
        .where(
            Pending.kind == MEDIA,
            Pending.source == f"{chat.key} {ctx.sender.key}",
            Pending.ticket_id.is_(None),
        )
        .order_by(Pending.id.desc())
        .limit(1)
    )
    if pending is None or aware(pending.created_at) < ctx.now() - _TOGETHER:
        return {}
    return await _take(ctx, pending)


async def _take(ctx: Context, pending: Pending) -> dict[str, object]:
    """The dialog's first answers from `pending`, which is used up (its question says so)."""
    pending.ticket_id = _USED
    kept = pending.report
    media = tuple(
        Attachment(
            AttachmentKind(ref.get("kind", AttachmentKind.PHOTO.value)),
            str(ref["ref"]),
            str(ref.get("mime") or ""),
            ref.get("size"),
        )
        for ref in kept.get("media", [])
    )
    initial: dict[str, object] = {"photo": media}
    if kept.get("text"):
        initial["description"] = kept["text"]
    if isinstance(kept.get("from"), dict):  # forwarded: `start_behalf` names the writer
        initial["forwarded_from"] = kept["from"]
    if pending.message_id is not None and kept.get("media"):
        what = count_line(ctx, kept.get("media", []))
        await ctx.edit(pending.message_id, Reply(ctx.t("Received: {what}.", what=what)))
    elif pending.message_id is not None:
        await ctx.edit(pending.message_id, Reply(ctx.t("Received.")))
    return initial
