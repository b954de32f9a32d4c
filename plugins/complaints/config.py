"""The ``plugins.complaints`` section: categories, deadlines, hotline, export.

A category's ``department`` names a unit of the core's ``org:``; the old ``departments`` mapping
is still read, as units merged into ``org:`` (`legacy_org_units`; ``qunzhu config check`` says
how to move it).

Everything has a default, so the plugin starts with no section at all: it then knows a few
common categories, routes nothing (tickets wait as "new" for a supervisor) and does not watch
groups until ``detect: true`` (for all groups, or per group under ``chats:``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    model_validator,
)

from qunzhu.core import LegacyOrgUnit, OrgUnitSettings, check_cron

__all__ = [
    "Category",
    "ComplaintsConfig",
    "Department",
    "DigestSettings",
    "ExportSettings",
    "HotlineSettings",
    "chat_key",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_LANGUAGES = ("zh_Hans", "zh_Hant", "en")


def _check_chat(value: str) -> str:
    platform, sep, chat_id = value.partition(":")
    if not sep or not platform or not chat_id:
        message = f"{value!r} is not a chat: write platform:chat_id, e.g. telegram:-1001234"
        raise ValueError(message)
    return value


ChatKey = Annotated[str, AfterValidator(_check_chat)]


def _blank_is_none(value: Any) -> Any:
    """``${TOKEN:-}`` with TOKEN unset gives "": that is no secret at all, not an empty one."""
    return None if isinstance(value, str) and not value.strip() else value


Secret = Annotated[SecretStr | None, BeforeValidator(_blank_is_none)]


def chat_key(value: str) -> str:
    """Check a chat key (``platform:chat_id``) given outside the config model."""
    return _check_chat(value)


class Category(BaseModel):
    """One kind of problem: the words that recognise it and who handles it by when."""

    model_config = _FROZEN

    #: Shown to people (simplified Chinese); `names` may give it per language.
    name: str = Field(min_length=1)
    names: dict[str, str] = {}
    #: Words that recognise a report of this kind in a message (any language, any case).
    keywords: tuple[str, ...] = ()
    #: The unit (a key of ``org:``) that receives these tickets; none: a supervisor routes them
    #: by hand.
    department: str | None = None
    #: Working hours to acknowledge (接单) and working days to resolve (办结); None: the defaults.
    acknowledge_hours: float | None = Field(None, gt=0)
    resolve_days: float | None = Field(None, gt=0)
    #: The same for urgent tickets (a 12345 record marked 紧急/特急); None: the global ones.
    urgent_acknowledge_hours: float | None = Field(None, gt=0)
    urgent_resolve_days: float | None = Field(None, gt=0)

    def label(self, lang: str) -> str:
        return self.names.get(lang, self.name)


class Department(BaseModel):
    """Deprecated, read as a unit of ``org:``: a unit that handles tickets, its group, and the
    unit above it for escalation."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    names: dict[str, str] = {}
    #: The department's own group, where its ticket cards are posted.
    chat: ChatKey | None = None
    #: The department one level up (village → township → district): escalations go there.
    parent: str | None = None

    def label(self, lang: str) -> str:
        return self.names.get(lang, self.name)


class HotlineSettings(BaseModel):
    """12345 hotline imports: JSON or CSV posted to the bot's web server."""

    model_config = _FROZEN

    #: The bearer token callers must send (``Authorization: Bearer …``); none: the route is off.
    token: Secret = None
    #: The category of a hotline record whose category is missing or unknown.
    default_category: str | None = None


class ExportSettings(BaseModel):
    """``/export_tickets``: a link to download every ticket as CSV or XLSX."""

    model_config = _FROZEN

    #: The address people reach the bot's web server at (``web:``), e.g. https://bot.example.org;
    #: none: /export_tickets explains how to export on the server instead.
    public_url: Annotated[str | None, BeforeValidator(_blank_is_none)] = None
    #: The secret that signs export links; none: links cannot be made.
    secret: Secret = None
    #: Minutes an export link works.
    link_minutes: int = Field(60, ge=1, le=7 * 24 * 60)


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _digest_time(value: str) -> str:
    """``"08:00"`` (every day at that time) or a five-field cron expression."""
    text = value.strip()
    if _CLOCK.match(text):
        return text
    try:
        check_cron(text)
    except ValueError as exc:
        message = f"{value!r} is neither a time of day (08:00) nor a cron expression: {exc}"
        raise ValueError(message) from None
    return text


class DigestSettings(BaseModel):
    """The morning digest of new, overdue and reopened tickets, at ``time`` in bot.timezone."""

    model_config = _FROZEN

    enabled: bool = True
    #: When: a time of day (``"08:00"``) or a cron expression (``"30 7 * * 1-5"``).
    time: Annotated[str, AfterValidator(_digest_time)] = "08:00"
    #: Chats that get the digest too; people with the role ``supervisor`` get it privately.
    chats: tuple[ChatKey, ...] = ()
    #: The head of each unit of ``org:`` gets it privately too, of the problems of his units
    #: and those below (as his problem desk); off by default: the supervisors' digest as before.
    heads: bool = False
    #: Skip days off (weekends, public holidays) of the ``calendar:``.
    workdays_only: bool = True
    #: Tickets listed by number under "needs attention" (the rest are counted).
    items: int = Field(10, ge=0, le=50)

    @property
    def cron(self) -> str:
        """`time` as a cron expression."""
        found = _CLOCK.match(self.time)
        return f"{int(found[2])} {int(found[1])} * * *" if found else self.time


_DEFAULT_CATEGORIES = {
    "construction": Category(
        name="工程质量",
        names={"zh_Hant": "工程質量", "en": "Construction quality"},
        keywords=(
            "混凝土", "偷工减料", "偷工減料", "工程质量", "工程質量", "施工", "养护", "養護",
            "钢筋", "鋼筋", "脚手架", "楼板", "墙面", "外墙", "屋面", "保温层", "拆模", "浇筑",
            "澆築", "工地", "围挡", "塔吊", "基坑", "砂浆", "渣土", "安置房", "标段", "標段",
            "配电箱", "质量", "concrete", "construction site",
        ),
    ),
    "sanitation": Category(
        name="环境卫生",
        names={"zh_Hant": "環境衛生", "en": "Sanitation"},
        keywords=(
            "垃圾", "污水", "臭", "脏", "髒", "下水道", "化粪池", "排水沟", "公厕", "厕所",
            "卫生", "衛生", "苍蝇", "淤泥", "排污", "死鱼", "garbage", "rubbish", "trash",
            "sewage",
        ),
    ),
    "roads": Category(
        name="道路交通",
        names={"zh_Hant": "道路交通", "en": "Roads and traffic"},
        keywords=(
            "路灯", "路燈", "坑洼", "坑坑洼洼", "道路", "堵车", "路面", "井盖", "井蓋",
            "红绿灯", "紅綠燈", "信号灯", "人行道", "积水", "护栏", "栏杆", "公交站", "大坑",
            "减速带", "占道", "桥墩", "road", "pothole",
            "streetlight", "traffic light",
        ),
    ),
    "utilities": Category(
        name="水电供应",
        names={"zh_Hant": "水電供應", "en": "Water and power"},
        keywords=(
            "停水", "停电", "停電", "水管", "漏水", "没水", "沒水", "自来水", "水压", "水箱",
            "供水", "断电", "没电", "电线", "電線", "变压器", "天然气", "燃气", "消防栓",
            "water pipe", "power cut",
        ),
    ),
    "other": Category(
        name="其他",
        names={"zh_Hant": "其他", "en": "Other"},
        keywords=(
            "噪音", "扰民", "擾民", "违章搭建", "違章搭建", "违建", "乱搭乱建", "占地建房",
            "油烟", "流浪狗", "电梯", "广场舞", "装修", "ktv", "noise", "illegal extension",
        ),
    ),
}  # fmt: skip
_SIGNALS = (
    "没人处理", "没人管", "无人处理", "沒人處理", "沒人管", "投诉", "投訴", "反映", "坏了",
    "壞了", "偷工减料", "偷工減料", "不规范", "没按规范", "隐患", "危险", "nobody", "broken",
    "complain", "dangerous",
)  # fmt: skip


class ComplaintsConfig(BaseModel):
    """``plugins: {complaints: {...}}``; per-group overrides go under ``chats:``."""

    model_config = _FROZEN

    #: Recognise problem reports in group messages and offer "登记为问题".
    detect: bool = False
    #: A message with a problem cue is a report when it scores this much: a category keyword 1,
    #: each problem cue 1 (at most 3), a photo 1, a location 1, each calm cue -2 (see `detect`).
    min_score: int = Field(2, ge=1, le=4)
    #: Words that say "this is a problem" (没人处理, 投诉, broken...), besides the built-in ones.
    signal_words: tuple[str, ...] = _SIGNALS
    #: Words that say "this is not a problem" (进展顺利, 通知：...), besides the built-in ones.
    calm_words: tuple[str, ...] = ()
    #: Private messages with a category keyword start the report dialog by themselves.
    private_intake: bool = True
    #: Whether a report an official files on someone's behalf keeps the reporter anonymous to
    #: the units unless the official says otherwise (the choice offered first).
    anonymous_default: bool = False
    #: Roles (besides the message's author) that may file a group message as a ticket.
    filer_roles: tuple[str, ...] = ("supervisor", "member")
    categories: dict[str, Category] = Field(default_factory=lambda: dict(_DEFAULT_CATEGORIES))
    #: Deprecated: units belong under ``org:`` (these are merged into it).
    departments: dict[str, Department] = {}
    #: Where overdue notices and unrouted tickets are posted (the 督查 group).
    supervision_chat: ChatKey | None = None
    acknowledge_hours: float = Field(4, gt=0)
    resolve_days: float = Field(5, gt=0)
    #: Deadlines of urgent tickets (a 12345 record marked 紧急 or 特急), unless a category sets
    #: its own: working hours to acknowledge, working days to resolve.
    urgent_acknowledge_hours: float = Field(1, gt=0)
    urgent_resolve_days: float = Field(1, gt=0)
    #: Working days past the resolve deadline before each escalation one level up.
    escalate_after_days: float = Field(2, gt=0)
    #: Working days a resolved ticket waits for the reporter's answer before it closes.
    confirm_days: float = Field(3, gt=0)
    duplicate_radius_m: float = Field(200, gt=0)
    duplicate_days: float = Field(7, gt=0)
    #: Photos larger than this are refused (most platforms shrink photos well below it).
    max_photo_mb: float = Field(10, gt=0)
    #: Known places and their coordinates, for typed addresses: {北部新城三标段: [26.65, 119.52]}.
    places: dict[str, tuple[float, float]] = {}
    hotline: HotlineSettings = HotlineSettings()
    export: ExportSettings = ExportSettings()
    digest: DigestSettings = DigestSettings()

    @cached_property
    def matcher(self) -> Any:
        """The keyword matcher of this config (`detect.Matcher`), built on first use."""
        from .detect import Matcher

        return Matcher.of(self)

    @model_validator(mode="after")
    def _references(self) -> ComplaintsConfig:
        problems = []
        default = self.hotline.default_category
        if default and default not in self.categories:
            problems.append(f"hotline.default_category: no category {default!r}")
        if not self.categories:
            problems.append("categories: at least one category is needed")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def legacy_org_units(self) -> Sequence[LegacyOrgUnit]:
        """The old ``departments``, as units for the core to merge into ``org:``."""
        return [
            LegacyOrgUnit(
                key,
                ("departments", key),
                OrgUnitSettings(
                    name=department.name,
                    names={k: v for k, v in department.names.items() if k in _LANGUAGES},
                    parent=department.parent,
                    chats=(department.chat,) if department.chat else (),
                ),
            )
            for key, department in self.departments.items()
        ]

    def org_references(self) -> Sequence[tuple[tuple[str, ...], str]]:
        """The units the categories name, for the core to check against ``org:``."""
        return [
            (("categories", key, "department"), category.department)
            for key, category in self.categories.items()
            if category.department
        ]
