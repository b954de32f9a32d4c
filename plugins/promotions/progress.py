"""A broadcast's progress: the state of each copy (sent, pending in the outbox, failed, waiting
for its group's free slot, skipped and why), reported to the author and the approver with a
progress bar until every copy is out; the post is then published (or failed: no copy went)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qunzhu.core import N_, Context, JobTick, Reply, Translator, aware, job, outbox_states

from .audience import config_for
from .models import Delivery, Post
from .notify import send_to, translator_for
from .times import local

__all__ = [
    "REASONS",
    "names",
    "progress_job",
    "report",
    "schedule_progress",
    "status",
    "tally",
    "title_of",
]

BAR = 10
NAMES = 5


async def status(db: AsyncSession, post_id: int) -> list[tuple[Delivery, str]]:
    """Every delivery of the post with its state: sent, pending (in the outbox), retrying (the
    platform asked to wait, or a try failed and is repeated), failed (after the retries), waiting
    or skipped."""
    rows = (
        await db.scalars(select(Delivery).where(Delivery.post_id == post_id).order_by(Delivery.id))
    ).all()
    outbox = await outbox_states(db, (d.outbox_id for d in rows if d.outbox_id is not None))
    found = []
    for d in rows:
        state = d.status
        copy = outbox.get(d.outbox_id) if d.outbox_id is not None else None
        if d.status == "queued":
            state = copy.status if copy is not None else "pending"
            if state == "pending" and copy is not None and copy.attempts:
                state = "retrying"
        found.append((d, state))
    return found


def _bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else BAR
    return "▓" * filled + "░" * (BAR - filled) + f" {100 * done // max(total, 1)}%"


REASONS = {
    "opted_out": N_("not opted in"),
    "removed": N_("the bot was removed"),
    "sold_out": N_("sold out"),
    "withdrawn": N_("withdrawn"),
    "superseded": N_("replaced by the series' next post"),
    "quiet_hours": N_("quiet hours"),
    "daily_cap": N_("daily limit reached"),
}


def title_of(t: Translator, post: Post, *, quote: bool = True) -> str:
    """“通山鮰鱼”, or “通山鮰鱼” (series #4, post 2) for a post of a series."""
    title = f"“{post.title}”" if quote else post.title
    if post.series_id is not None:
        space = "" if t.lang.startswith("zh") else " "  # （系列 #1 第 2 次） has its own space
        title += space + t("(series #{id}, post {n})", id=post.series_id, n=post.occurrence)
    return title


def tally(t: Translator, states: list[tuple[Delivery, str]]) -> str:
    """ "sent 4 · pending 0 · failed 0 · waiting 0 · skipped 1"."""
    count = Counter(s for _, s in states)
    return t(
        "sent {sent} · pending {pending} · failed {failed} · waiting {waiting} · skipped "
        "{skipped}",
        sent=count["sent"], pending=count["pending"] + count["retrying"], failed=count["failed"],
        waiting=count["waiting"], skipped=count["skipped"],
    )  # fmt: skip


async def report(ctx: Context, post: Post, tr: Translator | None = None) -> tuple[str, bool]:
    """The progress text (in `tr`'s language, else the asker's), and whether the broadcast is
    finished."""
    t = tr or ctx.t
    states = await status(ctx.db, post.id)
    count = Counter(s for _, s in states)
    active = len(states) - count["skipped"]
    lines = [
        t("Promotion #{id} {title}:", id=post.id, title=title_of(t, post)),
        _bar(count["sent"] + count["failed"], active),
        tally(t, states),
        *names(ctx, t, states),
    ]
    finished = count["pending"] + count["retrying"] + count["waiting"] == 0
    return "\n".join(lines), finished


def names(ctx: Context, t: Translator, states: list[tuple[Delivery, str]]) -> list[str]:
    """The groups that did not get the post (yet), by why: "· failed: g140, g141"."""
    by: dict[str, list[str]] = {}
    for d, state in states:
        if state not in ("failed", "retrying", "waiting", "skipped"):
            continue
        head = t(state)
        if state == "waiting":
            head += " " + t("until {when}", when=local(ctx, aware(d.due_at)))
        if state in ("waiting", "skipped") and d.reason in REASONS:
            head += f" ({t(REASONS[d.reason])})"
        by.setdefault(head, []).append(d.title or d.chat_id)
    lines = []
    for head, names in by.items():
        more = f" … ({len(names)})" if len(names) > NAMES else ""
        lines.append(f"· {head}: {', '.join(names[:NAMES])}{more}")
    return lines


# the states of a copy, as the reports show them
_STATE_WORDS = (N_("failed"), N_("retrying"), N_("waiting"), N_("skipped"))


async def schedule_progress(ctx: Context, post_id: int, at: datetime) -> None:
    await ctx.schedule(
        "progress", at=at, key=f"progress:{post_id}:{at.isoformat()}", payload={"post": post_id}
    )


@job("progress", help=N_("Report a broadcast's progress to its author and approver"))
async def progress_job(ctx: Context) -> None:
    tick = ctx.event
    assert isinstance(tick, JobTick)
    post = await ctx.db.get(Post, tick.payload.get("post", 0))
    if post is None or post.state not in ("sending", "cancelled"):
        return
    done = False
    from .sharing import share_button  # sharing sends through the broadcast, which reports here

    for identity in dict.fromkeys(filter(None, (post.author, post.approver))):
        t = await translator_for(ctx, identity)
        text, done = await report(ctx, post, t)
        button = await share_button(ctx, identity, post, t)
        await send_to(ctx, identity, Reply(text).with_buttons(button) if button else text)
    states = await status(ctx.db, post.id)
    if done:
        if post.state == "sending":
            post.state = "published" if any(s == "sent" for _, s in states) else "failed"
        return
    config = config_for(ctx.app, "")
    nxt = ctx.now() + timedelta(minutes=config.progress_minutes)
    if not any(s in ("pending", "retrying") for _, s in states):
        # only copies waiting for a later time: report when the first goes
        waits = [aware(d.due_at) for d, s in states if s == "waiting"]
        nxt = max(min(waits), nxt) + timedelta(minutes=1)
    await schedule_progress(ctx, post.id, nxt)
