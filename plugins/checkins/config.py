"""The ``plugins: {checkins: ...}`` section: check-in campaigns, tasks and the chain of command.

Every model is frozen and refuses unknown keys, so a misspelled key stops start-up with its
``file:line:column``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import time, timedelta
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from qunzhu.core import LegacyOrgUnit, OrgUnitSettings, check_cron, check_timezone
from qunzhu.core.config import ChatKey

__all__ = [
    "Campaign",
    "CheckinsConfig",
    "Duration",
    "TaskSettings",
    "Unit",
    "check_schedule",
    "is_cron",
    "parse_duration",
    "parse_time",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|天|小时|小時|分钟|分鐘)")
_UNITS = {
    "d": "d",
    "天": "d",
    "h": "h",
    "小时": "h",
    "小時": "h",
    "m": "m",
    "分钟": "m",
    "分鐘": "m",
}


def parse_time(value: str) -> time:
    """``"09:00"`` → 09:00."""
    match = _TIME.fullmatch(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        message = f"{value!r} is not a time of day: write HH:MM, e.g. 09:00"
        raise ValueError(message)
    return time(int(match[1]), int(match[2]))


def _check_time(value: str) -> str:
    parse_time(value)
    return value.strip()


def parse_duration(value: str) -> tuple[float, str]:
    """``"2h"`` → (2, "h"); ``"1d"`` → (1, "d"); ``"30m"`` → (30, "m")."""
    match = _DURATION.fullmatch(value.strip().lower())
    if match is None:
        message = f"{value!r} is not a duration: write e.g. 30m, 2h or 1d"
        raise ValueError(message)
    return float(match[1]), _UNITS[match[2]]


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value.strip()


TimeOfDay = Annotated[str, AfterValidator(_check_time)]
Duration = Annotated[str, AfterValidator(_check_duration)]
"""A duration such as ``30m``, ``2h`` or ``1d``."""


def is_cron(schedule: str) -> bool:
    """Whether `schedule` is a 5-field cron expression (else it is an RFC 5545 rule)."""
    return "=" not in schedule and len(schedule.split()) == 5


def check_schedule(value: str) -> str:
    """`value` when it is cron or an RFC 5545 rule, else ValueError with an example."""
    text = value.strip()
    if is_cron(text):
        check_cron(text)
        return text
    from dateutil.rrule import rrulestr

    try:
        rrulestr(_rrule_text(text), ignoretz=True)
    except (ValueError, TypeError):
        message = (
            f"{value!r} is neither a cron expression (0 9 * * FRI) nor an RFC 5545 rule "
            f"(FREQ=WEEKLY;BYDAY=FR)"
        )
        raise ValueError(message) from None
    return text


def _rrule_text(text: str) -> str:
    if "RRULE:" in text.upper() or "DTSTART" in text.upper():
        return text
    return f"RRULE:{text}"


class Campaign(BaseModel):
    """One recurring check-in in one group (``campaigns:`` entry)."""

    model_config = _FROZEN

    name: str = Field(min_length=1, max_length=100)
    group: ChatKey
    owners: tuple[str, ...] = ()
    owner_roles: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    participant_roles: tuple[str, ...] = ()
    schedule: Annotated[str, AfterValidator(check_schedule)] = "FREQ=WEEKLY;BYDAY=FR"
    timezone: str | None = None
    opens: TimeOfDay | None = "09:00"
    closes: TimeOfDay = "18:00"
    questions: tuple[str, ...] = ("本周进展", "存在问题", "下周计划")
    tag: str = "#周报"
    reminders: tuple[Annotated[float, Field(gt=0, lt=1)], ...] = (0.8,)
    remind_privately: bool = False
    on_holiday: Literal["move", "skip", "keep"] = "move"
    makeup_workdays: bool = False
    late_reports: bool = True
    receipts: bool = True
    self_leave: bool = True

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            check_timezone(value)
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        value = value.strip()
        if not value or " " in value:
            message = "the tag is one word, e.g. #周报"
            raise ValueError(message)
        return value

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not 1 <= len(value) <= 8:
            message = "ask from 1 to 8 questions"
            raise ValueError(message)
        return value

    @property
    def rrule(self) -> str:
        """The schedule as dateutil reads it (an RRULE line, maybe with DTSTART)."""
        return _rrule_text(self.schedule)

    def open_time(self) -> time | None:
        return parse_time(self.opens) if self.opens else None

    def close_time(self) -> time:
        return parse_time(self.closes)


class Unit(BaseModel):
    """Deprecated, read as a unit of ``org:`` keyed by its name: a level of the chain of command
    (``units:`` entry), a department or a leader's office."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    members: tuple[str, ...] = Field(min_length=1)
    parent: str | None = None
    aliases: tuple[str, ...] = ()


class TaskSettings(BaseModel):
    """``tasks:`` tasks assigned with /task."""

    model_config = _FROZEN

    role: str | None = None
    end_of_work: TimeOfDay | None = None
    remind_before: tuple[Duration, ...] = ("2h",)
    escalate_after: Duration = "1d"


class CheckinsConfig(BaseModel):
    """The plugin's section of the YAML file."""

    model_config = _FROZEN

    campaigns: tuple[Campaign, ...] = ()
    #: Who may create check-ins in chat (/checkins new) besides admins; None: admins only.
    creator_role: str | None = "supervisor"
    #: Deprecated: units belong under ``org:`` (these are merged into it, keyed by name).
    units: tuple[Unit, ...] = ()
    tasks: TaskSettings = TaskSettings()
    chart_dir: str | None = None
    export_token: SecretStr | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CheckinsConfig:
        counts = Counter(c.name for c in self.campaigns)  # (names.count per name: 5,000² steps)
        twice = sorted(n for n, k in counts.items() if k > 1)
        if twice:
            message = f"two campaigns are named {', '.join(twice)}: names must be unique"
            raise ValueError(message)
        return self

    def campaign(self, name: str) -> Campaign | None:
        return self._by_name.get(name)

    def campaigns_of(self, chat: str) -> tuple[Campaign, ...]:
        """The campaigns of group `chat`, in the YAML's order: every group message asks, and
        a city has 5,000 campaigns (a look at each cost 330 µs a message)."""
        return self._by_group.get(chat, ())

    @cached_property
    def report_tags(self) -> frozenset[str]:
        """The tags that mark a report: the campaigns' own and the default (which every
        campaign created in chat uses)."""
        return frozenset({Campaign.model_fields["tag"].default, *(c.tag for c in self.campaigns)})

    @cached_property
    def report_questions(self) -> tuple[str, ...]:
        """The campaigns' questions, each once (to judge whether a message may be a report)."""
        return tuple(dict.fromkeys(q for c in self.campaigns for q in c.questions))

    @cached_property
    def _by_name(self) -> dict[str, Campaign]:
        return {c.name: c for c in self.campaigns}

    @cached_property
    def _by_group(self) -> dict[str, tuple[Campaign, ...]]:
        found: dict[str, list[Campaign]] = {}
        for c in self.campaigns:
            found.setdefault(c.group, []).append(c)
        return {group: tuple(cs) for group, cs in found.items()}

    def legacy_org_units(self) -> Sequence[LegacyOrgUnit]:
        """The old ``units``, as units for the core to merge into ``org:`` (keyed by name)."""
        return [
            LegacyOrgUnit(
                unit.name,
                ("units", i),
                OrgUnitSettings(
                    name=unit.name, members=unit.members, parent=unit.parent, aliases=unit.aliases
                ),
            )
            for i, unit in enumerate(self.units)
        ]


def duration(value: str) -> timedelta:
    """A duration in plain (calendar) time."""
    amount, unit = parse_duration(value)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount)}.get(
        unit, timedelta(minutes=amount)
    )
