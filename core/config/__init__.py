"""Configuration: one YAML file, validated into a frozen `Settings`.

`load_config(path, plugin_models=..., adapter_models=...)` reads the file, replaces `${VAR}` and
`${VAR:-default}` from the environment, and validates every section; a `ConfigError` lists every
problem as `FILE:LINE:COLUMN: key.path: message`. `config_schema()` is the JSON Schema of the file.
"""

from __future__ import annotations

from .json_schema import config_schema
from .loader import load_config
from .org import OrgUnitSettings
from .schema import (
    LANGUAGES,
    BotSettings,
    CalendarSettings,
    ChatKey,
    ChatSettings,
    DatabaseSettings,
    DialogSettings,
    DispatcherSettings,
    Language,
    LoggingSettings,
    OutboxSettings,
    PersonEntry,
    Settings,
    WebSettings,
)

__all__ = [
    "LANGUAGES",
    "BotSettings",
    "CalendarSettings",
    "ChatKey",
    "ChatSettings",
    "DatabaseSettings",
    "DialogSettings",
    "DispatcherSettings",
    "Language",
    "LoggingSettings",
    "OrgUnitSettings",
    "OutboxSettings",
    "PersonEntry",
    "Settings",
    "WebSettings",
    "config_schema",
    "load_config",
]
