"""Drafting a promotion: ``/promote`` (a product's post) and ``/event`` (a festival, tourism:
no stock), each a private dialog: text, the tags of the groups, when (a time, now, the next free
slot, or a repetition typed at once), and whether it repeats (buttons for the common choices, or
typed as people say it: `recurrence`). Then `approval`."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from qunzhu.core import N_, Choice, Context, Dialog, Expect, Step, UsageError, command

from .approval import submit
from .audience import config_for
from .models import Group, Post, Product
from .occurrences import occurrences
from .parse import NOW_WORDS, parse_when
from .recurrence import Repeat, is_once, looks_recurring, parse_repeat
from .times import local, utc

__all__ = ["EVENT_DIALOG", "POST_DIALOG", "event_command", "promote", "start_post_dialog"]

_SPLIT = re.compile(r"[\s,，、;；]+")


def _tags(ctx: Context, value: Any) -> list[str]:
    tags = [t.lstrip("#") for t in _SPLIT.split(str(value)) if t.strip("#")]
    if not tags:
        raise UsageError(ctx.t("Please write at least one tag, for example: buyers"))
    return tags


_FREE = {
    "free",
    "空档",
    "空檔",
    "下一个空档",
    "下一個空檔",
    "next free slot",
    "free slot",
    "next slot",
}


def _when(ctx: Context, value: Any) -> dict[str, Any]:
    """When: a moment ("10:00", "周五 10点", "现在"), the next free slot, or a repetition
    typed at once ("每周五 10:00 到3月1日": then "repeat" is not asked)."""
    now = ctx.now()
    text = str(value).strip()
    if text.lower() in _FREE:
        return {"at": utc(now).isoformat(), "free": True, "repeat": None, "ask": False}
    if looks_recurring(text):
        return {"at": utc(now).isoformat(), "free": False, "repeat": _repeat(ctx, text, bare=False),
                "ask": False}  # fmt: skip
    if text.lower() in NOW_WORDS:  # a series from now on starts when it is approved
        return {"at": utc(now).isoformat(), "free": False, "repeat": None, "ask": True,
                "now": True}  # fmt: skip
    at = parse_when(text, now, ctx.app.settings.bot.tz)
    if at is None:
        raise UsageError(
            ctx.t(
                "I could not read that time. Write for example 10:00, 明天 9点, 周五 10点 or 现在; "
                "for a post that repeats, for example 每周五 10:00."
            )
        )
    if at < now - timedelta(minutes=1):  # "明天 9点" or a date: not in the past
        raise UsageError(ctx.t("That time has passed. Write a later time, or 现在 for now."))
    return {"at": utc(at).isoformat(), "free": False, "repeat": None, "ask": True}


def _repeat(ctx: Context, text: str, *, bare: bool = True) -> dict[str, Any] | None:
    if is_once(text):
        return None
    now = ctx.now()
    tz = ctx.app.settings.bot.tz
    rep = parse_repeat(text, now.astimezone(tz).date(), bare_days=bare)
    if rep is None:
        raise UsageError(
            ctx.t(
                "I could not read how it repeats. Write for example 每天 10:00 一周, 每周五 10:00 "
                "到3月1日, 每周一、三、五 9点 共6次, or 不重复 (only once)."
            )
        )
    if next(occurrences(rep, now, tz, ctx.calendar.is_workday), None) is None:
        raise UsageError(ctx.t("That repetition has no date left. Write another one."))
    return rep.to_json()


def _repeat_choices(_ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    weekly = (
        Choice(N_("Every week until sold out"), "weekly until sold out")
        if answers.get("product_id")
        else Choice(N_("Every week for 4 weeks"), "weekly for 4 weeks")
    )
    return [
        Choice(N_("Only once"), "once"),
        Choice(N_("Every day for a week"), "daily for a week"),
        weekly,
    ]


async def _known_tags(ctx: Context) -> str:
    tags = {t for g in (await ctx.db.scalars(select(Group))).all() for t in g.tags}
    for key in ctx.app.settings.chats:
        tags |= set(config_for(ctx.app, key).tags)
    return ", ".join(sorted(tags)) or "—"


async def start_post_dialog(ctx: Context, product: Product) -> None:
    if product.seller != ctx.sender.key and not ctx.person.is_admin:
        raise UsageError(ctx.t("Product #{id} is not yours.", id=product.id))
    initial = {"product_id": product.id, "title": product.name, "known": await _known_tags(ctx)}
    await ctx.start_dialog("post", chat=await ctx.direct_chat(), initial=initial)


@command("promote", aliases=["推介", "推广", "推廣"], role="seller",
         help=N_("Draft a promotion post for one of your products"))  # fmt: skip
async def promote(ctx: Context, product_id: int = 0) -> None:
    product = await ctx.db.get(Product, product_id) if product_id else None
    if product is None:
        raise UsageError(ctx.t("Which product? Send /products to see their numbers."))
    await start_post_dialog(ctx, product)


@command("event", aliases=["活动", "活動"], role="seller",
         help=N_("Draft a promotion for an event or tourism (no stock)"))  # fmt: skip
async def event_command(ctx: Context) -> None:
    initial = {"known": await _known_tags(ctx)}
    await ctx.start_dialog("event", chat=await ctx.direct_chat(), initial=initial)


def _missing(key: str) -> Any:
    """A step asked only when its answer is not known yet (the dialog may be started again
    with the answers so far, to ask one of them again)."""
    return lambda answers: key not in answers


_TEXT = Step("text", N_("Write the text of the post, or press Skip to show the product's details "
                        "only."), optional=True, when=_missing("text"))  # fmt: skip
_TAGS = Step("tags", N_("Which groups should receive it? Write their tags, for example: buyers "
                        "tourism. Known tags: {known}"), validate=_tags,
             when=_missing("tags"))  # fmt: skip
_WHEN = Step(
    "when",
    N_("When should it go out? For example: 10:00, 明天 9点, 周五 10点; for a post that repeats: "
       "每周五 10:00. Or press a button."),
    choices=[Choice(N_("Now"), "now"), Choice(N_("At the next free slot"), "free")],
    validate=_when,
    when=_missing("when"),
)  # fmt: skip
_REPEAT = Step(
    "repeat",
    N_("Should it repeat? Press a button, or write how, for example: 每周五 到3月1日, 每天 共5次, "
       "每个工作日 9点."),
    choices=_repeat_choices,
    validate=lambda ctx, value: _repeat(ctx, str(value)),
    when=lambda answers: bool(answers["when"].get("ask")) and "repeat" not in answers,
)  # fmt: skip


async def _draft(ctx: Context, answers: dict[str, Any]) -> None:
    when = answers["when"]
    repeat = answers.get("repeat") or when["repeat"]
    first = datetime.fromisoformat(when["at"])
    tz = ctx.app.settings.bot.tz
    if answers.get("repeat") and answers["repeat"].get("at"):
        # "周五 10点", then "每周一、五 9点": the series starts that day, at its own time
        day = datetime.combine(first.astimezone(tz).date(), time(0, 0), tz)
        first = max(day, ctx.now())
    if repeat and next(occurrences(Repeat.from_json(repeat), first, tz, ctx.calendar.is_workday),
                       None) is None:  # fmt: skip
        await ctx.send(ctx.t("That repetition has no date from {when} on. Write another one.",
                             when=local(ctx, first)))  # fmt: skip
        again = {k: v for k, v in answers.items() if k != "repeat"}
        name = "post" if again.get("product_id") else "event"
        await ctx.start_dialog(name, chat=ctx.chat, initial=again)
        return
    product = None
    if answers.get("product_id"):
        product = await ctx.db.get(Product, answers["product_id"])
    if product is None and answers.get("product_id"):
        await ctx.send(ctx.t("That product no longer exists."))
        return
    photos = answers.get("photos") or ()
    post = Post(
        kind="product" if product else "event",
        product_id=product.id if product else None,
        title=answers["title"],
        text=answers.get("text") or "",
        photo=(product.photos[0] if product and product.photos else None)
        or (photos[0].ref if photos else None),
        contact=answers.get("contact") or (product.contact if product else ""),
        author=ctx.sender.key,
        author_name=ctx.person.name,
        tags=answers["tags"],
        state="pending",
        send_at=None if repeat and when.get("now") else utc(first),
        free_slot=bool(when["free"]),
        repeat=repeat,
        created_at=ctx.now(),
    )
    ctx.db.add(post)
    await ctx.db.flush()
    await submit(ctx, post, product)


POST_DIALOG = Dialog("post", (_TEXT, _TAGS, _WHEN, _REPEAT), on_done=_draft)

EVENT_DIALOG = Dialog(
    "event",
    (
        Step(
            "title", N_("What is the event called? (for example: 杜鹃花节)"), when=_missing("title")
        ),
        Step("text", N_("Write the text of the post: what, where, when."), when=_missing("text")),
        Step(
            "photos",
            N_("Send a photo for the post."),
            Expect.PHOTO,
            optional=True,
            when=_missing("photos"),
        ),
        Step(
            "contact",
            N_("A phone or contact for “Contact organiser”? Skip to leave it out."),
            optional=True,
            when=_missing("contact"),
        ),  # fmt: skip
        _TAGS,
        _WHEN,
        _REPEAT,
    ),
    on_done=_draft,
)
