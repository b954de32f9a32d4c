"""``/checkins``: the last weeks of a campaign as text, and its participation chart as a picture."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from qunzhu.core import N_, Button, Context, Reply, UsageError

from .buttons import Chart
from .campaigns import every
from .chart import STATUSES, ChartData, draw
from .config import Campaign
from .expected import statuses
from .models import Round
from .roster import Member
from .settings import settings
from .texts import day_label

__all__ = ["WEEKS", "campaigns_for", "send_chart", "show_history"]

WEEKS = 8
LABELS = {
    "reported": N_("reported"),
    "late": N_("late"),
    "missed": N_("missed"),
    "leave": N_("on leave"),
    "left": N_("left the group"),
}


async def campaigns_for(ctx: Context, name: str = "") -> list[Campaign]:
    """The campaigns `name` means: that one, else those of this group, else all of them."""
    campaigns = await every(ctx.app, ctx.db)
    if name:
        found = next((c for c in campaigns if c.name == name.strip()), None)
        if found is None:
            names = ctx.t(", ").join(c.name for c in campaigns) or "—"
            raise UsageError(
                ctx.t(
                    "There is no check-in called {name}. Check-ins: {names}", name=name, names=names
                )
            )
        return [found]
    here = [c for c in campaigns if c.group == ctx.chat.key]
    return here or campaigns


async def _rounds(ctx: Context, campaign: Campaign, weeks: int = WEEKS) -> list[Round]:
    rows = await ctx.db.scalars(
        select(Round).where(Round.campaign == campaign.name).order_by(Round.day.desc()).limit(weeks)
    )
    return list(reversed(list(rows)))


async def _grid(ctx: Context, rounds: list[Round]) -> tuple[list[Member], list[list[str]]]:
    people: dict[int, Member] = {}
    for rnd in rounds:
        for m in rnd.roster:
            member = Member.from_json(m)
            people[member.id] = member
    by_round = [await statuses(ctx.db, rnd) for rnd in rounds]
    cells = [[states.get(pid, "none") for states in by_round] for pid in people]
    return list(people.values()), cells


async def show_history(ctx: Context, name: str = "") -> None:
    campaigns = await campaigns_for(ctx, name)
    if not campaigns:
        await ctx.reply(ctx.t("No check-ins are configured."))
        return
    for campaign in campaigns:
        rounds = await _rounds(ctx, campaign)
        if not rounds:
            await ctx.reply(ctx.t("{name}: no check-in has been held yet.", name=campaign.name))
            continue
        lines = [
            ctx.t("📅 {name}: the last {count} check-ins", name=campaign.name, count=len(rounds))
        ]
        for rnd in rounds:
            states = list((await statuses(ctx.db, rnd)).values())
            done = sum(s in ("reported", "late") for s in states)
            due = sum(s in ("reported", "late", "missed") for s in states)
            rate = f"{round(100 * done / due)}%" if due else "—"
            mark = "" if rnd.state == "closed" else " " + ctx.t("(open)")
            lines.append(
                ctx.t(
                    "{day}: {done} of {due} reported ({rate})",
                    day=day_label(ctx.t, rnd.day),
                    done=done,
                    due=due,
                    rate=rate,
                )
                + mark
            )
        members, cells = await _grid(ctx, rounds)
        for member, row in zip(members, cells, strict=True):
            lines.append(f"{member.name} " + "".join(STATUSES[c][1] or "·" for c in row))
        lines.append(ctx.t("✓ reported  L late  ✗ missed  — on leave"))
        # the latest round names the campaign: a name may be longer than the 64 bytes of
        # data a Telegram button carries (2026年汛期防汛抗旱及地质灾害防治工作周报 is 61)
        button = Button(ctx.t("📊 Chart"), data=Chart.of_round(rounds[-1].id).pack())
        await ctx.reply(Reply("\n".join(lines)).with_buttons(button))


async def send_chart(ctx: Context, name: str = "", *, round_id: int | None = None) -> None:
    """The chart of the campaign `name`, or of round `round_id`'s campaign (the 📊 button)."""
    if round_id is not None:
        rnd = await ctx.db.get(Round, round_id)
        if rnd is None:
            return
        name = rnd.campaign
    for campaign in await campaigns_for(ctx, name):
        rounds = await _rounds(ctx, campaign, weeks=12)
        if not rounds:
            await ctx.reply(ctx.t("{name}: no check-in has been held yet.", name=campaign.name))
            continue
        members, cells = await _grid(ctx, rounds)
        data = ChartData(
            title=ctx.t("{name}: participation", name=campaign.name),
            people=[m.name for m in members],
            columns=[r.day.strftime("%m-%d") for r in rounds],
            cells=cells,
            legend={k: ctx.t(v) for k, v in LABELS.items()},
        )
        folder = settings(ctx.app).chart_dir
        path, named = draw(
            data, Path(folder) if folder else Path(tempfile.gettempdir()) / "qunzhu-checkins"
        )
        caption = ctx.t("📊 {name}: who reported, check-in by check-in", name=campaign.name)
        if not named:
            who = "  ".join(f"{i}. {n}" for i, n in enumerate(data.people, 1))
            legend = "  ".join(f"{STATUSES[k][1]} {ctx.t(v)}" for k, v in LABELS.items())
            caption += "\n" + who + "\n" + legend
        await ctx.reply(Reply(caption, photo=str(path)))
