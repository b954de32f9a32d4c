"""complaints (问题受理): the plugin's hooks. Entry point ``complaints``; YAML key
``plugins.complaints``; tables ``complaints_*``; logger and gettext domain ``complaints``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from qunzhu.core import (
    App,
    Base,
    Capability,
    Command,
    Context,
    Dialog,
    Feature,
    Job,
    Reaction,
    hookimpl,
)
from qunzhu.core.web import Page as WebPage
from qunzhu.core.web import Panel, RouteDef

from .actions import on_card_button, on_feedback
from .answers import answer_reaction, answer_typed
from .buttons import (
    CARD_ACTIONS,
    Feedback,
    File,
    MeToo,
    More,
    NewProblem,
    Page,
    ReportMedia,
    RouteTo,
    Urge,
)
from .by_group import press_route
from .commands import COMMANDS, tickets_command
from .config import ComplaintsConfig
from .deadlines import overdue_scan, overdue_scan_more
from .desk import desk_command, press_desk
from .desk_route import DESK_DIALOGS
from .detect import matcher_for
from .dialogs import DIALOGS, photo_problem
from .digest import digest, plan_digest
from .directory import base_config, is_official
from .escalation import urge
from .intake import detect, press_file, press_metoo
from .media import keep_media, press_report_media
from .models import Counter, Follower, Notice, NoticeTicket, Pending, Ticket, TicketEvent
from .more import MORE_DIALOGS, open_menu
from .report import media_of
from .routes import ROUTES
from .switch import DetectionSwitch, detection_command
from .web_pages import PAGES

log = logging.getLogger("complaints")
PREFIX = "complaints:"


@hookimpl
def register_config() -> type[BaseModel]:
    return ComplaintsConfig


@hookimpl
def register_commands() -> Sequence[Command]:
    return (*COMMANDS, detection_command, desk_command)


@hookimpl
def register_models() -> Sequence[type[Base]]:
    return [Counter, Ticket, TicketEvent, Follower, Pending, DetectionSwitch, Notice, NoticeTicket]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_catalogs() -> Path:
    return Path(__file__).parent / "locale"


@hookimpl
def register_dialogs() -> Sequence[Dialog]:
    return (*DIALOGS, *MORE_DIALOGS, *DESK_DIALOGS)


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [overdue_scan, overdue_scan_more, digest]


@hookimpl
async def on_startup(app: App) -> None:
    """Schedule the digest at ``digest.time`` (the YAML may have changed it)."""
    try:
        await app.as_plugin("complaints", plan_digest, what="startup")
    except IntegrityError:  # another worker scheduled it at the same moment
        log.info("event=complaints_digest_planned_elsewhere")


@hookimpl
def register_routes() -> Sequence[RouteDef]:
    return ROUTES


@hookimpl
def register_pages() -> Sequence[WebPage | Panel]:
    return PAGES


@hookimpl(tryfirst=True, specname="on_message")
async def answer_message(ctx: Context) -> None:
    """The answer to "问题解决了吗？" is read before the other plugins read the message."""
    message = ctx.message
    if message is None or message.edited or ctx.handled_by is not None:
        return
    if await answer_typed(ctx, message):
        ctx.claim()  # the answer, not a new report nor a check-in's words


@hookimpl(trylast=True)
async def on_message(ctx: Context) -> None:
    """Detection in groups and the offers in private, last: a message another plugin took (a
    check-in report, a photo joining one) is not also a problem to report."""
    message = ctx.message
    if message is None or message.edited or ctx.handled_by is not None:
        return
    if await answer_typed(ctx, message, unclear=True):
        ctx.claim()  # "问题解决了吗？" asked again: not a new report
        return
    if not message.chat.is_direct:
        await detect(ctx, message)
        return
    config: ComplaintsConfig = ctx.config
    if not config.private_intake:
        return
    named = matcher_for(base_config(ctx)).category(message.text) is not None
    if is_official(ctx.person, base_config(ctx)):
        await keep_media(ctx, message, words=named)  # his own, or passed on: asked
        return
    if not message.text.strip() or not named:
        await keep_media(ctx, message)  # a photo before /report: asked whether to report
        return
    initial: dict[str, object] = {"description": message.text.strip()}
    if media := media_of(message):
        problem = photo_problem(ctx, media)
        if problem:
            await ctx.reply(problem)
        else:
            initial["photo"] = media
    if message.location is not None:
        initial["location"] = message.location
    await ctx.start_dialog("report", initial=initial)


@hookimpl
async def on_reaction(ctx: Context) -> None:
    if isinstance(ctx.event, Reaction):
        await answer_reaction(ctx, ctx.event)


@hookimpl
async def on_button(ctx: Context) -> None:
    press = ctx.button
    if press is None or not press.data.startswith(PREFIX):
        return
    ctx.claim()  # a press of the plugin's own button (a card's, 已解决/未解决...)
    try:
        await _press(ctx, press.data)
    except ValueError:  # ButtonDataError: data whose fields do not parse
        log.warning("event=bad_button data=%r", press.data)
        await ctx.reply(ctx.t("This button is out of date; please start again."))


async def _press(ctx: Context, data: str) -> None:
    if await press_desk(ctx, data):
        return
    for action, family in CARD_ACTIONS.items():
        if (card := family.unpack(data)) is not None:
            await on_card_button(ctx, action, card.ticket)
            return
    for family, handle in _PRESSES:
        if (pressed := family.unpack(data)) is not None:
            await handle(ctx, pressed)
            return
    msg = f"no button of the plugin has the data {data!r}"
    raise ValueError(msg)


#: Each button family of the plugin and what its press does.
_PRESSES: tuple[tuple[Any, Callable[[Context, Any], Awaitable[None]]], ...] = (
    (More, lambda ctx, b: open_menu(ctx, b.ticket)),
    (Urge, lambda ctx, b: urge(ctx, b.ticket)),
    (File, lambda ctx, b: press_file(ctx, b.pending)),
    (MeToo, lambda ctx, b: press_metoo(ctx, b.pending, b.ticket)),
    (NewProblem, lambda ctx, b: press_metoo(ctx, b.pending, None)),
    (Feedback, lambda ctx, b: on_feedback(ctx, b.ticket, b.answer)),
    (RouteTo, lambda ctx, b: press_route(ctx, b.pending, b.which)),
    (ReportMedia, lambda ctx, b: press_report_media(ctx, b.pending)),
    (Page, lambda ctx, b: tickets_command.handler(ctx, b.which.value, b.page)),
)


@hookimpl
def register_features() -> Sequence[Feature]:
    """What detection and the ticket cards do where the platform cannot (WeCom, DingTalk)."""
    return [
        Feature(
            "group_detection",
            Capability.HEARS_ALL,
            "reads every group message and offers to file those that report a problem",
            "reads the group messages that @-mention the bot (the only ones delivered) and "
            "offers to file those that report a problem; /ticket in a reply still works",
        ),
        Feature(
            "cards_updated",
            Capability.EDITS,
            "updates a ticket's card in place when it is acknowledged, resolved or reassigned",
            "posts the card's new state as a new message",
        ),
    ]
