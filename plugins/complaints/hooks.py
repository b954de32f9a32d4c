"""complaints (问题受理): the plugin's hooks. Entry point ``complaints``; YAML key
``plugins.complaints``; tables ``complaints_*``; logger and gettext domain ``complaints``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from qunzhu.core import App, Base, Command, Context, Dialog, Job, hookimpl
from qunzhu.core.web import RouteDef

from .actions import on_card_button, on_feedback
from .buttons import CARD_ACTIONS, Feedback, File, MeToo, More, NewProblem, Page, Urge
from .commands import COMMANDS, tickets_command
from .config import ComplaintsConfig
from .deadlines import overdue_scan, overdue_scan_more
from .detect import matcher_for
from .dialogs import DIALOGS, photo_problem
from .digest import digest, plan_digest
from .directory import base_config
from .escalation import urge
from .intake import detect, press_file, press_metoo
from .models import Counter, Follower, Notice, NoticeTicket, Pending, Ticket, TicketEvent
from .more import MORE_DIALOGS, open_menu
from .routes import ROUTES
from .switch import DetectionSwitch, detection_command

log = logging.getLogger("complaints")
PREFIX = "complaints:"


@hookimpl
def register_config() -> type[BaseModel]:
    return ComplaintsConfig


@hookimpl
def register_commands() -> Sequence[Command]:
    return (*COMMANDS, detection_command)


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
    return (*DIALOGS, *MORE_DIALOGS)


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
async def on_message(ctx: Context) -> None:
    message = ctx.message
    if message is None or message.edited:
        return
    if not message.chat.is_direct:
        await detect(ctx, message)
        return
    config: ComplaintsConfig = ctx.config
    if not config.private_intake or not message.text.strip():
        return
    if matcher_for(base_config(ctx)).category(message.text) is None:
        return
    initial: dict[str, object] = {"description": message.text.strip()}
    if message.photos:
        problem = photo_problem(ctx, message.photos)
        if problem:
            await ctx.reply(problem)
        else:
            initial["photo"] = message.photos
    if message.location is not None:
        initial["location"] = message.location
    await ctx.start_dialog("report", initial=initial)


@hookimpl
async def on_button(ctx: Context) -> None:
    press = ctx.button
    if press is None or not press.data.startswith(PREFIX):
        return
    try:
        await _press(ctx, press.data)
    except ValueError:  # ButtonDataError: data whose fields do not parse
        log.warning("event=bad_button data=%r", press.data)
        await ctx.reply(ctx.t("This button is out of date; please start again."))


async def _press(ctx: Context, data: str) -> None:
    for action, family in CARD_ACTIONS.items():
        if (card := family.unpack(data)) is not None:
            await on_card_button(ctx, action, card.ticket)
            return
    if (more := More.unpack(data)) is not None:
        await open_menu(ctx, more.ticket)
    elif (urging := Urge.unpack(data)) is not None:
        await urge(ctx, urging.ticket)
    elif (offer := File.unpack(data)) is not None:
        await press_file(ctx, offer.pending)
    elif (metoo := MeToo.unpack(data)) is not None:
        await press_metoo(ctx, metoo.pending, metoo.ticket)
    elif (new := NewProblem.unpack(data)) is not None:
        await press_metoo(ctx, new.pending, None)
    elif (feedback := Feedback.unpack(data)) is not None:
        await on_feedback(ctx, feedback.ticket, feedback.answer)
    elif (page := Page.unpack(data)) is not None:
        await tickets_command.handler(ctx, page.which.value, page.page)
    else:
        msg = f"no button of the plugin has the data {data!r}"
        raise ValueError(msg)
