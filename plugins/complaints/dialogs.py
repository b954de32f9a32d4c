"""The conversations: a resident's private report (description → photo → location → category →
anonymity → confirmation), a department's resolution (note → optional photo of the fixed
site) and a reassignment (department → reason). They run on the core's dialog service, so an
answer a day later, after a restart, still continues where it was; ``/cancel`` leaves them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qunzhu.core import (
    N_,
    Attachment,
    AttachmentKind,
    Choice,
    Context,
    Dialog,
    Expect,
    Location,
    Step,
    UsageError,
)

from .behalf import BEHALF_DIALOG
from .detect import matcher_for
from .directory import base_config
from .report import Report, photo_refs
from .texts import category_name

__all__ = ["DIALOGS", "photo_problem"]


def photo_problem(ctx: Context, photos: Sequence[Attachment]) -> str | None:
    """Why these photos cannot be kept (too large), or None."""
    limit = base_config(ctx).max_photo_mb
    for photo in photos:
        if photo.kind is not AttachmentKind.PHOTO:
            continue  # a video is larger by nature; the platform limits what it carries
        if photo.size is not None and photo.size > limit * 1024 * 1024:
            return ctx.t(
                "This photo is {size:.1f} MB; please send one smaller than {limit:g} MB "
                "(a photo, not a file, is made small by the app).",
                size=photo.size / 1024 / 1024,
                limit=limit,
            )
    return None


def _check_photos(ctx: Context, value: Any) -> Any:
    problem = photo_problem(ctx, value or ())
    if problem:
        raise UsageError(problem)
    return value


def _check_place(ctx: Context, value: Any) -> Any:
    """A typed address becomes a position when it names a known place (``places:``)."""
    if isinstance(value, Location) or not isinstance(value, str):
        return value
    for name, (lat, lon) in base_config(ctx).places.items():
        if name in value:
            return Location(lat, lon, value)
    return value


def _category_choices(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    config = base_config(ctx)
    guess = matcher_for(config).category(str(answers.get("description") or ""))
    keys = sorted(config.categories, key=lambda k: k != guess)
    return [Choice(category_name(config, k, ctx.lang), k) for k in keys]


def _summary(ctx: Context, answers: dict[str, Any]) -> str:
    config = base_config(ctx)
    where = answers.get("location")
    if isinstance(where, Location):
        place = where.address or f"{where.latitude:.5f}, {where.longitude:.5f}"
    elif where:
        place = ctx.t(
            "{address} (no map position: nearby reports cannot be matched)", address=where
        )
    else:
        place = ctx.t("not given")
    media = answers.get("photo") or ()
    videos = sum(1 for a in media if a.kind is AttachmentKind.VIDEO)
    lines = [
        ctx.t("Please check your report:"),
        ctx.t("Problem: {text}", text=answers.get("description", "")),
        ctx.t("Kind: {category}", category=category_name(config, answers["category"], ctx.lang)),
        ctx.t("Place: {place}", place=place),
        ctx.t("Photos: {n}", n=len(media) - videos),
        *([ctx.t("Videos: {n}", n=videos)] if videos else []),
        ctx.t("Anonymous: the department will not see your name")
        if answers.get("anonymous") == "anonymous"
        else ctx.t("Named: the department will see your name"),
        ctx.t("Press Submit to file it."),
    ]
    return "\n".join(lines)


async def _report_done(ctx: Context, answers: dict[str, Any]) -> None:
    from .intake import submit

    where = answers.get("location")
    photos = answers.get("photo") or ()
    report = Report(
        description=str(answers.get("description") or ""),
        category=str(answers["category"]),
        source="private",
        photos=photo_refs(ctx.chat.platform, tuple(photos)),
        reporter_id=ctx.person.id,
        reporter_key=ctx.sender.key,
        reporter_name=ctx.person.name,
        reporter_lang=ctx.lang,
        anonymous=answers.get("anonymous") == "anonymous",
        source_chat=ctx.chat.key,
        source_kind=ctx.chat.kind.value,
        source_title="",  # a private chat's title is the person's name
    )
    # a shared position keeps its own address (if any); a typed one is the address
    shared = isinstance(where, Location)
    report = report.at(where, "") if shared else report.at(None, str(where or ""))
    await submit(ctx, report)


def _departments(ctx: Context, answers: dict[str, Any]) -> list[Choice]:
    current = answers.get("current")
    return [Choice(unit.label(ctx.lang), unit.key) for unit in ctx.org.units if unit.key != current]


async def _resolve_done(ctx: Context, answers: dict[str, Any]) -> None:
    from .actions import resolve

    await resolve(ctx, int(answers["ticket"]), str(answers["note"]), answers.get("photo") or ())


async def _reassign_done(ctx: Context, answers: dict[str, Any]) -> None:
    from .actions import reassign

    await reassign(ctx, int(answers["ticket"]), str(answers["department"]), str(answers["reason"]))


DIALOGS = (
    Dialog(
        "report",
        (
            Step(
                "description",
                N_("What is the problem? Describe it in a few words."),
                when=lambda a: not a.get("description"),
            ),
            Step(
                "photo",
                N_("Please send a photo of it, or press Skip."),
                Expect.MEDIA,  # a video is kept as a photo is
                optional=True,
                validate=_check_photos,
                when=lambda a: "photo" not in a,
            ),
            Step(
                "location",
                N_("Where is it? Share a location, or type the address (or press Skip)."),
                Expect.LOCATION,
                optional=True,
                allow_address=True,
                validate=_check_place,
            ),
            Step("category", N_("Which kind of problem is it?"), Expect.CHOICE, _category_choices),
            Step(
                "anonymous",
                N_("May the department see your name? Anonymous reports are handled the same."),
                Expect.CHOICE,
                (Choice(N_("Show my name"), "named"), Choice(N_("Stay anonymous"), "anonymous")),
            ),
            Step("confirm", _summary, Expect.CHOICE, (Choice(N_("Submit"), "yes"),)),
        ),
        on_done=_report_done,
        gather="photo",
    ),
    BEHALF_DIALOG,
    Dialog(
        "resolve",
        (
            Step("note", N_("{number}: what was done? Write the result in a few words.")),
            Step(
                "photo",
                N_("A photo of the fixed site? Send it, or press Skip."),
                Expect.PHOTO,
                optional=True,
                validate=_check_photos,
            ),
        ),
        on_done=_resolve_done,
    ),
    Dialog(
        "reassign",
        (
            Step(
                "department",
                N_("{number}: which department should handle it?"),
                Expect.CHOICE,
                _departments,
            ),
            Step("reason", N_("Why? (one line for the record)")),
        ),
        on_done=_reassign_done,
    ),
)
