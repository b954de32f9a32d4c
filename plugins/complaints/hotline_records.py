"""One 12345 record, read: the report, what the hotline already decided about it (received
time, deadline, 承办单位, status, urgency: a `tickets.Given`), the key that tells it apart, and
why it must wait for a supervisor, if it must. Or, for a record that cannot be filed, why not.

Columns are found by the names 12345 systems export, in Chinese or English (`COLUMNS`, listed
in docs/complaints.md). Reasons are msgids with their fields, translated where they are shown.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from qunzhu.core import N_, Org, WorkCalendar

from .config import ComplaintsConfig
from .detect import matcher_for
from .hotline_body import Raw
from .report import Report
from .states import Status
from .tickets import Given

__all__ = ["COLUMNS", "ID_MAX", "Problem", "Record", "read_record", "where"]

#: Column names a hotline export may use for each field, in Chinese or English.
COLUMNS = {
    "id": ("id", "工单编号", "工单号", "编号", "受理编号", "ticket_id"),
    "content": ("content", "诉求内容", "内容", "description", "问题描述", "诉求", "來電內容"),
    "category": ("category", "类别", "分类", "问题类别", "诉求类别", "诉求分类"),
    "address": ("address", "地址", "事发地址", "事發地址", "地点"),
    "name": ("name", "姓名", "来电人", "來電人", "caller"),
    "phone": ("phone", "电话", "联系电话", "來電號碼", "来电号码"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lon", "lng", "经度"),
    "anonymous": ("anonymous", "匿名", "是否匿名"),
    "priority": ("priority", "urgent", "紧急程度", "緊急程度", "是否紧急", "紧急"),
    "received": ("received", "received_at", "受理时间", "受理時間", "来电时间", "登记时间"),
    "due": ("due", "deadline", "办结时限", "辦結時限", "截止时间", "办理时限", "办结期限"),
    "unit": ("unit", "department", "承办单位", "承辦單位", "承办部门", "办理单位", "责任单位"),
    "status": ("status", "办理状态", "工单状态", "状态", "狀態"),
}
ID_MAX = 128
_FIELD_MAX = 10_000
_TRUE = {"1", "true", "yes", "y", "是"}
_URGENT = {"urgent", "紧急", "緊急", "特急", "加急", "是", "true", "yes", "1"}
_STATES = {
    Status.RESOLVED: ("已办结", "办结", "已辦結", "已完成", "已结案", "已归档", "已回访", "已关闭",
                      "resolved", "closed", "done"),
    Status.IN_PROGRESS: ("办理中", "处理中", "辦理中", "處理中", "in progress", "in_progress"),
    Status.ACKNOWLEDGED: ("已签收", "已接单", "已簽收", "acknowledged"),
}  # fmt: skip
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)\s*个?\s*(工作日|天|日|小时|小時|h|d)$", re.IGNORECASE)
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y%m%d%H%M%S",
)
_PLAUSIBLE = timedelta(days=3 * 366)
_DAYS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")

#: A reason, to translate: a msgid and its fields.
Problem = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Record:
    report: Report
    given: Given
    #: The hotline's id, or for a record without one a hash of its received time, phone and
    #: text: "#" and 32 hex digits. Unique among tickets, so a record is filed once.
    key: str
    #: Why it waits for a supervisor to route it (an unknown category or unit), or None.
    waiting: Problem | None = None


def where(raw: Raw) -> Problem:
    """Where a record was: "第 3 行" of a CSV file, "第 2 条记录" of a JSON list."""
    if raw.line is not None:
        return N_("Line {line}"), {"line": raw.line}
    return N_("Record {index}"), {"index": raw.index}


def _text(fields: dict[str, Any], name: str) -> tuple[str, str]:
    """(the column found, its value cleaned of control characters), or ("", "")."""
    lowered = {str(k).strip().lower(): k for k in fields}
    for column in COLUMNS[name]:
        key = lowered.get(column.lower())
        if key is None or fields[key] in (None, ""):
            continue
        value = fields[key]
        if isinstance(value, dict | list):
            raise _Refused(N_("{column} holds a list or an object, not text"), column=key)
        return str(key), _CONTROL.sub("", str(value)).strip()
    return "", ""


class _Refused(Exception):
    def __init__(self, msgid: str, **fields: Any) -> None:
        super().__init__(msgid)
        self.problem: Problem = (msgid, fields)


def _time(value: str, calendar: WorkCalendar, *, end_of_day: bool) -> datetime:
    """A time as 12345 systems write it, local to the bot's timezone unless it says otherwise;
    a date alone is the start (or, for a deadline, the end) of that day."""
    for fmt in _DAYS:
        try:
            day = datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        moment = datetime.combine(day, time(23, 59) if end_of_day else time(0, 0), calendar.tz)
        return moment.astimezone(UTC)
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        found = None
    for fmt in _FORMATS if found is None else ():
        try:
            found = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware below
            break
        except ValueError:
            continue
    if found is None:
        raise ValueError(value)
    return (found if found.tzinfo else found.replace(tzinfo=calendar.tz)).astimezone(UTC)


def _due(value: str, calendar: WorkCalendar, start: datetime) -> datetime:
    """办结时限: a time, or a span from receipt ("3个工作日", "5天", "24小时")."""
    span = _SPAN.match(value)
    if span is None:
        return _time(value, calendar, end_of_day=True)
    amount, unit = float(span.group(1)), span.group(2).lower()
    if unit in ("小时", "小時", "h"):
        return start + timedelta(hours=amount)
    if unit == "工作日":
        return calendar.add_workdays(start, amount)
    return start + timedelta(days=amount)


def _key(record_id: str, received: str, phone: str, content: str) -> str:
    if record_id:
        return record_id
    text = "\x1f".join((received, phone, " ".join(content.split())))
    return "#" + hashlib.sha256(text.encode()).hexdigest()[:32]


def read_record(
    config: ComplaintsConfig, org: Org, calendar: WorkCalendar, raw: Raw, now: datetime
) -> Record | Problem:
    """The record `raw`, ready to file, or why it cannot be filed."""
    try:
        return _read(config, org, calendar, raw.fields, now)
    except _Refused as refused:
        return refused.problem


def _read(
    config: ComplaintsConfig,
    org: Org,
    calendar: WorkCalendar,
    fields: dict[str, Any],
    now: datetime,
) -> Record:
    if set(fields) == {""}:
        raise _Refused(N_("not a JSON object"))
    values = {name: _text(fields, name) for name in COLUMNS}
    for column, value in values.values():
        if len(value) > _FIELD_MAX:
            raise _Refused(
                N_("{column} is longer than {n} characters"), column=column, n=_FIELD_MAX
            )
    get = {name: value for name, (_, value) in values.items()}
    content = get["content"]
    if not content:
        raise _Refused(N_("the content (诉求内容) is missing"))
    if len(get["id"]) > ID_MAX:
        raise _Refused(N_("the id (工单编号) is longer than {n} characters"), n=ID_MAX)
    received = _when(get["received"], values["received"][0], calendar, now, due=False)
    start = min(received or now, now)
    due = _when(get["due"], values["due"][0], calendar, start, due=True)
    position = _position(get["latitude"], get["longitude"])
    category, department, waiting = _route(config, org, get["category"], get["unit"], content)
    report = Report(
        description=content,
        category=category,
        source="hotline",
        address=get["address"][:500],
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
        reporter_name=get["name"][:200],
        phone=get["phone"][:64],
        anonymous=get["anonymous"].lower() in _TRUE,
        external_id=_key(get["id"], get["received"], get["phone"], content),
        priority="urgent" if get["priority"].lower() in _URGENT else "normal",
    )
    status = next((s for s, words in _STATES.items() if get["status"].lower() in words), None)
    given = Given(
        received=received,
        resolve_due=due,
        department=department,
        unrouted=waiting is not None,
        status=status,
    )
    return Record(report, given, report.external_id or "", waiting)


def _when(
    value: str, column: str, calendar: WorkCalendar, start: datetime, *, due: bool
) -> datetime | None:
    if not value:
        return None
    try:
        found = _due(value, calendar, start) if due else _time(value, calendar, end_of_day=False)
    except (ValueError, OverflowError):
        raise _Refused(
            N_("{column} “{value}” is not a time"), column=column, value=value[:40]
        ) from None
    if abs(found - start) > _PLAUSIBLE:  # deadlines are counted day by day: keep them near
        raise _Refused(
            N_("{column} “{value}” is more than three years away"), column=column, value=value[:40]
        )
    return found


def _position(lat: str, lon: str) -> tuple[float, float] | None:
    if not (lat or lon):
        return None
    try:
        position = (float(lat), float(lon))
    except ValueError:
        position = (999.0, 999.0)
    if not (-90 <= position[0] <= 90 and -180 <= position[1] <= 180):
        raise _Refused(
            N_("latitude/longitude “{lat}”, “{lon}” are not coordinates"),
            lat=lat[:20],
            lon=lon[:20],
        )
    return position


def _route(
    config: ComplaintsConfig, org: Org, named: str, unit_name: str, content: str
) -> tuple[str, str | None, Problem | None]:
    """(category, the unit the record names or None, why it waits for routing or None)."""
    category = next(
        (k for k, c in config.categories.items() if named in (k, c.name, *c.names.values())),
        None,
    )
    by_words = matcher_for(config).category(content)
    chosen = category or by_words or config.hotline.default_category or ""
    if chosen not in config.categories:  # as `file_ticket` falls back
        chosen = "other" if "other" in config.categories else next(iter(config.categories))
    unit = org.unit(unit_name) if unit_name else None
    if unit is not None:
        return chosen, unit.key, None
    if unit_name:
        return chosen, None, (N_("承办单位 “{name}” is not a unit we know"), {"name": unit_name})
    if named and category is None and by_words is None:
        return (
            chosen,
            None,
            (N_("category “{name}” unknown, and the text names none"), {"name": named}),
        )
    if not config.categories[chosen].department:
        return chosen, None, (N_("neither its category nor a 承办单位 names a unit"), {})
    return chosen, None, None
