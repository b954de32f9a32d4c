"""qunzhu's public API for plugin authors.

from qunzhu.core import Context, Reply, Button, command, hookimpl, job

A name is imported at its first use (from `qunzhu.core._public`, whose imports are those below),
so that importing a light module of the core, such as the pytest plugin, loads neither the App nor
SQLAlchemy.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qunzhu.core._spreadsheet import safe_cell
    from qunzhu.core.adapter import Adapter, AdapterConfig
    from qunzhu.core.app import App, load_settings
    from qunzhu.core.clock import Clock, FakeClock, SystemClock, aware
    from qunzhu.core.commands import Command, Text, command
    from qunzhu.core.config.org import LegacyOrgUnit, OrgUnitSettings
    from qunzhu.core.context import Context
    from qunzhu.core.delivery._lookups import OutboxState, inactive_chats, outbox_states
    from qunzhu.core.delivery._outbox import Outgoing
    from qunzhu.core.delivery._reconnect import keep_connected
    from qunzhu.core.dialogs._spec import Choice, Dialog, Expect, Step
    from qunzhu.core.dispatch._digest import DigestSection
    from qunzhu.core.errors import (
        AdapterError,
        ConfigError,
        PermissionDenied,
        PlatformUnreachable,
        PluginError,
        QunzhuError,
        StorageError,
        UsageError,
    )
    from qunzhu.core.hookspecs import hookimpl, hookspec
    from qunzhu.core.i18n._catalogs import N_, Catalogs, Translator
    from qunzhu.core.model._button_data import MAX_BUTTON_DATA, ButtonData, ButtonDataError, MaxLen
    from qunzhu.core.model._capabilities import (
        ButtonStyle,
        Capabilities,
        Capability,
        Feature,
        Hearing,
    )
    from qunzhu.core.model._events import (
        Attachment,
        AttachmentKind,
        ButtonPress,
        ChatKind,
        ChatRef,
        Event,
        ForwardOrigin,
        JobTick,
        Location,
        MemberChange,
        Message,
        Reaction,
        UserRef,
    )
    from qunzhu.core.model._reply import Button, Reply
    from qunzhu.core.org import Org, OrgUnit
    from qunzhu.core.people import ADMIN, Person, Role, parse_role
    from qunzhu.core.scheduling._cron import check_cron, check_timezone, next_fire
    from qunzhu.core.scheduling._deadline import Deadline, find_deadline
    from qunzhu.core.scheduling._deadline_ask import (
        ask_deadline_back,
        chosen_deadline,
        deadline_steps,
        read_deadline,
    )
    from qunzhu.core.scheduling._deadline_days import day_off_reason, due_label, moved_note
    from qunzhu.core.scheduling._deadline_words import to_number
    from qunzhu.core.scheduling._jobs import Job, job
    from qunzhu.core.scheduling._workdays import WorkCalendar
    from qunzhu.core.storage._database import Base, Database

__all__ = [
    "ADMIN",
    "MAX_BUTTON_DATA",
    "N_",
    "Adapter",
    "AdapterConfig",
    "AdapterError",
    "App",
    "Attachment",
    "AttachmentKind",
    "Base",
    "Button",
    "ButtonData",
    "ButtonDataError",
    "ButtonPress",
    "ButtonStyle",
    "Capabilities",
    "Capability",
    "Catalogs",
    "ChatKind",
    "ChatRef",
    "Choice",
    "Clock",
    "Command",
    "ConfigError",
    "Context",
    "Database",
    "Deadline",
    "Dialog",
    "DigestSection",
    "Event",
    "Expect",
    "FakeClock",
    "Feature",
    "ForwardOrigin",
    "Hearing",
    "Job",
    "JobTick",
    "LegacyOrgUnit",
    "Location",
    "MaxLen",
    "MemberChange",
    "Message",
    "Org",
    "OrgUnit",
    "OrgUnitSettings",
    "OutboxState",
    "Outgoing",
    "PermissionDenied",
    "Person",
    "PlatformUnreachable",
    "PluginError",
    "QunzhuError",
    "Reaction",
    "Reply",
    "Role",
    "Step",
    "StorageError",
    "SystemClock",
    "Text",
    "Translator",
    "UsageError",
    "UserRef",
    "WorkCalendar",
    "ask_deadline_back",
    "aware",
    "check_cron",
    "check_timezone",
    "chosen_deadline",
    "command",
    "day_off_reason",
    "deadline_steps",
    "due_label",
    "find_deadline",
    "hookimpl",
    "hookspec",
    "inactive_chats",
    "job",
    "keep_connected",
    "load_settings",
    "moved_note",
    "next_fire",
    "outbox_states",
    "parse_role",
    "read_deadline",
    "safe_cell",
    "to_number",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        msg = f"module 'qunzhu.core' has no attribute {name!r}"
        raise AttributeError(msg)
    from qunzhu.core import _public

    value = getattr(_public, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
