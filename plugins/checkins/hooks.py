"""The plugin's hook implementations: what it declares and how events reach it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from qunzhu.core import (
    N_,
    App,
    Base,
    ButtonDataError,
    Capability,
    Command,
    Context,
    Dialog,
    DigestSection,
    Feature,
    Job,
    Person,
    hookimpl,
    job,
)
from qunzhu.core.web import Page, Panel, RouteDef

from .acks import ack_button, ack_reaction, ack_typed
from .buttons import (
    Accept,
    Acknowledge,
    AnswerPrivately,
    Chart,
    Delete,
    Done,
    GiveBack,
    IsDone,
    IsReport,
    Keep,
)
from .campaign_admin import created, edited
from .campaign_dialog import campaign_dialog
from .campaign_states import delete_pressed
from .commands import COMMANDS
from .config import CheckinsConfig
from .escalation import run_due, run_escalate, run_task_remind
from .export import routes
from .history import send_chart
from .leave import member_changed
from .models import Ack, CampaignRow, Leave, Report, Round, Task
from .private import DIALOG, start_report
from .reports import handle_message
from .rounds import plan_all, run_close, run_open, run_remind
from .settings import NAME
from .task_deadline import DEADLINE_DIALOG
from .task_digest import overdue_task_chat_sections, overdue_task_sections
from .task_reading import RETURN_DIALOG, answer_is_done, ask_reason, read_task_message
from .task_signoff import accept, finish
from .web_pages import PAGES
from .web_panel import PANEL
from .web_tasks import PAGES as TASK_PAGES

__all__ = [
    "digest_chat_sections",
    "digest_sections",
    "on_button",
    "on_member_change",
    "on_message",
    "on_reaction",
    "on_startup",
    "register_catalogs",
    "register_commands",
    "register_config",
    "register_dialogs",
    "register_jobs",
    "register_migrations",
    "register_models",
    "register_routes",
]

log = logging.getLogger(NAME)
HERE = Path(__file__).parent


@hookimpl
def register_config() -> type[BaseModel]:
    return CheckinsConfig


@hookimpl
def register_commands() -> Sequence[Command]:
    return COMMANDS


@hookimpl
def register_models() -> Sequence[type[Base]]:
    return [CampaignRow, Round, Report, Ack, Leave, Task]


@hookimpl
def register_migrations() -> Path:
    return HERE / "migrations" / "versions"


@hookimpl
def register_catalogs() -> Path:
    return HERE / "locale"


@hookimpl
def register_routes() -> Sequence[RouteDef]:
    return routes()


@hookimpl
def register_pages() -> Sequence[Panel | Page]:
    return [PANEL, *PAGES, *TASK_PAGES]


@hookimpl
def register_dialogs() -> Sequence[Dialog]:
    return [
        DIALOG,
        DEADLINE_DIALOG,
        RETURN_DIALOG,
        campaign_dialog("campaign", False, created),
        campaign_dialog("campaign_edit", True, edited),
    ]


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [
        job("open", help=N_("Open a check-in: post the prompt"))(run_open),
        job("remind", help=N_("Remind who has not reported"))(run_remind),
        job("close", help=N_("Close a check-in: post the summary"))(run_close),
        job("task_remind", help=N_("Remind the assignees before a deadline"))(run_task_remind),
        job("task_due", help=N_("A task's deadline: name the assignee, escalate"))(run_due),
        job("task_escalate", help=N_("Escalate an overdue task one more level"))(run_escalate),
    ]


@hookimpl
async def on_startup(app: App) -> None:
    """Plan every campaign's next check-in (and open one the bot missed while it was down)."""
    try:
        await app.as_plugin(NAME, plan_all, what="startup")
    except IntegrityError:  # another worker planned the same rows at the same moment
        log.info("event=checkins_plan_raced")


@hookimpl
async def digest_sections(
    ctx: Context, people: Sequence[Person], since: datetime
) -> dict[int, DigestSection]:
    """The overdue tasks each recipient of a digest assigned or supervises."""
    return await overdue_task_sections(ctx, people, since)


@hookimpl
async def digest_chat_sections(
    ctx: Context, chats: Sequence[str], since: datetime
) -> dict[str, DigestSection]:
    """The overdue tasks of each group chat's unit and below, for a group's digest."""
    return await overdue_task_chat_sections(ctx, chats, since)


@hookimpl
async def on_message(ctx: Context) -> None:
    if ctx.handled_by is not None:
        return  # another plugin's (the answer to its question)
    if await ack_typed(ctx) or await read_task_message(ctx):
        ctx.claim()  # an owner's 👍 typed as text; a task reported done, or signed off
        return
    await handle_message(ctx)
    if ctx.sent:
        ctx.claim()  # answered as a report (or why it is not one, or asked whether it is)


@hookimpl
async def on_button(ctx: Context) -> None:
    press = ctx.button
    if press is None or not press.data.startswith(f"{NAME}:"):
        return
    ctx.claim()  # a press of the plugin's own button
    try:
        await _pressed(ctx, press.data)
    except ButtonDataError:  # not one of this plugin's buttons after all
        if press.data.startswith("checkins:chart:"):  # a campaign name with a colon, sent before
            await send_chart(ctx, press.data.removeprefix("checkins:chart:"))


async def _pressed(ctx: Context, data: str) -> None:
    if (ack := Acknowledge.unpack(data)) is not None:
        await ack_button(ctx, ack.report)
    elif (dm := AnswerPrivately.unpack(data)) is not None:
        from .private import open_rounds_of, start_me_first

        rounds = [r for r in await open_rounds_of(ctx) if r.id == dm.round]
        if not rounds:
            await ctx.reply(ctx.t("This check-in is closed or does not list you."))
        elif not await ctx.can_write_privately(ctx.sender):
            await start_me_first(ctx)
        else:
            await start_report(ctx, rounds)
    elif await _task_pressed(ctx, data):
        return
    elif (chart := Chart.unpack(data)) is not None:
        target = chart.target
        if target[:1] == "r" and target[1:].isdigit():
            await send_chart(ctx, round_id=int(target[1:]))
        else:  # a button sent before the round's id replaced the name
            await send_chart(ctx, target)
    elif (delete := Delete.unpack(data)) is not None:
        await delete_pressed(ctx, delete.campaign, confirmed=True)
    elif (keep := Keep.unpack(data)) is not None:
        await delete_pressed(ctx, keep.campaign, confirmed=False)
    elif (mine := IsReport.unpack(data)) is not None:
        from .asking import answer_asked

        await answer_asked(ctx, mine)


async def _task_pressed(ctx: Context, data: str) -> bool:
    """The buttons of tasks: ✅ done, sign-off, is this the report."""
    if (done := Done.unpack(data)) is not None:
        await finish(ctx, done.task)
    elif (pressed := Accept.unpack(data) or GiveBack.unpack(data)) is not None:
        await _sign_off(ctx, pressed)
    elif (is_done := IsDone.unpack(data)) is not None:
        await answer_is_done(ctx, is_done)
    else:
        return False
    return True


async def _sign_off(ctx: Context, pressed: Accept | GiveBack) -> None:
    task = await ctx.db.get(Task, pressed.task)
    if task is None:
        await ctx.reply(ctx.t("There is no task T-{id}.", id=pressed.task))
    elif isinstance(pressed, Accept):
        await accept(ctx, task)
    else:
        await ask_reason(ctx, task)


@hookimpl
async def on_reaction(ctx: Context) -> None:
    await ack_reaction(ctx)


@hookimpl
async def on_member_change(ctx: Context) -> None:
    await member_changed(ctx)


@hookimpl
def register_features() -> Sequence[Feature]:
    """Where reports come from on a platform that delivers only @-mentions in groups, and how
    owners acknowledge where there are no reactions."""
    return [
        Feature(
            "group_reports",
            Capability.HEARS_ALL,
            "takes reports from replies to the prompt, #周报 messages and untagged reports in "
            "the group",
            "takes reports from group messages that @-mention the bot (tagged or not), replies "
            "that @-mention it, and private chats",
        ),
        Feature(
            "reaction_acks",
            Capability.REACTIONS,
            "counts an owner's 👍 reaction on a report as acknowledged",
            "owners acknowledge with the 👍 button under each report's receipt",
        ),
        Feature(
            "receipts_updated",
            Capability.EDITS,
            "updates a report's receipt and the summary in place",
            "posts the new receipt or summary as a new message",
        ),
    ]
