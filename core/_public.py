"""The objects behind `qunzhu.core`'s public names, imported at the first use of one of them.

``qunzhu.core`` imports none of them when it is imported: a program that uses only a light module
of the core (the pytest plugin of `qunzhu.core.testing`, which pytest loads in every test run of
the environment) does not pay for the App, SQLAlchemy and aiohttp. These imports are those of the
``TYPE_CHECKING`` block of ``core/__init__.py`` (tests/test_exported_members.py holds them equal).
"""

# ruff: noqa: F401 - imported to be handed out by qunzhu.core.__getattr__

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
from qunzhu.core.model._capabilities import ButtonStyle, Capabilities, Capability, Feature, Hearing
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
