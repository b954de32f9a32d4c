"""The answers of the campaign dialog: checked one by one (a clear message and the question again
when one cannot be read), then turned into a `Campaign`.

``when`` is {schedule, opens, closes, timezone, cron}, ``hours`` and ``close`` {opens, closes},
``who`` and ``owners`` {entries, names}, ``questions`` [...]. A kept answer (editing) is
``"__keep__"`` and means the value in ``current``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from qunzhu.core import Context, UsageError

from .campaigns import find, to_spec
from .config import Campaign, is_cron
from .people_text import Named, named_people
from .schedule_text import When, parse_days, parse_hours, parse_one_time
from .settings import settings

__all__ = [
    "DEFAULT",
    "DEFAULT_QUESTIONS",
    "KEEP",
    "ME",
    "campaign_of",
    "current_of",
    "hours_of",
    "name_validator",
    "resolved",
    "validate_close",
    "validate_hours",
    "validate_owners",
    "validate_questions",
    "validate_when",
    "validate_who",
    "when_answer",
]

KEEP = "__keep__"
ME = "__me__"
DEFAULT = "__default__"
DEFAULT_QUESTIONS = ("本周进展", "存在问题", "下周计划")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八])\s*[.、)）:：]\s*")
_DEFAULT_WORDS = {"默认", "默認", "default", "defaults", "usual", "常用"}


def resolved(answers: dict[str, Any], key: str) -> Any:
    """The answer to `key`, the current value when it was kept (or not asked)."""
    value = answers.get(key)
    if value is None or value == KEEP:
        return answers.get("current", {}).get(key)
    return value


def when_answer(answers: dict[str, Any]) -> dict[str, Any]:
    return dict(resolved(answers, "when") or {})


def hours_of(answers: dict[str, Any]) -> dict[str, Any]:
    """{opens, closes}: said with the days, else the hours (or cron's close) step, else kept."""
    when = when_answer(answers)
    if when.get("closes"):
        return {"opens": when.get("opens"), "closes": when["closes"]}
    for key in ("hours", "close"):
        value = answers.get(key)
        if value and value != KEEP:
            return dict(value)
    return dict(answers.get("current", {}).get("hours") or {})


def campaign_of(answers: dict[str, Any]) -> Campaign:
    """The campaign the answers describe (the current one's other settings kept)."""
    when = when_answer(answers)
    hours = hours_of(answers)
    spec = dict(answers.get("current", {}).get("spec") or {})
    spec.update(
        name=resolved(answers, "name"),
        group=answers["group"],
        schedule=when["schedule"],
        timezone=when.get("timezone") or spec.get("timezone"),
        opens=hours.get("opens"),
        closes=hours.get("closes"),
        participants=resolved(answers, "who")["entries"],
        participant_roles=[],
        owners=resolved(answers, "owners")["entries"],
        owner_roles=[],
        questions=resolved(answers, "questions"),
    )
    return Campaign.model_validate(spec)


def name_validator(editing: bool) -> Callable[[Context, str], Any]:
    async def validate(ctx: Context, value: str) -> str:
        if value == KEEP:
            return value
        name = value.strip().strip("「」『』“”\"'《》")
        if not name or "\n" in name or len(name) > 60:
            raise UsageError(ctx.t("Write a short name on one line, for example 水源保护周报."))
        taken = await find(ctx.app, ctx.db, name)
        yaml = settings(ctx.app).campaign(name) is not None
        if yaml or (taken is not None and not editing):
            raise UsageError(
                ctx.t("There is already a check-in called {name}: choose another name.", name=name)
            )
        return name

    return validate


def validate_when(ctx: Context, value: str) -> Any:
    if value == KEEP:
        return value
    try:
        return parse_days(value).to_json()
    except ValueError:
        raise UsageError(
            ctx.t(
                "I could not read “{text}” as days. Press a button, or write for example: "
                "周五 9:00-18:00 (every Friday from 9:00 to 18:00).",
                text=value,
            )
        ) from None


def validate_hours(ctx: Context, value: str) -> Any:
    if value == KEEP:
        return value
    try:
        opens, closes = parse_hours(value)
    except ValueError:
        raise UsageError(
            ctx.t(
                "I could not read “{text}” as hours. Write the opening and the closing time, "
                "for example 9:00-18:00.",
                text=value,
            )
        ) from None
    return {"opens": opens, "closes": closes}


def validate_close(ctx: Context, value: str) -> Any:
    try:
        return {"opens": None, "closes": parse_one_time(value)}
    except ValueError:
        raise UsageError(ctx.t("Write the closing time, for example 18:00.")) from None


async def validate_who(ctx: Context, value: str) -> Any:
    if value == KEEP:
        return value
    found = await named_people(ctx, value)
    return _checked_people(ctx, found)


def _checked_people(ctx: Context, found: Named) -> dict[str, Any]:
    if found.unknown:
        raise UsageError(
            ctx.t(
                "I do not know {names}. Mention them with @ (they must have written in this "
                "group once), write their names as /whoami shows them, or choose a role.",
                names=ctx.t(", ").join(found.unknown),
            )
        )
    if not found.entries:
        raise UsageError(ctx.t("Name at least one person, or choose a role."))
    return {"entries": found.entries, "names": found.names}


async def validate_owners(ctx: Context, value: str) -> Any:
    if value == KEEP:
        return value
    me = await named_people(ctx, "me", mentions=False)
    if value == ME or value.strip().lower() in {"我", "只有我", "me", "just me"}:
        return _checked_people(ctx, me)
    found = await named_people(ctx, value)
    if found.unknown or not found.entries:
        return _checked_people(ctx, found)
    entries = [*me.entries, *(e for e in found.entries if e not in me.entries)]
    names = [*me.names, *(n for n in found.names if n not in me.names)]
    return {"entries": entries, "names": names}


def validate_questions(ctx: Context, value: str) -> Any:
    if value == KEEP:
        return value
    if value == DEFAULT or value.strip().lower() in _DEFAULT_WORDS:
        return list(DEFAULT_QUESTIONS)
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [p.strip() for p in re.split(r"[/／;；|｜]", lines[0]) if p.strip()]
    questions = [_NUMBERING.sub("", line).strip() for line in lines]
    questions = [q for q in questions if q]
    if not 1 <= len(questions) <= 8 or any(len(q) > 200 for q in questions):
        raise UsageError(ctx.t("Write from 1 to 8 questions, one per line or separated by /."))
    return questions


def current_of(campaign: Campaign, who: list[str], owners: list[str]) -> dict[str, Any]:
    """The ``current`` answers of a stored campaign (what "Keep" keeps when editing it)."""
    hours = {"opens": campaign.opens, "closes": campaign.closes}
    return {
        "name": campaign.name,
        "when": {
            **When(
                campaign.schedule, timezone=campaign.timezone, cron=is_cron(campaign.schedule)
            ).to_json(),
            **hours,
        },
        "hours": hours,
        "who": {"entries": list(campaign.participants), "names": who},
        "owners": {"entries": list(campaign.owners), "names": owners},
        "questions": list(campaign.questions),
        "spec": to_spec(campaign),
    }
