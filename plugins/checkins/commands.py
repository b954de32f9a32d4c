"""The plugin's commands: /checkin (report privately), /checkins (history, chart, open and close
by hand; new, edit, pause, resume, delete and list the campaigns created in chat), /newcheckin,
/leave, /task, /tasks, /done."""

from __future__ import annotations

from datetime import datetime, timedelta

from qunzhu.core import N_, Command, Context, Text, UsageError, command

from .campaign_admin import start_edit, start_new
from .campaign_states import ask_delete, list_campaigns, pause, resume
from .history import campaigns_for, send_chart, show_history
from .leave import parse_dates, record_leave
from .private import open_rounds_of, start_report
from .reports import latest_rounds
from .roster import is_owner
from .rounds import close_round, find_round, open_round
from .settings import campaign_zone
from .task_list import list_tasks
from .task_signoff import finish
from .tasks import assign
from .windows import Window, window_on

__all__ = ["COMMANDS"]

_OPEN = {"open", "开始", "開始", "发起", "發起"}
_CLOSE = {"close", "结束", "結束", "截止"}
_CHART = {"chart", "图表", "圖表", "图", "圖"}
_NEW = {"new", "create", "新建", "新增", "创建", "創建", "建立"}
_EDIT = {"edit", "change", "修改", "编辑", "編輯", "更改"}
_PAUSE = {"pause", "暂停", "暫停"}
_RESUME = {"resume", "恢复", "恢復", "继续", "繼續"}
_DELETE = {"delete", "remove", "删除", "刪除"}
_LIST = {"list", "列表", "清单", "清單", "全部"}


@command(
    "checkin",
    aliases=["汇报", "彙報", "周报", "週報", "填报", "填報"],
    help=N_("Send your check-in report: the bot asks the questions one by one"),
)
async def checkin(ctx: Context) -> None:
    rounds = await open_rounds_of(ctx)
    if not rounds:
        await ctx.reply(ctx.t("No check-in is waiting for your report now."))
        return
    await start_report(ctx, rounds)


@command(
    "checkins",
    aliases=["汇报情况", "彙報情況", "打卡记录"],
    help=N_(
        "Check-ins of the last weeks; /checkins chart for a picture; /checkins list; "
        "owners: new, edit, pause, resume, delete, open, close"
    ),
)
async def checkins(ctx: Context, args: Text = "") -> None:
    action, _, name = args.strip().partition(" ")
    action, name = action.lower(), name.strip()
    if action in _CHART:
        await send_chart(ctx, name)
    elif action in _OPEN | _CLOSE:
        await _by_hand(ctx, action in _OPEN, name)
    elif action in _NEW:
        await start_new(ctx)
    elif action in _LIST:
        await list_campaigns(ctx)
    elif action in _EDIT | _PAUSE | _RESUME | _DELETE:
        await _manage(ctx, action, name)
    else:
        await show_history(ctx, args)


async def _manage(ctx: Context, action: str, name: str) -> None:
    if action in _EDIT:
        await start_edit(ctx, name)
    elif action in _PAUSE:
        await pause(ctx, name)
    elif action in _RESUME:
        await resume(ctx, name)
    else:
        await ask_delete(ctx, name)


@command(
    "newcheckin",
    aliases=["新建汇报", "新建彙報"],
    help=N_("Create a check-in for this group, step by step (administrators, supervisors)"),
)
async def newcheckin(ctx: Context) -> None:
    await start_new(ctx)


async def _by_hand(ctx: Context, opening: bool, name: str) -> None:
    """An owner opens today's check-in now (ahead of its time, or on a day off), or closes it."""
    found = await campaigns_for(ctx, name)
    if not found:
        raise UsageError(ctx.t("No check-ins are configured."))
    if len(found) > 1:
        names = ctx.t(", ").join(c.name for c in found)
        raise UsageError(ctx.t("Name the check-in: {names}", names=names))
    campaign = found[0]
    if not await is_owner(ctx.app, campaign, ctx.person):
        raise UsageError(ctx.t("Only the owners of {name} can do that.", name=campaign.name))
    if opening:
        tz = campaign_zone(ctx.app, campaign)
        now = ctx.now()
        today = now.astimezone(tz).date()
        planned = window_on(campaign, tz, ctx.calendar, today)
        usual = datetime.combine(today, campaign.close_time(), tzinfo=tz)  # on a day off
        if planned is not None and planned.closes_at > now:
            closes = planned.closes_at
        else:
            closes = usual if usual > now + timedelta(hours=1) else now + timedelta(hours=8)
        if await find_round(ctx, campaign.name, today) is not None:
            await ctx.reply(ctx.t("{name} has already been held today.", name=campaign.name))
            return
        await open_round(ctx, campaign, Window(today, now, closes, today))
        return
    rnd = await latest_rounds(ctx, campaign)
    if rnd is None or rnd.state != "open":
        raise UsageError(ctx.t("{name} is not open now.", name=campaign.name))
    await close_round(ctx, rnd)


@command(
    "leave",
    aliases=["请假", "請假"],
    help=N_("Record leave: /leave 2026-12-01..2026-12-05, or an owner: /leave <name> <days>"),
)
async def leave(ctx: Context, args: Text) -> None:
    text = args.strip()
    today = ctx.now().astimezone(ctx.calendar.tz).date()
    if parse_dates(text, today) is not None:
        await record_leave(ctx, "", text)
        return
    who, _, dates = text.partition(" ")
    await record_leave(ctx, who.lstrip("@"), dates)


@command(
    "task",
    aliases=["任务", "任務", "交办", "交辦"],
    help=N_("Assign a task with a deadline: /task @住建局 明天下班前完成现场整改"),
)
async def task(ctx: Context, text: Text) -> None:
    await assign(ctx, text)


@command(
    "tasks",
    aliases=["任务列表", "任務列表"],
    help=N_("Open tasks; in a private chat, those you assigned and those you owe"),
)
async def tasks(ctx: Context) -> None:
    await list_tasks(ctx)


@command(
    "done",
    aliases=["完成", "办结", "辦結"],
    help=N_("Report a task done, with a few words: /done T-3 塌方已清理"),
)
async def done(ctx: Context, args: Text = "") -> None:
    which, _, note = args.strip().partition(" ")
    number = which.upper().removeprefix("T-").removeprefix("T")
    if number and not number.isdigit():  # no number: every word is the note
        number, note = "", args.strip()
    await finish(ctx, int(number) if number else None, note)


COMMANDS: list[Command] = [checkin, checkins, newcheckin, leave, task, tasks, done]
