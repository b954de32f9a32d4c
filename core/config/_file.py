"""The shape of the YAML file, before plugin and adapter sections are validated.

`FileModel` validates the core sections for real and checks only that `adapters`, `plugins` and
each chat's `plugins` are mappings of mappings; the loader then validates those sections with the
models the adapters and plugins declare.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ._types import ChatKey
from .org import OrgUnitSettings, UnitKey
from .schema import (
    BotSettings,
    CalendarSettings,
    DatabaseSettings,
    DialogSettings,
    DispatcherSettings,
    Language,
    LoggingSettings,
    OutboxSettings,
    PersonEntry,
    WebSettings,
)

__all__ = ["ChatFile", "FileModel", "Section"]

Section = dict[str, Any] | None
"""A plugin or adapter section as written; an empty section (`console:`) is None."""


class ChatFile(BaseModel):
    """One entry of `chats:` as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Language | None = None
    plugins: dict[str, Section] = {}


class FileModel(BaseModel):
    """The whole file as written: every top-level key, in documentation order."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="qunzhu configuration")

    bot: BotSettings = BotSettings()
    database: DatabaseSettings = DatabaseSettings()
    adapters: dict[str, Section] = {}
    web: WebSettings = WebSettings()
    dispatcher: DispatcherSettings = DispatcherSettings()
    outbox: OutboxSettings = OutboxSettings()
    dialogs: DialogSettings = DialogSettings()
    calendar: CalendarSettings = CalendarSettings()
    logging: LoggingSettings = LoggingSettings()
    people: tuple[PersonEntry, ...] = ()
    org: dict[UnitKey, OrgUnitSettings] = {}
    plugins: dict[str, Section] = {}
    chats: dict[ChatKey, ChatFile] = {}
