"""How a post's schedule reads, in the reader's language: "every Friday at 10:00, until 03-01"
(每周五 10:00，到 03-01 为止), "at the next free slot", and the state of a post for its seller."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from qunzhu.core import N_, Translator, aware

from .models import Post
from .recurrence import Repeat

__all__ = ["WEEKDAYS", "describe", "state_text"]

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))  # fmt: skip
_END_REASONS = {
    "finished": N_("its last date has passed"),
    "sold_out": N_("sold out"),
    "limit": N_("it reached the most posts a series may have"),
    "withdrawn": N_("withdrawn"),
}


def _clock(rep: Repeat, first: datetime, tz: ZoneInfo) -> str:
    if rep.at is not None:
        return f"{rep.at[0]:02d}:{rep.at[1]:02d}"
    return first.astimezone(tz).strftime("%H:%M")


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%Y-%m-%d")


def describe(t: Translator, rep: Repeat, first: datetime, tz: ZoneInfo, *, product: bool) -> str:
    """How `rep` repeats, from the first send `first`: "every Friday at 10:00, 3 times"."""
    at = _clock(rep, first, tz)
    local = first.astimezone(tz)
    chinese = t.lang.startswith("zh")
    days = rep.days or ((local.weekday(),) if rep.freq == "weekly" else (local.day,))
    numbers = ", ".join(str(d) for d in days)
    if rep.freq == "weekly":
        numbers = ("、" if chinese else ", ").join(t(WEEKDAYS[d]) for d in days)
    n = rep.interval
    if rep.freq == "rrule":
        text = t("by the rule {rule}", rule=rep.rule)
    elif rep.freq == "cron":
        text = t("on the cron schedule {rule}", rule=rep.rule)
    elif rep.freq == "workdays":
        text = t("every working day at {time}", time=at)
    elif rep.freq == "daily":
        text = (
            t("every {n} days at {time}", n=n, time=at)
            if n > 1
            else t("every day at {time}", time=at)
        )
    elif rep.freq == "weekly":
        text = (
            t("every {n} weeks on {days} at {time}", n=n, days=numbers, time=at)
            if n > 1
            else t("every {days} at {time}", days=numbers, time=at)
        )
    else:
        text = (
            t("every {n} months on day {days} at {time}", n=n, days=numbers, time=at)
            if n > 1
            else t("on day {days} of every month at {time}", days=numbers, time=at)
        )
    ends = []
    if rep.count:
        ends.append(t("{n} times", n=rep.count) if rep.count > 1 else t("once"))
    if rep.until:
        ends.append(t("until {date}", date=_day(rep.until)))
    if rep.span_days:
        ends.append(t("for {n} days", n=rep.span_days))
    if rep.span_months:
        ends.append(t("for {n} months", n=rep.span_months))
    if not rep.ends:
        ends.append(t("until sold out or withdrawn") if product else t("until withdrawn"))
    return ("，" if chinese else ", ").join([text, *ends])


def state_text(t: Translator, post: Post, tz: ZoneInfo) -> str:  # noqa: PLR0911 - one per state
    """A post's state as its seller reads it: "waiting for approval", "approved by 王科长, goes
    out at 01-05 10:00", "repeats every day at 10:00; next 01-06 10:00", "published 01-05 10:00"."""

    def when(moment: datetime | None) -> str:
        return aware(moment).astimezone(tz).strftime("%m-%d %H:%M") if moment else "—"

    if post.state == "pending":
        return t("waiting for approval")
    if post.state == "rejected":
        return t("not approved by {name}", name=post.approver_name)
    if post.state == "cancelled":
        return t("withdrawn")
    if post.repeat is not None:
        how = describe(t, Repeat.from_json(post.repeat), aware(post.send_at or post.created_at),
                       tz, product=post.product_id is not None)  # fmt: skip
        if post.state == "ended":
            return t("repeated {how}; ended: {why}", how=how,
                     why=t(_END_REASONS.get(post.end_reason, "withdrawn")))  # fmt: skip
        return t("repeats {how}; next post {when}", how=how, when=when(post.next_at))
    if post.state == "scheduled":
        return t("approved by {name}, goes out at {when}", name=post.approver_name,
                 when=when(post.send_at))  # fmt: skip
    if post.state == "sending":
        return t("sending since {when}", when=when(post.published_at))
    if post.state == "published":
        return t("published {when}", when=when(post.published_at))
    return t("failed: no group received it")
