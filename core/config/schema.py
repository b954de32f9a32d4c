"""The configuration models: one frozen pydantic model per section of `qunzhu.yaml`.

`Settings` is what `load_config` returns. Plugin and adapter sections are validated by the models
the plugins and adapters declare, and stored here as instances of those models.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ._types import LANGUAGES, ChatKey, Identity, Language, Role
from .org import OrgUnitSettings
from .redact import hide_url_password, redact_model

__all__ = [
    "LANGUAGES",
    "BotSettings",
    "CalendarSettings",
    "ChatKey",
    "ChatSettings",
    "DatabaseSettings",
    "DialogSettings",
    "DispatcherSettings",
    "Identity",
    "Language",
    "LoggingSettings",
    "PersonEntry",
    "Role",
    "Settings",
    "WebSettings",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class BotSettings(BaseModel):
    """`bot:` who the bot is and where it lives."""

    model_config = _FROZEN

    name: str = Field("qunzhu", min_length=1)
    language: Language = "zh_Hans"
    timezone: str = "Asia/Shanghai"
    admins: tuple[Identity, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown timezone {value!r}: use an IANA name such as Asia/Shanghai"
            raise ValueError(message) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The bot's timezone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


class DatabaseSettings(BaseModel):
    """`database:` where qunzhu keeps its state."""

    model_config = _FROZEN

    url: str = "sqlite+aiosqlite:///qunzhu.db"
    echo: bool = False
    auto_upgrade: bool | None = None
    #: Days the inbox keeps handled events and the outbox delivered messages; 0 keeps them all.
    keep_days: int = Field(90, ge=0, le=36500)

    @field_validator("url")
    @classmethod
    def _parsable_url(cls, value: str) -> str:
        try:
            url = make_url(value)
            port = url.port
        except (ArgumentError, ValueError):
            message = "not a database URL: write e.g. sqlite+aiosqlite:///qunzhu.db"
            raise ValueError(message) from None
        if port is not None and not 0 < port < 65536:
            message = f"port {port} is not a port: write a number from 1 to 65535"
            raise ValueError(message)
        try:
            dialect = url.get_dialect()
        except NoSuchModuleError:
            message = (
                f"unknown kind of database {url.drivername!r}: write sqlite+aiosqlite:///FILE "
                "or postgresql+asyncpg://USER@HOST/DATABASE"
            )
            raise ValueError(message) from None
        if not getattr(dialect, "is_async", False):
            message = (
                f"{url.drivername!r} is not an asyncio driver: write sqlite+aiosqlite:// or "
                "postgresql+asyncpg://"
            )
            raise ValueError(message)
        return value

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def upgrade_at_start(self) -> bool:
        """`auto_upgrade`, where None means: yes for SQLite, no otherwise."""
        return self.is_sqlite if self.auto_upgrade is None else self.auto_upgrade

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, hide_url_password(value) if name == "url" else value


class WebSettings(BaseModel):
    """`web:` the HTTP server (webhooks, /healthz) and the web console (``/web``)."""

    model_config = _FROZEN

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)
    #: The address people open (``https://bot.example.gov.cn``): the console's links start
    #: with it; None: ``/web`` says the console is not set up.
    public_url: str | None = None
    #: How long a ``/web`` link may be opened (once), and how long its session lasts.
    link_minutes: int = Field(10, ge=1, le=1440)
    session_hours: float = Field(12.0, gt=0, le=24 * 30)


class DispatcherSettings(BaseModel):
    """`dispatcher:` how events reach plugins."""

    model_config = _FROZEN

    handler_timeout: float = Field(30.0, gt=0)
    max_text_length: int = Field(20000, gt=0)
    batch_size: int = Field(256, ge=1, le=10000)
    shared: bool = False
    poll_interval: float = Field(0.1, gt=0)
    people_cache: int = Field(50_000, ge=1)


class OutboxSettings(BaseModel):
    """`outbox:` how the senders deliver (the rate limits are the adapters')."""

    model_config = _FROZEN

    max_in_flight: int = Field(16, ge=1, le=1000)
    max_attempts: int = Field(12, ge=1)
    backoff: float = Field(1.0, gt=0)
    backoff_max: float = Field(300.0, gt=0)
    chat_cache: int = Field(100_000, ge=1)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def _check_period(value: str) -> str:
    match = _PERIOD.fullmatch(value.strip())
    if match is None:
        message = f"{value!r} is not a period of working hours: write e.g. 09:00-12:00"
        raise ValueError(message)
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
        message = f"{value!r}: a period starts before it ends, within one day (00:00-24:00)"
        raise ValueError(message)
    return value.strip()


def _dates(value: Any) -> Any:
    """``2026-10-01`` or a range ``2026-10-01..2026-10-08`` (YAML may give a `date`)."""
    if isinstance(value, date) or not isinstance(value, str):
        return value
    if ".." not in value:  # quoted ("2026-10-01"), so YAML left it a string: a day all the same
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            message = f"{value!r} is not a date: write e.g. 2026-10-01, or 2026-10-01..2026-10-08"
            raise ValueError(message) from None
        return value.strip()
    first, _, last = value.partition("..")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        message = f"{value!r} is not a range of dates: write e.g. 2026-10-01..2026-10-08"
        raise ValueError(message) from None
    if end < start:
        message = f"{value!r}: the range ends before it starts"
        raise ValueError(message)
    if (end - start).days > 366:  # every day of a range is kept: a year at most
        message = f"{value!r}: a range of days spans a year at most"
        raise ValueError(message)
    return value


DateOrRange = Annotated[str | date, BeforeValidator(_dates)]
"""A day (`2026-10-01`) or an inclusive range of days (`2026-10-01..2026-10-08`)."""


def expand_dates(values: tuple[str | date, ...]) -> frozenset[date]:
    """Every day that `values` (days and ranges) name."""
    days: set[date] = set()
    for value in values:
        if isinstance(value, date):
            days.add(value)
            continue
        first, _, last = value.partition("..")
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


class CalendarSettings(BaseModel):
    """`calendar:` working days and hours, for deadlines counted in working time."""

    model_config = _FROZEN

    preset: Literal["cn", "none"] = "cn"
    workweek: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = (
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    )
    hours: tuple[Annotated[str, AfterValidator(_check_period)], ...] = Field(
        ("09:00-12:00", "13:30-18:00"), min_length=1
    )
    holidays: tuple[DateOrRange, ...] = ()
    workdays: tuple[DateOrRange, ...] = ()

    @field_validator("hours")
    @classmethod
    def _no_overlap(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        periods = sorted(_period(v) for v in value)
        for a, b in zip(periods, periods[1:], strict=False):
            if a[1] > b[0]:
                message = "periods of working hours overlap"
                raise ValueError(message)
        return value

    def periods(self) -> tuple[tuple[time, time], ...]:
        """The working hours as (start, end) times (24:00 is the last microsecond of the day)."""
        return tuple(sorted(_period(value) for value in self.hours))

    def weekdays(self) -> frozenset[int]:
        """The work week as `date.weekday()` numbers."""
        return frozenset(_WEEKDAYS.index(day) for day in self.workweek)


def _period(value: str) -> tuple[time, time]:
    match = _PERIOD.fullmatch(value)
    assert match is not None  # checked by _check_period
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
    return time(h1, m1), end


class DialogSettings(BaseModel):
    """`dialogs:` multi-step conversations."""

    model_config = _FROZEN

    timeout: float = Field(1800, gt=0)
    cache_size: int = Field(50_000, ge=1)


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class LoggingSettings(BaseModel):
    """`logging:` what is logged."""

    model_config = _FROZEN

    level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = "INFO"
    #: ``text`` (key=value lines) or ``json`` (one object a line, for a log collector).
    format: Literal["text", "json"] = "text"
    #: A file the log is also written to, rotated at `max_bytes` keeping `backups` old files.
    file: str | None = None
    max_bytes: int = Field(10_000_000, ge=10_000)
    backups: int = Field(5, ge=0, le=1000)


class PersonEntry(BaseModel):
    """One entry of `people:` a person, their accounts and their roles."""

    model_config = _FROZEN

    name: str = Field(min_length=1)
    identities: tuple[Identity, ...] = Field(min_length=1)
    roles: tuple[Role, ...] = ()
    lang: Language | None = None


class ChatSettings(BaseModel):
    """One entry of `chats:`. `plugins` holds each overridden plugin's effective config for the
    chat: the base section deep-merged with the chat's override, validated."""

    model_config = _FROZEN

    language: Language | None = None
    plugins: dict[str, SerializeAsAny[BaseModel]] = {}

    def __repr_args__(self) -> Any:
        return redact_model(self).items()


class Settings(BaseModel):
    """The whole validated configuration, as returned by `load_config`."""

    model_config = _FROZEN

    bot: BotSettings = BotSettings()
    database: DatabaseSettings = DatabaseSettings()
    adapters: dict[str, SerializeAsAny[BaseModel]] = {}
    web: WebSettings = WebSettings()
    dispatcher: DispatcherSettings = DispatcherSettings()
    outbox: OutboxSettings = OutboxSettings()
    dialogs: DialogSettings = DialogSettings()
    calendar: CalendarSettings = CalendarSettings()
    logging: LoggingSettings = LoggingSettings()
    people: tuple[PersonEntry, ...] = ()
    #: The organisation: ``org:`` merged with the units plugins declare in their old sections.
    org: dict[str, OrgUnitSettings] = {}
    plugins: dict[str, SerializeAsAny[BaseModel]] = {}
    disabled_plugins: frozenset[str] = frozenset()
    chats: dict[ChatKey, ChatSettings] = {}
    source: str | None = None
    #: What the file should change although it works (old keys), one line each:
    #: ``FILE:LINE:COLUMN: key.path: message``. Not part of the configuration itself.
    warnings: tuple[str, ...] = Field((), exclude=True)

    def plugin_config(self, name: str, chat_key: str | None = None) -> BaseModel | None:
        """Plugin `name`'s config for chat `chat_key` (its override merged in, when it has one),
        else the plugin's base config; None when the plugin has no config."""
        if chat_key is not None:
            chat = self.chats.get(chat_key)
            if chat is not None and name in chat.plugins:
                return chat.plugins[name]
        return self.plugins.get(name)

    def chat_language(self, chat_key: str) -> Language | None:
        """The language set for chat `chat_key` under `chats:`, if any."""
        chat = self.chats.get(chat_key)
        return chat.language if chat is not None else None

    def redacted(self) -> dict[str, Any]:
        """The whole configuration as a JSON-able dict, secrets replaced by `***`."""
        return redact_model(self)

    def where_named(self, value: str) -> list[str]:
        """The key paths of the entries that name `value` (a chat key such as
        ``telegram:-42``), for telling the operator what to update when a chat changes id."""
        from ._naming import where_named

        return where_named(self.redacted(), value)

    def __repr_args__(self) -> Any:
        # repr(), str() and pretty-printers all read these: never the secrets.
        return self.redacted().items()
