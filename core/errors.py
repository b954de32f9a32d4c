"""The exception hierarchy. Every error qunzhu raises on purpose derives from `QunzhuError`.

QunzhuError
├── ConfigError          the YAML file is missing, malformed or invalid (every problem listed)
├── PluginError          a plugin cannot be loaded or declares something twice
├── StorageError         the database cannot be reached or is not migrated
├── AdapterError         a platform adapter failed to start or to deliver
└── UsageError           a person used a command wrongly (shown to them, never a traceback)
    └── PermissionDenied the person lacks the role a command requires
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "ConfigError",
    "PermissionDenied",
    "PluginError",
    "QunzhuError",
    "StorageError",
    "UsageError",
]


class QunzhuError(Exception):
    """The root of qunzhu's own errors."""


class ConfigError(QunzhuError):
    """Configuration problems, all of them at once: `problems` holds one line per problem."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class PluginError(QunzhuError):
    """A plugin could not be loaded, or clashes with another (duplicate command name...)."""


class StorageError(QunzhuError):
    """The database is unreachable or its schema does not match the code."""


class AdapterError(QunzhuError):
    """An adapter failed to start or to deliver."""


class UsageError(QunzhuError):
    """A person used a command wrongly. The message is shown to them as it is (already
    translated), so raise it with text meant for a person."""


class PermissionDenied(UsageError):
    """The person lacks the role the command requires."""
