"""What the bot says about check-ins: the prompt, reminders, receipts and the summary.

Every function takes the translator (`t`) of the chat or person it writes for; every text is a
message id of the ``checkins`` catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from qunzhu.core import N_, Translator

from .config import Campaign
from .windows import Window

__all__ = [
    "ReportLine",
    "SummaryData",
    "day_label",
    "excused_label",
    "first_line",
    "prompt",
    "receipt",
    "reminder",
    "span_label",
    "summary",
    "when_label",
]

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_FIRST_LINE = 40


def day_label(t: Translator, day: date) -> str:
    """``1月9日（周五）`` / ``Fri 9 Jan``."""
    return t(
        "{weekday} {month}/{day}", weekday=t(WEEKDAYS[day.weekday()]), month=day.month, day=day.day
    )


def date_label(t: Translator, day: date, *, year: bool = False) -> str:
    """``1月23日`` (``2026年1月23日`` with `year`) / ``23 Jan``."""
    if year:
        return t("{year}/{month}/{day}", year=day.year, month=day.month, day=day.day)
    return t("{month}/{day}", month=day.month, day=day.day)


def span_label(t: Translator, first: date, last: date) -> str:
    """Days as people write them: ``1月23日``, ``1月23日至25日``, ``1月30日至2月2日``,
    ``2026年12月30日至2027年1月2日``."""
    if first == last:
        return date_label(t, first)
    if first.year != last.year:
        return t(
            "{first} to {last}",
            first=date_label(t, first, year=True),
            last=date_label(t, last, year=True),
        )
    if first.month != last.month:
        return t("{first} to {last}", first=date_label(t, first), last=date_label(t, last))
    return t("{month}/{first} to {month}/{last}", month=first.month, first=first.day, last=last.day)


def when_label(t: Translator, moment: datetime, tz: ZoneInfo) -> str:
    """A day and a time in `tz`: ``1月9日（周五）18:00``."""
    local = moment.astimezone(tz)
    return t("{day} {time}", day=day_label(t, local.date()), time=local.strftime("%H:%M"))


def first_line(text: str, tag: str = "") -> str:
    """The first non-empty line of a report, without the tag, shortened."""
    for raw in text.splitlines():
        line = raw.replace(tag, "").strip() if tag else raw.strip()
        if line:
            return line if len(line) <= _FIRST_LINE else line[: _FIRST_LINE - 1] + "…"
    return ""


def prompt(t: Translator, campaign: Campaign, window: Window, tz: ZoneInfo) -> str:
    lines = [
        t(
            "📋 {name}: please report by {close}.",
            name=campaign.name,
            close=when_label(t, window.closes_at, tz),
        )
    ]
    if window.moved and window.replaces is not None:
        lines.append(
            t(
                "(Moved from {planned} because of the holiday; there is no other check-in on "
                "{replaced}.)",
                planned=day_label(t, window.planned),
                replaced=day_label(t, window.replaces),
            )
        )
    elif window.moved:
        lines.append(
            t(
                "(Moved from {planned} because of the holiday.)",
                planned=day_label(t, window.planned),
            )
        )
    lines += [f"{i}. {q}" for i, q in enumerate(campaign.questions, 1)]
    lines.append(
        t(
            "Reply to this message, post a message with {tag}, or press the button to answer "
            "in a private chat. Photos and videos are welcome.",
            tag=campaign.tag,
        )
    )
    return "\n".join(lines)


def reminder(t: Translator, campaign: Campaign, close: str, names: Sequence[str]) -> str:
    return t(
        "⏰ {name} closes at {close}. Not reported yet: {people}",
        name=campaign.name,
        close=close,
        people=" ".join(f"@{n}" for n in names),
    )


def receipt(
    t: Translator,
    name: str,
    *,
    late: bool,
    updated: bool,
    acks: Sequence[str],
    count: tuple[int, int] | None = None,
    excused: Sequence[str] = (),
    body: str = "",
    media: int = 0,
) -> str:
    """The bot's answer to a report: received (with the count so far), or updated; the report
    itself when it came privately; who acknowledged it."""
    if updated:
        lines = [t("✅ {name}'s report was updated.", name=name)]
    elif late:
        lines = [t("✅ Received {name}'s report (late).", name=name)]
    elif count is not None and excused:
        lines = [
            t(
                "✅ Received {name}'s report ({done}/{total}; not counted: {excused}).",
                name=name,
                done=count[0],
                total=count[1],
                excused=t(", ").join(excused),
            )
        ]
    elif count is not None:
        lines = [
            t(
                "✅ Received {name}'s report ({done}/{total}).",
                name=name,
                done=count[0],
                total=count[1],
            )
        ]
    else:
        lines = [t("✅ Received {name}'s report.", name=name)]
    if body:
        lines += ["", body]
    if media:
        lines.append(t("[{count} photos/videos]", count=media))
    if acks:
        lines.append(t("👍 Seen by {names}", names=t(", ").join(acks)))
    return "\n".join(lines)


def excused_label(t: Translator, name: str, why: str) -> str:
    """``平潭市长 请假`` / ``福清市长 已退群``: someone excused, and why."""
    if why == "left":
        return t("{name} left the group", name=name)
    return t("{name} on leave", name=name)


@dataclass(frozen=True, slots=True)
class ReportLine:
    name: str
    line: str
    late: bool = False
    acked_by: tuple[str, ...] = ()
    streak: int = 0
    media: int = 0


@dataclass(frozen=True, slots=True)
class SummaryData:
    campaign: str
    day: date
    reported: Sequence[ReportLine]
    missing: Sequence[str]
    excused: Sequence[str] = ()
    left: Sequence[str] = ()
    final: bool = True
    extra: dict[str, int] = field(default_factory=dict)


def summary(t: Translator, data: SummaryData) -> str:
    """The closing summary: rate, who reported (first line, 👍, streak), who did not."""
    due = len(data.reported) + len(data.missing)
    on_time = [r for r in data.reported if not r.late]
    late = [r for r in data.reported if r.late]
    lines = [t("📊 {name} · {day}", name=data.campaign, day=day_label(t, data.day))]
    if due:
        rate = round(100 * len(data.reported) / due)
        lines.append(
            t(
                "Participation: {rate}% ({done} of {due} reported)",
                rate=rate,
                done=len(data.reported),
                due=due,
            )
        )
    else:
        lines.append(t("Participation: nobody had to report."))
    if on_time:
        lines.append(t("Reported:"))
        lines += [_report_line(t, i, r) for i, r in enumerate(on_time, 1)]
    if late:
        lines.append(t("Reported late:"))
        lines += [_report_line(t, i, r) for i, r in enumerate(late, 1)]
    if data.missing:
        lines.append(t("❌ Not reported: {names}", names=t(", ").join(data.missing)))
    if data.excused:
        lines.append(t("🏖 On leave: {names}", names=t(", ").join(data.excused)))
    if data.left:
        lines.append(t("🚪 Left the group: {names}", names=t(", ").join(data.left)))
    acked = sum(1 for r in data.reported if r.acked_by)
    if data.reported:
        lines.append(
            t(
                "👍 Acknowledged by the owners: {acked} of {total} reports",
                acked=acked,
                total=len(data.reported),
            )
        )
    return "\n".join(lines)


def _report_line(t: Translator, index: int, r: ReportLine) -> str:
    text = r.line or (t("[{count} photos/videos]", count=r.media) if r.media else "")
    line = t("{index}. {name}: {text}", index=index, name=r.name, text=text)
    if r.acked_by:
        line += " 👍"
    if r.streak > 1:
        line += t(" (streak: {count})", count=r.streak)
    return line
